import { DEFAULT_ROOT_NAMESPACE, DEFAULT_TRUST_DOMAIN } from "../constants";
import { DEFAULT_INGRESS_GATEWAY, MeshPolicyConfig, MeshPolicyInput, MeshPortProtocol, MeshRelationship, MeshService, parseMeshPolicy } from "../model";
import { dnsLabel, serviceAccountName } from "../model/mesh-policy-fields";
import { observedCalls } from "./istio-metrics";
import { classifyCalls, DroppedTraffic, DropReason, Identity, ObservedEdge } from "./observed-edges";
import { PrometheusSample } from "./prometheus";

export interface DiscoverOptions {
    /** An existing MeshPolicy input (as written, JSON): discovered parts are added, nothing it holds is changed. */
    readonly existing?: MeshPolicyInput;
    /** Identity of the ingress gateway when there is no existing input; default meshguard's (istio-ingress/istio-ingressgateway). */
    readonly ingressGateway?: { readonly namespace: string; readonly serviceAccount: string };
}

/** A relationship the discovery added, and the observed traffic behind it. */
export interface DiscoveredRelationship {
    readonly relationship: MeshRelationship;
    /** The observed workload pairs behind it, `ns/caller → ns/callee`. */
    readonly observed: readonly string[];
    /** Requests or connections observed in total. */
    readonly count: number;
    readonly protocol: string;
}

export interface Discovery {
    /** The MeshPolicy input (passes parseMeshPolicy); undefined when no service could be declared. */
    readonly input: MeshPolicyInput | undefined;
    /** Relationships added by this discovery (all of them without an existing input). */
    readonly added: readonly DiscoveredRelationship[];
    /** Observed traffic an existing relationship already allows: `allow[i]` and the traffic. */
    readonly alreadyAllowed: readonly { readonly index: number; readonly from: string; readonly to: string; readonly port: number }[];
    /** Services added (their ids). */
    readonly addedServices: readonly string[];
    /** Observed traffic that did not become a relationship, with the reason, error-only excluded. */
    readonly dropped: readonly DroppedTraffic[];
    /** Traffic that only ever failed (4xx/5xx): not allowed by default, listed for review. */
    readonly errorOnly: readonly DroppedTraffic[];
    /** Things a reviewer must check in the output (assumed selectors, port numbers, ...). */
    readonly notes: readonly string[];
    readonly series: number;
    /** Series with a value of 0 (no traffic in the window): ignored. */
    readonly idle: number;
}

interface PlannedService {
    readonly service: MeshService;
    readonly workloads: readonly string[];
    readonly isNew: boolean;
}

const identityKey = (i: { namespace: string; serviceAccount: string }) => `${i.namespace}/${i.serviceAccount}`;
const workloadName = (i: Identity) => `${i.namespace}/${i.workload}`;
const protocolClass = (p: string) => (p === "tcp" ? "tcp" : "http");

/**
 * Relationships from observed Istio traffic: one service per callee identity (namespace and
 * service account), one relationship per (caller, callee, workload port). Every series that
 * cannot become a relationship is reported with its reason; nothing is dropped silently.
 */
