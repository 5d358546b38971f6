import { PolicyPack } from "@pulumi/policy";
import { meshguardPolicies } from "./policies";

new PolicyPack("meshguard", {
    description: "Refuses insecure Istio service-mesh configuration at preview time: weak mTLS, allow-all authorization, unverified TLS, sidecar bypass and unsafe installs.",
    enforcementLevel: "mandatory",
    policies: meshguardPolicies,
});
