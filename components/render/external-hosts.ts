import { istioKindOf, selectorMatches } from "../istio";
import { asList, asRecord, KubeObject, namespaceOf, recordAt, stringsAt } from "../kube";
import { WorkloadInfo } from "./workloads";

/**
 * External hosts for the access graph: each MESH_EXTERNAL ServiceEntry's hosts, and who can reach
 * them — the pods an egress NetworkPolicy of the entry's namespace opens to an ipBlock on one of
 * its ports (the CNI-enforced grant MeshPolicy `external` emits), or, without such a policy, every
 * sidecar of the namespaces the entry is exported to (REGISTRY_ONLY alone, bypassable).
 */
export interface ExternalAccess {
    readonly host: string;
    /** The workload that may call, or (undefined) every workload of `namespace`. */
    readonly workload?: WorkloadInfo;
    readonly namespace: string;
    /** "port 443 HTTPS", one per port. */
    readonly labels: readonly string[];
    /** True when no NetworkPolicy grant was found: only the sidecar's outbound policy limits it. */
    readonly sidecarOnly: boolean;
}

interface EntryPort {
    readonly number: number;
    readonly protocol: string;
}

export function externalAccess(objects: readonly KubeObject[], workloads: readonly WorkloadInfo[]): ExternalAccess[] {
    const out: ExternalAccess[] = [];
    const egressGrants = objects.filter((o) => o.kind === "NetworkPolicy" && o.apiVersion === "networking.k8s.io/v1");
    for (const entry of objects.filter((o) => istioKindOf(o.apiVersion, o.kind) === "ServiceEntry")) {
        const spec = asRecord(entry["spec"]);
        if ((spec["location"] ?? "MESH_EXTERNAL") !== "MESH_EXTERNAL") continue;
        const namespace = namespaceOf(entry);
        const ports: EntryPort[] = asList(spec["ports"]).map((p) => ({ number: Number(asRecord(p)["number"]), protocol: String(asRecord(p)["protocol"] ?? "TCP") }));
        const hosts = stringsAt(spec, "hosts") ?? [];
        const grants = grantsFor(egressGrants.filter((np) => namespaceOf(np) === namespace), ports, workloads, namespace);
        const exportTo = stringsAt(spec, "exportTo");
        const visibleIn = exportTo === undefined || exportTo.length === 0 || exportTo.includes("*") ? [namespace] : exportTo.map((e) => (e === "." ? namespace : e)).filter((e) => e !== "~");
        for (const host of hosts) {
            if (grants.length > 0) {
                for (const g of grants) out.push({ host, workload: g.workload, namespace, labels: g.ports.map(portLabel), sidecarOnly: false });
            } else {
                for (const ns of [...new Set(visibleIn)]) out.push({ host, namespace: ns, labels: ports.map(portLabel), sidecarOnly: true });
            }
        }
    }
    return out;
}

function portLabel(p: EntryPort): string {
    return `port ${p.number} ${p.protocol}`;
}

/** Pods of the namespace that an egress rule with an ipBlock peer opens on some of the entry's ports. */
function grantsFor(policies: readonly KubeObject[], ports: readonly EntryPort[], workloads: readonly WorkloadInfo[], namespace: string): { workload?: WorkloadInfo; ports: EntryPort[] }[] {
    const grants: { workload?: WorkloadInfo; ports: EntryPort[] }[] = [];
    for (const policy of policies) {
        const spec = asRecord(policy["spec"]);
        const opened = new Set<number>();
        for (const rule of asList(spec["egress"])) {
            if (!asList(asRecord(rule)["to"]).some((peer) => recordAt(peer, ["ipBlock"]) !== undefined)) continue;
            const rulePorts = asList(asRecord(rule)["ports"]).map((p) => asRecord(p)["port"]);
            for (const p of ports) if (rulePorts.length === 0 || rulePorts.includes(p.number)) opened.add(p.number);
        }
        if (opened.size === 0) continue;
        const granted = ports.filter((p) => opened.has(p.number));
        const matchLabels = recordAt(spec, ["podSelector", "matchLabels"]) as Record<string, string> | undefined;
        if (matchLabels === undefined || Object.keys(matchLabels).length === 0) {
            grants.push({ ports: granted });
            continue;
        }
        for (const w of workloads) if (w.namespace === namespace && selectorMatches(matchLabels, w.podLabels)) grants.push({ workload: w, ports: granted });
    }
    return grants;
}
