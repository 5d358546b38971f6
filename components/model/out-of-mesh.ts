import { z } from "zod";
import { dnsLabel, selectorLabels } from "./mesh-policy-fields";
import type { MeshOutOfMeshCaller } from "./out-of-mesh-types";
import type { MeshPolicyConfig, MeshRelationship } from "./mesh-policy-types";
import { quoted } from "../validation/quote";

export type { MeshOutOfMeshCaller } from "./out-of-mesh-types";

/**
 * The `outOfMesh` caller kind: pods without a sidecar that call a service in plaintext. The
 * compiler turns each such relationship into three parts that only work together
 * (components/compile/out-of-mesh.ts): PERMISSIVE on exactly the named container ports, an ALLOW
 * rule for plaintext callers on exactly those ports, and the NetworkPolicy that admits exactly
 * these pods to them. The checks below refuse every input for which one part would be broader
 * than declared.
 */
export const outOfMeshCallerSchema = z.strictObject({
    namespace: dnsLabel,
    /** Pod labels of the callers (not empty); every pod of the namespace when omitted. */
    selector: selectorLabels.optional(),
}) satisfies z.ZodType<MeshOutOfMeshCaller, MeshOutOfMeshCaller>;

const HTTP_FIELDS = ["methods", "paths", "hosts", "grpcMethods"] as const;

type Add = (path: PropertyKey[], message: string) => void;

/** Whether a relationship's caller is outside the mesh. */
export function isOutOfMeshRelationship(rel: MeshRelationship): boolean {
    return rel.from.outOfMesh !== undefined;
}

/**
 * Cross-reference checks of the relationships whose caller is `outOfMesh` (the path of each
 * issue names the field at fault). `config` is structurally valid.
 */
export function checkOutOfMeshRelationships(config: MeshPolicyConfig, add: Add): void {
    const meshNamespaces = new Set(config.services.map((s) => s.namespace));
    config.allow.forEach((rel, i) => {
        const caller = rel.from.outOfMesh;
        if (caller === undefined) return;
        const path = ["allow", i];
        if (rel.ports === undefined) {
            add(
                [...path, "ports"],
                `is required for an outOfMesh caller: its plaintext is accepted only on the ports listed here (every port would turn the whole workload PERMISSIVE). Fix: list the ports of service ${quoted(rel.to)} the caller needs, e.g. ports: [9090]`,
            );
        }
        for (const field of HTTP_FIELDS) {
            if (rel[field] === undefined) continue;
            add(
                [...path, field],
                `cannot be used with an outOfMesh caller: meshguard limits plaintext callers by port only (the NetworkPolicy that names them is L4), and an HTTP-only rule for a caller without identity would be the only thing between it and the rest of the port. Fix: remove ${field}, or give the caller a sidecar and declare it as a service`,
            );
        }
        if (caller.selector === undefined && meshNamespaces.has(caller.namespace)) {
            add(
                [...path, "from", "outOfMesh", "selector"],
                `is required: namespace ${quoted(caller.namespace)} holds declared services, and without a selector the plaintext port would be open to every pod of it, its mesh pods included. Fix: set selector to the labels of the pods without a sidecar`,
            );
        }
        if (caller.namespace === config.rootNamespace) {
            add(
                [...path, "from", "outOfMesh", "namespace"],
                `${quoted(caller.namespace)} is Istio's root namespace (istiod runs there); a caller outside the mesh must run in a namespace of its own. Fix: move the pods to another namespace`,
            );
        }
        if (!config.networkPolicies.ingress) {
            add(
                [...path, "from", "outOfMesh"],
                "needs networkPolicies.ingress: the NetworkPolicy is the only thing that limits the plaintext port to these pods (they carry no identity an AuthorizationPolicy could check). Fix: remove `networkPolicies: false` / `ingress: false`, or remove this relationship",
            );
        }
        checkNamespaceCallersOnPlaintextPorts(config, rel, i, add);
        config.deny.forEach((rule, j) => {
            const target = config.services.find((s) => s.id === rel.to);
            const covers = rule.to === rel.to || (rule.toNamespace !== undefined && rule.toNamespace === target?.namespace);
            const ports = rule.ports === undefined || rel.ports === undefined || rule.ports.some((p) => rel.ports?.includes(p));
            if (!covers || !ports) return;
            add(
                [...path, "from", "outOfMesh"],
                `deny[${j}] covers service ${quoted(rel.to)} on the same ports and denies every caller outside its unlessFrom; a plaintext caller carries no identity to be excepted, so this relationship could never be used. Fix: limit deny[${j}].ports to other ports, or remove this relationship`,
            );
        });
    });
}

/** Container ports of `to` that a relationship names (all declared ports when it names none). */
function targetPortsOf(config: MeshPolicyConfig, rel: MeshRelationship): Set<number> {
    const callee = config.services.find((s) => s.id === rel.to);
    const named = callee?.ports.filter((p) => rel.ports === undefined || rel.ports.includes(p.port)) ?? [];
    return new Set(named.map((p) => p.targetPort ?? p.port));
}

/**
 * The ALLOW rule for plaintext callers cannot name them (no identity), so on a PERMISSIVE port
 * the NetworkPolicy's peers are all that separates them from anyone else: every peer of that port
 * must be either the declared out-of-mesh pods or pods that speak mTLS (a declared service, the
 * gateway). A namespace caller's peer is every pod of the namespace, sidecar or not: on a shared
 * port, its pods without a sidecar would get in, in plaintext.
 */
function checkNamespaceCallersOnPlaintextPorts(config: MeshPolicyConfig, rel: MeshRelationship, i: number, add: Add): void {
    const plaintext = targetPortsOf(config, rel);
    config.allow.forEach((other, j) => {
        if (other.to !== rel.to || other.from.namespace === undefined) return;
        const shared = [...targetPortsOf(config, other)].filter((p) => plaintext.has(p)).sort((a, b) => a - b);
        if (shared.length === 0) return;
        add(
            ["allow", i, "ports"],
            `container port ${shared.join(", ")} of service ${quoted(rel.to)} is also open to every pod of namespace ${quoted(other.from.namespace)} (allow[${j}]); accepting plaintext there would let that namespace's pods without a sidecar in, since a plaintext caller has no identity to tell them apart. Fix: declare the callers of ${quoted(other.from.namespace)} as services, or serve the out-of-mesh caller on a port of its own`,
        );
    });
}
