// The benchmark's baseline pack: one resource policy that does nothing, served by the same
// @pulumi/policy as meshguard's pack, so its throughput is the SDK's and gRPC's own cost.
import { PolicyPack } from "@pulumi/policy";

new PolicyPack("empty", {
    enforcementLevel: "mandatory",
    policies: [{ name: "no-op", description: "Does nothing.", validateResource: () => undefined }],
});
