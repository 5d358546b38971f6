import { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema } from "../lib/config";
import { istioKindOfType } from "../lib/kinds";
import { asRecord, isRecord } from "../lib/object";
import { validateObjects } from "../lib/resource-policy";

const WEAK_MODES: Readonly<Record<string, string>> = {
    PERMISSIVE: "PERMISSIVE accepts plaintext, so callers may skip mTLS and then carry no identity that AuthorizationPolicies can check",
    DISABLE: "DISABLE turns mTLS off: traffic is plaintext and callers carry no verifiable identity",
};

export const peerAuthenticationStrict: ResourceValidationPolicy = {
    name: "peer-authentication-strict",
    description: "PeerAuthentication must not weaken mutual TLS: mode PERMISSIVE or DISABLE, at the top level or in any portLevelMtls entry, is refused.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: validateObjects(
        { appliesTo: "Istio PeerAuthentication", kindOf: (t) => (istioKindOfType(t) === "PeerAuthentication" ? "PeerAuthentication" : undefined), wholeObject: true },
        ({ object }, report) => {
            const spec = asRecord(object.body["spec"]);
            const mode = asRecord(spec["mtls"])["mode"];
            if (typeof mode === "string" && WEAK_MODES[mode] !== undefined) {
                report("spec.mtls.mode", WEAK_MODES[mode], 'set mtls.mode to "STRICT" (or remove it to inherit the namespace or mesh-wide STRICT policy)');
            }
            const portLevel = spec["portLevelMtls"];
            if (!isRecord(portLevel)) return;
            for (const [port, setting] of Object.entries(portLevel)) {
                const portMode = asRecord(setting)["mode"];
                if (typeof portMode === "string" && WEAK_MODES[portMode] !== undefined) {
                    report(`spec.portLevelMtls["${port}"].mode`, `${WEAK_MODES[portMode]} on port ${port}`, `set the mode of port ${port} to "STRICT" or remove the port-level override`);
                }
            }
        },
    ),
};
