import { StackValidationPolicy } from "@pulumi/policy";
import { ambientReach } from "../lib/ambient";
import { configSchema } from "../lib/config";
import { asRecord } from "../lib/object";
import { objectExemption, readMeshStack, reportOnObject, specOf, StackObject } from "../lib/stack";

/**
 * What ztunnel makes of a weak PeerAuthentication (Istio 1.30.3 pilot/pkg/serviceregistry/ambient/
 * authorization.go, convertedSelectorPeerAuthentications and convertPeerAuthentication): only
 * "STRICT or not" is translated. STRICT becomes a DENY of connections without a peer identity;
 * PERMISSIVE and DISABLE alike leave plaintext accepted. Nothing turns HBONE off between ambient
 * workloads, so DISABLE never disables mTLS there (docs/ambient.md).
 */
const EFFECT: Readonly<Record<string, string>> = {
    DISABLE:
        "DISABLE does not turn mTLS off in ambient mode: ztunnel treats it exactly like PERMISSIVE, so connections between ambient workloads stay mTLS (HBONE) while plaintext connections to these pods from outside the mesh are accepted, carrying no identity",
    PERMISSIVE:
        "PERMISSIVE makes ztunnel accept plaintext connections to these pods from outside the mesh, carrying no identity that principals or namespaces rules can check; connections between ambient workloads are mTLS either way",
};

export const peerAuthenticationAmbient: StackValidationPolicy = {
    name: "peer-authentication-ambient",
    description:
        "PeerAuthentication DISABLE or PERMISSIVE (mode or portLevelMtls) must not apply to ambient workloads: ztunnel treats both as 'accept plaintext' (DISABLE does not turn HBONE mTLS off), so it only opens the pods to unauthenticated callers.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const stack = readMeshStack(args, reportViolation, { workloads: true, istioKinds: ["PeerAuthentication"] });
        for (const entry of stack.istio.get("PeerAuthentication") ?? []) {
            if (objectExemption(stack, entry.object) !== undefined) continue;
            const weak = weakModes(entry);
            if (weak.length === 0) continue;
            const reach = ambientReach(stack, entry);
            if (reach === undefined) continue;
            for (const { path, mode, port } of weak) {
                reportOnObject(
                    reportViolation,
                    entry,
                    path,
                    `${EFFECT[mode]}${port === undefined ? "" : ` (port ${port})`}; ${reach}`,
                    port === undefined
                        ? 'set mtls.mode to "STRICT" or remove it (the namespace or mesh-wide STRICT applies); enrol plaintext clients in the mesh instead'
                        : `set the mode of port ${port} to "STRICT" or remove the port-level override; enrol plaintext clients in the mesh instead`,
                );
            }
        }
    },
};

function weakModes(entry: StackObject): { path: string; mode: string; port?: string }[] {
    const spec = specOf(entry);
    const out: { path: string; mode: string; port?: string }[] = [];
    const mode = asRecord(spec["mtls"])["mode"];
    if (typeof mode === "string" && Object.prototype.hasOwnProperty.call(EFFECT, mode)) out.push({ path: "spec.mtls.mode", mode });
    for (const [port, setting] of Object.entries(asRecord(spec["portLevelMtls"]))) {
        const portMode = asRecord(setting)["mode"];
        if (typeof portMode === "string" && Object.prototype.hasOwnProperty.call(EFFECT, portMode)) out.push({ path: `spec.portLevelMtls["${port}"].mode`, mode: portMode, port });
    }
    return out;
}