export function discover(samples: readonly PrometheusSample[], options: DiscoverOptions = {}): Discovery {
    const calls = observedCalls(samples);
    const classified = classifyCalls(calls);
    const dropped: DroppedTraffic[] = [...classified.dropped];
    const existing = options.existing === undefined ? undefined : parseMeshPolicy(options.existing, "existing MeshPolicy input");
    const notes: string[] = [];
    if (!classified.reportersCompared && calls.some((c) => c.count > 0)) {
        notes.push(`only reporter="${calls.find((c) => c.count > 0)?.reporter}" series were given: the two proxies of a call could not be compared. Fix: query without a reporter filter`);
    }

    const trustDomain = existing?.trustDomain ?? majorityTrustDomain(classified.edges);
    const edges = keepEdges(classified.edges, dropped, (e) => e.from.trustDomain === trustDomain && e.to.trustDomain === trustDomain, "foreign-trust-domain",
        (e) => `the principals use trust domain ${e.from.trustDomain === trustDomain ? e.to.trustDomain : e.from.trustDomain}, not ${trustDomain} (the one of ${existing ? "the existing input" : "most observed traffic"}): a MeshPolicy has one trust domain`);
    const consistent = dropProtocolConflicts(edges, dropped);
    const gateway = existing?.ingressGateway ?? options.ingressGateway ?? DEFAULT_INGRESS_GATEWAY;
    const plan = planServices(consistent, existing, gateway, dropped, notes);

    const added = new Map<string, { relationship: MeshRelationship; observed: string[]; count: number; protocol: string }>();
    const alreadyAllowed: { index: number; from: string; to: string; port: number }[] = [];
    for (const edge of consistent) {
        const callee = plan.get(identityKey(edge.to));
        if (callee === undefined) continue; // reported by planServices
        const drop = (reason: DropReason, detail: string) => dropped.push({ reason, from: workloadName(edge.from), to: workloadName(edge.to), port: edge.port, protocol: edge.protocol, count: edge.count, detail });
        const isGateway = identityKey(edge.from) === identityKey(gateway);
        const caller = isGateway ? undefined : plan.get(identityKey(edge.from));
        if (!isGateway && caller === undefined) {
            drop("caller-not-a-service", `the caller (service account ${identityKey(edge.from)}) was never seen as a callee, so its ports are unknown and it cannot be declared (a MeshPolicy service needs at least one port). Fix: declare it in an existing input and run with --merge`);
            continue;
        }
        const servicePort = callee.service.ports.find((p) => (p.targetPort ?? p.port) === edge.port);
        if (servicePort === undefined) {
            drop("port-not-declared", `workload port ${edge.port} is not among the ports of existing service "${callee.service.id}": not added (an existing service is never changed). Fix: declare the port, then discover again`);
            continue;
        }
        const relationship: MeshRelationship = { from: isGateway ? { ingressGateway: true } : { service: caller?.service.id }, to: callee.service.id, ports: [servicePort.port] };
        const covering = existing === undefined ? [] : coveringRelationships(existing, relationship, edge.from.namespace);
        const full = covering.find((c) => !c.restricted);
        if (full !== undefined) {
            alreadyAllowed.push({ index: full.index, from: workloadName(edge.from), to: workloadName(edge.to), port: edge.port });
        } else if (covering.length > 0) {
            drop("restricted-by-existing", `allow[${covering[0].index}] already allows this caller on this port for some methods, paths or hosts only: not widened (metrics do not say which requests were made). Fix: check the restriction covers the observed traffic`);
        } else {
            // Several workloads can stand behind one identity (reviews-v1, -v2, -v3): one relationship.
            const key = JSON.stringify(relationship);
            const entry = added.get(key) ?? { relationship, observed: [], count: 0, protocol: edge.protocol };
            entry.observed.push(`${workloadName(edge.from)} → ${workloadName(edge.to)}`);
            entry.count += edge.count;
            added.set(key, entry);
        }
    }

    const newServices = [...plan.values()].filter((s) => s.isNew).map((s) => s.service).sort((a, b) => compare(`${a.namespace}/${a.id}`, `${b.namespace}/${b.id}`));
    const discovered = [...added.values()].sort((a, b) => compare(relationshipSortKey(a.relationship), relationshipSortKey(b.relationship)));
    const relationships = discovered.map((a) => a.relationship);
    const input = options.existing === undefined && newServices.length === 0 ? undefined : outputInput(options.existing, newServices, relationships, trustDomain, gateway);
    if (input !== undefined) parseMeshPolicy(input, "discovered MeshPolicy input");
    return {
        input,
        added: discovered,
        alreadyAllowed,
        addedServices: newServices.map((s) => s.id),
        dropped: dropped.filter((d) => d.reason !== "error-only").sort(compareDropped),
        errorOnly: dropped.filter((d) => d.reason === "error-only").sort(compareDropped),
        notes,
        series: calls.length,
        idle: calls.filter((c) => c.count === 0).length,
    };
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

function compareDropped(a: DroppedTraffic, b: DroppedTraffic): number {
    return compare(`${a.reason}|${a.from}|${a.to}|${String(a.port ?? 0).padStart(5, "0")}`, `${b.reason}|${b.from}|${b.to}|${String(b.port ?? 0).padStart(5, "0")}`);
}

function relationshipSortKey(r: MeshRelationship): string {
    const from = r.from.service ?? (r.from.ingressGateway ? "" : "~");
    return `${r.to}|${from}|${String(r.ports?.[0] ?? 0).padStart(5, "0")}`;
}

function keepEdges(edges: readonly ObservedEdge[], dropped: DroppedTraffic[], keep: (e: ObservedEdge) => boolean, reason: DropReason, detail: (e: ObservedEdge) => string): ObservedEdge[] {
    return edges.filter((e) => {
        if (keep(e)) return true;
        dropped.push({ reason, from: workloadName(e.from), to: workloadName(e.to), port: e.port, protocol: e.protocol, count: e.count, detail: detail(e) });
        return false;
    });
}

/** The trust domain of most observed identities (ties: alphabetical); cluster.local without traffic. */
function majorityTrustDomain(edges: readonly ObservedEdge[]): string {
    const counts = new Map<string, number>();
    for (const e of edges) for (const td of [e.from.trustDomain, e.to.trustDomain]) counts.set(td, (counts.get(td) ?? 0) + 1);
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || compare(a[0], b[0]));
    return ranked[0]?.[0] ?? DEFAULT_TRUST_DOMAIN;
}

