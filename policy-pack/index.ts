import { PolicyPack } from "@pulumi/policy";
import { shareRequestProperties } from "./lib/request-properties";
import { meshguardPolicies } from "./policies";

// Every policy of one Analyze request reads the same deserialized properties (lib/request-properties.ts).
shareRequestProperties();

new PolicyPack("meshguard", {
    description: "Refuses insecure Istio service-mesh configuration at preview time: weak mTLS, allow-all authorization, unverified TLS, sidecar bypass and unsafe installs.",
    enforcementLevel: "mandatory",
    policies: meshguardPolicies,
});
