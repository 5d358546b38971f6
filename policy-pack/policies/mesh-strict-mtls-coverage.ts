import { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { configSchema } from "../lib/config";
import { asRecord } from "../lib/object";
import { MeshStack, meshNamespaces, namespaceExemption, readMeshStack, reportOnNamespace, reportOnObject, selectorLabels, specOf, StackObject } from "../lib/stack";

/** Selector-less PeerAuthentications per namespace: namespace-wide, or mesh-wide in the root namespace. */
function namespaceWide(stack: MeshStack): Map<string, StackObject[]> {
    const out = new Map<string, StackObject[]>();
    for (const pa of stack.istio.get("PeerAuthentication") ?? []) {
        if (selectorLabels(specOf(pa)) !== undefined) continue;
        const ns = pa.object.namespace ?? "";
        const list = out.get(ns) ?? [];
        list.push(pa);
        out.set(ns, list);
    }
    return out;
}

function modeOf(pa: StackObject | undefined): string {
    const mode = pa === undefined ? undefined : asRecord(specOf(pa)["mtls"])["mode"];
    return typeof mode === "string" ? mode : "UNSET";
}

/** Istio honours only one namespace-wide (or mesh-wide) PeerAuthentication: the oldest. */
function reportAmbiguous(reportViolation: ReportViolation, policies: readonly StackObject[], scope: string): void {
    if (policies.length < 2) return;
    for (const extra of policies.slice(1)) {
        reportOnObject(
            reportViolation,
            extra,
            "spec.selector",
            `is one of ${policies.length} ${scope} PeerAuthentications; Istio honours only the oldest, so which mode applies depends on creation order`,
            `keep a single ${scope} PeerAuthentication with mtls.mode STRICT`,
        );
    }
}

export const meshStrictMtlsCoverage: StackValidationPolicy = {
    name: "mesh-strict-mtls-coverage",
    description:
        "STRICT mutual TLS must cover every mesh namespace: a mesh-wide STRICT PeerAuthentication in the root namespace or a namespace-wide STRICT one, with no namespace-wide policy weakening it.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({ injection: true }),
    validateStack: (args, reportViolation) => {
        const stack = readMeshStack(args, reportViolation, { workloads: true, istioKinds: ["PeerAuthentication"] });
        const byNamespace = namespaceWide(stack);
        const root = stack.config.rootNamespace;
        const mesh = byNamespace.get(root) ?? [];
        reportAmbiguous(reportViolation, mesh, "mesh-wide");
        const meshMode = modeOf(mesh[0]);
        for (const ns of meshNamespaces(stack)) {
            if (namespaceExemption(stack, ns) !== undefined) continue;
            const own = ns.name === root ? [] : byNamespace.get(ns.name) ?? [];
            reportAmbiguous(reportViolation, own, "namespace-wide");
            const ownMode = modeOf(own[0]);
            if (ownMode === "STRICT" || (ownMode === "UNSET" && meshMode === "STRICT")) continue;
            reportOnNamespace(
                reportViolation,
                ns,
                ownMode === "UNSET" ? `PeerAuthentication ${root}/default` : `PeerAuthentication ${ns.name}/${own[0].object.name}`,
                ownMode === "UNSET"
                    ? mesh.length === 0
                        ? "is missing and no namespace-wide STRICT policy exists, so the namespace accepts plaintext (PERMISSIVE is Istio's default) and callers may carry no identity"
                        : `sets mode ${meshMode}, not STRICT, and no namespace-wide STRICT policy exists, so the namespace accepts plaintext`
                    : `sets mode ${ownMode} for the whole namespace, overriding the mesh-wide policy, so it accepts plaintext`,
                `add a PeerAuthentication with mtls.mode STRICT and no selector in ${root} (IstioMesh does) or in ${ns.name} (MeshNamespace does)`,
            );
        }
    },
};