/** A workload port seen both as TCP and as HTTP cannot be declared either way: drop its traffic. */
function dropProtocolConflicts(edges: readonly ObservedEdge[], dropped: DroppedTraffic[]): ObservedEdge[] {
    const classes = new Map<string, Set<string>>();
    for (const e of edges) {
        const key = `${identityKey(e.to)}:${e.port}`;
        classes.set(key, (classes.get(key) ?? new Set()).add(protocolClass(e.protocol)));
    }
    return keepEdges(edges, dropped, (e) => (classes.get(`${identityKey(e.to)}:${e.port}`)?.size ?? 0) < 2, "protocol-conflict",
        (e) => `workload port ${e.port} of ${identityKey(e.to)} was seen carrying both TCP connections and HTTP requests: its protocol cannot be declared. Fix: name the Service port (http-*, tcp-*) and discover again`);
}

/** The MeshPolicy protocol of an observed port: grpc when only gRPC was seen, tcp, else http. */
function portProtocol(protocols: ReadonlySet<string>): MeshPortProtocol {
    if (protocols.has("tcp")) return "tcp";
    return protocols.size === 1 && protocols.has("grpc") ? "grpc" : "http";
}

/**
 * The services relationships refer to: existing ones (matched by namespace and service account),
 * plus one new service per callee identity. Ids come from the Kubernetes Service name Istio
 * reported, else the workload's name, else the service account, the first not already taken.
 */
