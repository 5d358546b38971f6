import { MeshguardValidationError } from "../errors";
import { ipInBlock, istioKindOf, parseIpBlock } from "../istio";
import type { OutboundTrafficPolicyMode } from "../model/install-types";
import { asList, asRecord, nameOf, namespaceOf, typeOfObject } from "../kube";
import { NetworkEndpoint, NetworkPolicyLayer } from "./network-policy";
import { NetworkLayerReport, PolicyRef, RequestSource, SimWorkload, Verdict } from "./types";

/**
 * Requests to destinations outside the cluster (an IP, and the host name the caller asks for),
 * decided through both layers: the source pod's egress NetworkPolicies (ipBlock/except, the CNI),
 * then its sidecar's outbound traffic policy — ALLOW_ANY forwards anything (passthrough cluster),
 * REGISTRY_ONLY only hosts and ports of a ServiceEntry visible to the source's namespace
 * (istio pilot/pkg/networking/core/listener_builder.go: the catch-all listener goes to the
 * BlackHoleCluster under REGISTRY_ONLY). A pod without a sidecar bypasses the second layer.
 */

export type { OutboundTrafficPolicyMode };

/** An address outside the cluster, and the host name the caller asks for (TLS SNI or HTTP Host). */
export interface ExternalDestination {
    readonly ip: string;
    readonly host?: string;
}

export interface SimExternalRequest {
    /** A pod of the cluster: `{ workload }`, or `{ serviceAccount }` naming exactly one known workload. */
    readonly from: RequestSource;
    readonly to: ExternalDestination;
    readonly port: number;
    /** Caller IP; default the source workload's ip. */
    readonly sourceIp?: string;
}

/** Which layer decided: the NetworkPolicies, the sidecar's outbound traffic policy, or neither (nothing restricts). */
export type ExternalDecisionLayer = "network-policy" | "outbound-traffic-policy" | "none";

export interface ExternalDecision {
    readonly verdict: Verdict;
    readonly layer: ExternalDecisionLayer;
    readonly reason: string;
    /** The NetworkPolicy or ServiceEntry that decided, when one did. */
    readonly policy?: PolicyRef;
    readonly network?: NetworkLayerReport;
    readonly trace: readonly string[];
}

interface IndexedServiceEntry {
    readonly namespace: string;
    readonly name: string;
    readonly hosts: readonly string[];
    readonly addresses: readonly string[];
    readonly ports: readonly number[];
    /** undefined = exported everywhere (meshConfig.defaultServiceExportTo defaults to "*"). */
    readonly exportTo?: readonly string[];
}

/** The ServiceEntries of a set of manifests, for REGISTRY_ONLY decisions. */
export class ServiceEntryIndex {
    private readonly entries: IndexedServiceEntry[] = [];

    constructor(manifests: readonly unknown[]) {
        for (const manifest of manifests) {
            const type = typeOfObject(manifest);
            if (type === undefined || istioKindOf(type.apiVersion, type.kind) !== "ServiceEntry") continue;
            const spec = asRecord(asRecord(manifest)["spec"]);
            const strings = (value: unknown) => asList(value).filter((v): v is string => typeof v === "string");
            const exportTo = spec["exportTo"];
            this.entries.push({
                namespace: namespaceOf(manifest),
                name: nameOf(manifest) ?? "",
                hosts: strings(spec["hosts"]),
                addresses: strings(spec["addresses"]),
                ports: asList(spec["ports"]).map((p) => asRecord(p)["number"]).filter((n): n is number => typeof n === "number"),
                exportTo: Array.isArray(exportTo) ? strings(exportTo) : undefined,
            });
        }
    }

    /** The first ServiceEntry visible from `namespace` declaring the destination on `port`. */
    find(namespace: string, to: ExternalDestination, port: number): IndexedServiceEntry | undefined {
        return this.entries.find(
            (e) =>
                visibleFrom(e, namespace) &&
                e.ports.includes(port) &&
                (to.host === undefined ? e.addresses.some((a) => ipInBlock(a, to.ip)) : e.hosts.some((h) => hostMatches(h, to.host as string))),
        );
    }
}

