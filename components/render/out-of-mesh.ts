import { asList, asRecord, KubeObject, namespaceOf, typeOfObject } from "../kube";
import { labelSelectorMatches, readLabelSelector } from "../kube";
import { WorkloadInfo } from "./workloads";

/** NetworkPolicy label Kubernetes sets on every namespace to its name. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** A set of pods outside the mesh that a NetworkPolicy admits to a plaintext port. */
export interface PlaintextPeer {
    readonly namespace: string;
    /** matchLabels of the peer's podSelector (undefined: every pod of the namespace). */
    readonly selector?: Readonly<Record<string, string>>;
    /** A workload among the objects the peer selects, when one without a sidecar does. */
    readonly workload?: WorkloadInfo;
    /** Container ports of the ALLOW rule this peer may reach. */
    readonly ports: readonly string[];
}

/**
 * Who a plaintext-only ALLOW rule (`notPrincipals: ["*"]` on named ports, the rule MeshPolicy's
 * `outOfMesh` callers compile to) really admits: a plaintext caller has no identity, so the
 * NetworkPolicies selecting the destination's pods say who it is. Each ingress peer (a namespace
 * by kubernetes.io/metadata.name, and its pods' labels) admitted to one of the rule's ports is a
 * caller, unless every workload it selects among the objects has a sidecar (those send mTLS,
 * which this rule does not match). Label selectors are read as the simulator reads them
 * (components/kube/label-selector.ts). No peer found: the caller is anyone (nothing names it).
 */
export function plaintextPeers(objects: readonly KubeObject[], workloads: readonly WorkloadInfo[], namespace: string, podLabels: Readonly<Record<string, string>>, ports: readonly string[]): PlaintextPeer[] {
    const peers = new Map<string, { namespace: string; selector?: Record<string, string>; workload?: WorkloadInfo; ports: Set<string> }>();
    for (const np of objects) {
        const type = typeOfObject(np);
        if (type?.kind !== "NetworkPolicy" || !type.apiVersion.startsWith("networking.k8s.io/") || namespaceOf(np) !== namespace) continue;
        const spec = asRecord(np["spec"]);
        let selects: boolean;
        try {
            selects = labelSelectorMatches(readLabelSelector(spec["podSelector"], "NetworkPolicy", "spec.podSelector"), podLabels);
        } catch {
            continue; // an invalid selector is rejected by the API server: it admits no one
        }
        if (!selects) continue;
        for (const rule of asList(spec["ingress"])) {
            const numbered = asList(asRecord(rule)["ports"]).map((p) => asRecord(p)["port"]);
            const reached = numbered.length === 0 ? [...ports] : ports.filter((port) => numbered.some((n) => String(n) === port));
            if (reached.length === 0) continue;
            for (const peer of asList(asRecord(rule)["from"])) {
                const found = peerOf(asRecord(peer), workloads);
                if (found === undefined) continue;
                const key = `${found.namespace}/${JSON.stringify(found.selector ?? null)}`;
                const entry = peers.get(key) ?? { ...found, ports: new Set<string>() };
                reached.forEach((p) => entry.ports.add(p));
                peers.set(key, entry);
            }
        }
    }
    return [...peers.values()].map((p) => ({ ...p, ports: ports.filter((port) => p.ports.has(port)) }));
}

/** A peer naming one namespace by name, unless it selects only workloads with a sidecar. */
function peerOf(peer: Record<string, unknown>, workloads: readonly WorkloadInfo[]): { namespace: string; selector?: Record<string, string>; workload?: WorkloadInfo } | undefined {
    const ns = asRecord(asRecord(peer["namespaceSelector"])["matchLabels"])[NAMESPACE_NAME_LABEL];
    if (typeof ns !== "string") return undefined;
    const labels = asRecord(asRecord(peer["podSelector"])["matchLabels"]);
    const selector = Object.keys(labels).length === 0 ? undefined : Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));
    const selected = workloads.filter((w) => w.namespace === ns && Object.entries(selector ?? {}).every(([k, v]) => w.podLabels[k] === v));
    if (selected.length > 0 && selected.every((w) => w.inMesh)) return undefined;
    const outside = selected.find((w) => !w.inMesh);
    return outside === undefined ? (selector === undefined ? { namespace: ns } : { namespace: ns, selector }) : { namespace: ns, ...(selector ? { selector } : {}), workload: outside };
}