function planServices(edges: readonly ObservedEdge[], existing: MeshPolicyConfig | undefined, gateway: { namespace: string; serviceAccount: string }, dropped: DroppedTraffic[], notes: string[]): Map<string, PlannedService> {
    const plan = new Map<string, PlannedService>();
    const taken = new Set<string>();
    for (const service of existing?.services ?? []) {
        plan.set(identityKey(service), { service, workloads: [], isNew: false });
        taken.add(service.id);
    }
    const callees = new Map<string, ObservedEdge[]>();
    for (const e of edges) {
        const key = identityKey(e.to);
        if (plan.has(key)) continue;
        callees.set(key, [...(callees.get(key) ?? []), e]);
    }
    let namedPortsNote = false;
    for (const key of [...callees.keys()].sort()) {
        const calls = callees.get(key) as ObservedEdge[];
        const { namespace, serviceAccount } = calls[0].to;
        const workloads = [...new Set(calls.map((e) => e.to.workload))].sort();
        const dropAll = (reason: DropReason, detail: string) => {
            for (const e of calls) dropped.push({ reason, from: workloadName(e.from), to: workloadName(e.to), port: e.port, protocol: e.protocol, count: e.count, detail });
        };
        if (key === identityKey(gateway)) {
            dropAll("invalid-name", `the callee is the ingress gateway (${key}): a MeshPolicy does not declare the gateway as a service`);
            continue;
        }
        if (!dnsLabel.safeParse(namespace).success || !serviceAccountName.safeParse(serviceAccount).success || namespace === (existing?.rootNamespace ?? DEFAULT_ROOT_NAMESPACE)) {
            dropAll("invalid-name", `namespace ${JSON.stringify(namespace)} or service account ${JSON.stringify(serviceAccount)} cannot be declared in a MeshPolicy (a DNS label outside Istio's root namespace, a DNS subdomain)`);
            continue;
        }
        const names = [...new Set(calls.flatMap((e) => (e.to.serviceName === undefined ? [] : [e.to.serviceName])))];
        const candidates = [...(names.length === 1 ? names : []), ...(workloads.length === 1 ? workloads : []), serviceAccount, `${serviceAccount}-${namespace}`]
            .filter((c) => dnsLabel.safeParse(c).success);
        const id = candidates.find((c) => !taken.has(c));
        if (id === undefined) {
            dropAll("invalid-name", `no usable service id for ${key} (Service name, workload name and service account are taken or not DNS labels)`);
            continue;
        }
        taken.add(id);
        const byPort = new Map<number, Set<string>>();
        for (const e of calls) byPort.set(e.port, (byPort.get(e.port) ?? new Set()).add(e.protocol));
        const ports = [...byPort.keys()].sort((a, b) => a - b).map((port) => ({ port, protocol: portProtocol(byPort.get(port) as Set<string>) }));
        plan.set(key, { service: { id, namespace, serviceAccount, selector: { app: id }, ports }, workloads, isNew: true });
        notes.push(`service ${id} (${namespace}): selector {app: ${id}} is assumed: Istio metrics name workloads (${workloads.join(", ")}), not pod labels. Check that it selects exactly their pods`);
        namedPortsNote = true;
    }
    if (namedPortsNote) {
        notes.push("ports are the workload ports Istio observed (destination_port), which AuthorizationPolicies match; where a Kubernetes Service exposes another port, set port to the Service port and targetPort to the observed one");
    }
    return plan;
}

/** Existing relationships that allow this caller on this port of the callee (restricted: only some requests). */
function coveringRelationships(existing: MeshPolicyConfig, wanted: MeshRelationship, callerNamespace: string): { index: number; restricted: boolean }[] {
    const port = wanted.ports?.[0] as number;
    return existing.allow.flatMap((r, index) => {
        if (r.to !== wanted.to || (r.ports !== undefined && !r.ports.includes(port))) return [];
        const sameCaller =
            (wanted.from.service !== undefined && r.from.service === wanted.from.service) ||
            (wanted.from.ingressGateway === true && r.from.ingressGateway === true) ||
            (wanted.from.service !== undefined && r.from.namespace === callerNamespace);
        if (!sameCaller) return [];
        const restricted = r.methods !== undefined || r.paths !== undefined || r.hosts !== undefined || r.grpcMethods !== undefined;
        return [{ index, restricted }];
    });
}

/** The output: the existing input with services and relationships appended, or a new input. */
function outputInput(existing: MeshPolicyInput | undefined, services: MeshService[], allow: MeshRelationship[], trustDomain: string, gateway: { namespace: string; serviceAccount: string }): MeshPolicyInput {
    if (existing !== undefined) {
        return { ...existing, services: [...existing.services, ...services], allow: [...(existing.allow ?? []), ...allow] };
    }
    const isDefaultGateway = gateway.namespace === DEFAULT_INGRESS_GATEWAY.namespace && gateway.serviceAccount === DEFAULT_INGRESS_GATEWAY.serviceAccount;
    const usesGateway = allow.some((r) => r.from.ingressGateway === true);
    return {
        ...(trustDomain === DEFAULT_TRUST_DOMAIN ? {} : { trustDomain }),
        ...(usesGateway && !isDefaultGateway ? { ingressGateway: { namespace: gateway.namespace, serviceAccount: gateway.serviceAccount } } : {}),
        services,
        allow,
    };
}
