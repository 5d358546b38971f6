import { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema } from "../lib/config";
import { istioKindOfType } from "../lib/kinds";
import { isUnknownValue, knownRecord } from "../lib/preview-values";
import { ObjectReporter, validateObjects } from "../lib/resource-policy";

const WEAK_MODES: Readonly<Record<string, string>> = {
    PERMISSIVE: "PERMISSIVE accepts plaintext, so callers may skip mTLS and then carry no identity that AuthorizationPolicies can check",
    DISABLE: "DISABLE turns mTLS off: traffic is plaintext and callers carry no verifiable identity",
};

const weakness = (mode: unknown): string | undefined => (typeof mode === "string" && Object.prototype.hasOwnProperty.call(WEAK_MODES, mode) ? WEAK_MODES[mode] : undefined);

/**
 * A PERMISSIVE port is accepted with its NetworkPolicy guard, which only the whole stack shows:
 * peer-authentication-permissive-port-guarded judges it, so one mistake gets one verdict.
 */
const portWeakness = (mode: unknown): string | undefined => (mode === "PERMISSIVE" ? undefined : weakness(mode));

export const peerAuthenticationStrict: ResourceValidationPolicy = {
    name: "peer-authentication-strict",
    description:
        "PeerAuthentication must not weaken mutual TLS: mode PERMISSIVE or DISABLE at the top level, or DISABLE in a portLevelMtls entry, is refused (a PERMISSIVE portLevelMtls entry is judged by peer-authentication-permissive-port-guarded).",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: validateObjects(
        { appliesTo: "Istio PeerAuthentication", kindOf: (t) => (istioKindOfType(t) === "PeerAuthentication" ? "PeerAuthentication" : undefined), wholeObject: true },
        ({ object }, report) => {
            // Each mode is judged on its own: an unknown one is "cannot be verified", a known weak one
            // stays a violation whatever else (namespace, other ports) is unknown.
            const spec = object.values["spec"];
            if (isUnknownValue(spec)) return report.unverifiable("spec", spec, "a PERMISSIVE or DISABLE mode in it would be refused");
            const mtls = knownRecord(spec)?.["mtls"];
            const mode = isUnknownValue(mtls) ? mtls : knownRecord(mtls)?.["mode"];
            if (isUnknownValue(mode)) {
                report.unverifiable("spec.mtls.mode", mode, "mode PERMISSIVE or DISABLE would be refused");
            } else {
                const weak = weakness(mode);
                if (weak !== undefined) report("spec.mtls.mode", weak, 'set mtls.mode to "STRICT" (or remove it to inherit the namespace or mesh-wide STRICT policy)');
            }
            checkPortLevel(knownRecord(spec)?.["portLevelMtls"], report);
        },
    ),
};

function checkPortLevel(portLevel: unknown, report: ObjectReporter): void {
    if (isUnknownValue(portLevel)) return report.unverifiable("spec.portLevelMtls", portLevel, "a DISABLE port-level mode would be refused");
    for (const [port, setting] of Object.entries(knownRecord(portLevel) ?? {})) {
        const path = `spec.portLevelMtls["${port}"].mode`;
        const portMode = isUnknownValue(setting) ? setting : knownRecord(setting)?.["mode"];
        if (isUnknownValue(portMode)) {
            report.unverifiable(path, portMode, `mode DISABLE on port ${port} would be refused`);
            continue;
        }
        const weak = portWeakness(portMode);
        if (weak !== undefined) report(path, `${weak} on port ${port}`, `set the mode of port ${port} to "STRICT" or remove the port-level override`);
    }
}