function visibleFrom(entry: IndexedServiceEntry, namespace: string): boolean {
    if (entry.exportTo === undefined || entry.exportTo.length === 0) return true;
    return entry.exportTo.some((e) => e === "*" || (e === "." && entry.namespace === namespace) || e === namespace);
}

/** Istio host matching: exact (case-insensitive), or `*.suffix` matching any name ending in `.suffix`. */
function hostMatches(pattern: string, host: string): boolean {
    const [p, h] = [pattern.toLowerCase(), host.toLowerCase()];
    return p.startsWith("*.") ? h.endsWith(p.slice(1)) : p === h;
}

export interface ExternalContext {
    readonly network: NetworkPolicyLayer;
    readonly serviceEntries: ServiceEntryIndex;
    /** meshConfig.outboundTrafficPolicy.mode; Istio's default is ALLOW_ANY (pkg/config/mesh/mesh.go DefaultMeshConfig). */
    readonly outboundTrafficPolicy: OutboundTrafficPolicyMode;
    /** The workload a request source names (throws for an unknown one). */
    readonly source: (from: RequestSource) => SimWorkload;
    readonly endpoint: (w: SimWorkload) => NetworkEndpoint;
}

export function decideExternal(ctx: ExternalContext, request: SimExternalRequest): ExternalDecision {
    if (request.to.ip.includes("/") || parseIpBlock(request.to.ip) === undefined) {
        throw new MeshguardValidationError("simulated request", [{ path: "to.ip", message: `must be an IPv4 or IPv6 address (got ${JSON.stringify(request.to.ip)})` }]);
    }
    const w = ctx.source(request.from);
    const pod = ctx.endpoint(request.sourceIp === undefined ? w : { ...w, ip: request.sourceIp });
    const label = request.to.host === undefined ? request.to.ip : `${request.to.host} (${request.to.ip})`;
    const trace = [`${pod.label} → ${label} port ${request.port}/TCP, outside the cluster.`];
    let network: NetworkLayerReport | undefined;
    if (ctx.network.count > 0) {
        const outcome = ctx.network.decide(pod, { label, ip: request.to.ip }, request.port, "TCP");
        trace.push(...outcome.trace);
        network = { verdict: outcome.verdict, direction: outcome.direction, policy: outcome.policy, reason: outcome.reason };
        if (outcome.verdict === "denied") return { verdict: "denied", layer: "network-policy", reason: outcome.reason, policy: outcome.policy, network, trace };
    }
    const done = (verdict: Verdict, layer: ExternalDecisionLayer, reason: string, policy?: PolicyRef): ExternalDecision => {
        trace.push(reason);
        return network === undefined ? { verdict, layer, reason, policy, trace } : { verdict, layer, reason, policy, network, trace };
    };
    if (w.inMesh === false) {
        return done("allowed", "none", `${pod.label} has no sidecar, so outboundTrafficPolicy does not apply: only NetworkPolicies could stop it, and none does.`);
    }
    if (ctx.outboundTrafficPolicy === "ALLOW_ANY") {
        return done("allowed", "none", `outboundTrafficPolicy ALLOW_ANY: the sidecar of ${pod.label} forwards ${label} port ${request.port} through its passthrough cluster, declared or not.`);
    }
    const entry = ctx.serviceEntries.find(w.namespace, request.to, request.port);
    if (entry === undefined) {
        const what = request.to.host === undefined ? `address ${request.to.ip}` : `host ${request.to.host}`;
        return done("denied", "outbound-traffic-policy", `outboundTrafficPolicy REGISTRY_ONLY: no ServiceEntry visible to namespace ${w.namespace} declares ${what} on port ${request.port}, so the sidecar of ${pod.label} sends it to the BlackHoleCluster.`);
    }
    const ref: PolicyRef = { kind: "ServiceEntry", namespace: entry.namespace, name: entry.name };
    return done("allowed", "outbound-traffic-policy", `outboundTrafficPolicy REGISTRY_ONLY: ServiceEntry ${entry.namespace}/${entry.name} declares ${label} port ${request.port} for namespace ${w.namespace}.`, ref);
}
