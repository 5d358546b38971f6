import { createHash } from "crypto";
import type { MeshOutOfMeshCaller } from "../model/out-of-mesh";
import type { CallerGroup } from "./network-policy";

/**
 * The pods of an `outOfMesh` caller as a NetworkPolicy peer: the namespace (by
 * kubernetes.io/metadata.name) and the selector's pods, or every pod of the namespace without a
 * selector (accepted only for a namespace with no declared service, out-of-mesh.ts in model).
 * Its egress policy name (emitted only when the namespace is one meshguard isolates) carries a
 * hash of the selector: selectors may hold characters a name cannot.
 */
export function outOfMeshCallerGroup(caller: MeshOutOfMeshCaller): CallerGroup {
    const labels = Object.fromEntries(Object.entries(caller.selector ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const key = `out-of-mesh/${caller.namespace}/${JSON.stringify(labels)}`;
    const hash = createHash("sha256").update(key).digest("hex").slice(0, 10);
    return { key, namespace: caller.namespace, podSelector: labels, egressName: `allow-egress-from.out-of-mesh-${hash}` };
}
