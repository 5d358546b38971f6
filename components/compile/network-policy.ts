import { MANAGED_BY_LABELS } from "../constants";
import { K8sManifest } from "../manifest";
import { MeshCaller, MeshPolicyConfig, MeshService, meshServiceSelector } from "../model/mesh-policy";
import { DNS_PORT, ISTIOD_XDS_PORT } from "../model/network-policy";
import { compareStrings } from "./authz-rules";
import { outOfMeshCallerGroup } from "./out-of-mesh-network";
import { stableName } from "./naming";
import { namespaceDataplane, passesWaypoint, serviceWaypoint } from "../model/ambient";
import { GATEWAY_NAME_LABEL, WAYPOINT_HBONE_PORT } from "../istio/waypoints";

/**
 * The L3/L4 layer of the relationship graph (Kubernetes NetworkPolicy, networking.k8s.io/v1):
 * per namespace of the declared services a default-deny policy per direction, per destination
 * one ingress policy admitting exactly its callers' pods on the container ports the relationships
 * name, and (egress on) per caller one egress policy to exactly its callees' pods and ports, the
 * cluster DNS and istiod. NetworkPolicies only add allowances to isolated pods, so the union of
 * these rules is exactly the declared graph; methods and paths stay in the AuthorizationPolicies.
 */

export const NETWORK_POLICY_API_VERSION = "networking.k8s.io/v1";
/** Kubernetes sets this label on every namespace to its name (immutable since 1.22). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
export const DEFAULT_DENY_INGRESS_NAME = "default-deny-ingress";
export const DEFAULT_DENY_EGRESS_NAME = "default-deny-egress";
// Service ids are DNS labels (no '.'), so these names never equal a per-service name.
const NAMESPACE_CALLERS_EGRESS_NAME = "allow-egress-from.namespace";
const GATEWAY_EGRESS_NAME = "allow-egress-from.ingress-gateway";
const WAYPOINT_EGRESS_NAME = "allow-egress-from.waypoint";
export const WAYPOINT_INGRESS_NAME = "allow-ingress-to.waypoint";
/** HBONE: ztunnel's and waypoints' mTLS tunnel port on every ambient pod (components/istio/waypoints.ts). */
const HBONE_PORT = WAYPOINT_HBONE_PORT;

/** metadata.name of the ingress NetworkPolicy of a destination service. */
export function ingressNetworkPolicyName(service: MeshService): string {
    return stableName(["allow-ingress-to", service.id]);
}

/** metadata.name of the egress NetworkPolicy of a calling service. */
export function egressNetworkPolicyName(service: MeshService): string {
    return stableName(["allow-egress-from", service.id]);
}

interface Peer {
    namespaceSelector: { matchLabels: Record<string, string> };
    podSelector?: { matchLabels: Record<string, string> };
}

interface PortRule {
    protocol: "TCP" | "UDP";
    port: number;
}

/** A set of pods that calls: one service, every pod of a namespace, the ingress gateway, or pods outside the mesh. */
export interface CallerGroup {
    readonly key: string;
    readonly namespace: string;
    readonly podSelector: Record<string, string>;
    readonly egressName: string;
}

export function compileNetworkPolicies(config: MeshPolicyConfig, services: ReadonlyMap<string, MeshService>): K8sManifest[] {
    const settings = config.networkPolicies;
    if (!settings.ingress && !settings.egress) return [];
    const namespaces = [...new Set(config.services.map((s) => s.namespace))].sort(compareStrings);
    const manifests: K8sManifest[] = [];
    for (const namespace of namespaces) {
        if (settings.ingress) manifests.push(networkPolicy(DEFAULT_DENY_INGRESS_NAME, namespace, { podSelector: {}, policyTypes: ["Ingress"] }));
        if (settings.egress) manifests.push(networkPolicy(DEFAULT_DENY_EGRESS_NAME, namespace, { podSelector: {}, policyTypes: ["Egress"] }));
    }
    const edges = declaredEdges(config, services);
    if (settings.ingress) manifests.push(...ingressPolicies(edges));
    if (settings.egress) manifests.push(...egressPolicies(config, edges, new Set(namespaces)));
    return manifests;
}

/** Pods that are called: one service's, or a namespace's waypoint's. */
interface CalleeGroup {
    readonly key: string;
    readonly namespace: string;
    readonly podSelector: Record<string, string>;
    readonly ingressName: string;
}

/** One caller group → one callee group on some container ports. */
interface Edge {
    readonly caller: CallerGroup;
    readonly callee: CalleeGroup;
    readonly ports: readonly number[];
}

function serviceCallee(service: MeshService): CalleeGroup {
    return { key: `service/${service.id}`, namespace: service.namespace, podSelector: meshServiceSelector(service), ingressName: ingressNetworkPolicyName(service) };
}

/**
 * The declared relationships as pod-to-pod edges. Ambient adds hops and a port: ztunnel tunnels
 * mesh traffic to the destination pod's port 15008 (HBONE), checked by NetworkPolicy like any other
 * port (Istio, "Ambient and Kubernetes NetworkPolicy"; sidecar pods called by ambient pods receive
 * it there too), so an edge with an ambient end also opens 15008. A caller that passes the
 * destination's waypoint (model/ambient.ts `passesWaypoint`) reaches the waypoint's pods on 15008,
 * and the waypoint reaches the destination's pods on 15008. The direct edge stays: sidecar callers
 * use it, and pod-IP traffic of the others is denied by the ztunnel policy, not here.
 */
function declaredEdges(config: MeshPolicyConfig, services: ReadonlyMap<string, MeshService>): Edge[] {
    return config.allow.flatMap((rel) => {
        const service = services.get(rel.to) as MeshService;
        const selected = rel.ports === undefined ? service.ports : service.ports.filter((p) => rel.ports?.includes(p.port));
        const caller = callerGroup(config, rel.from, services);
        const ambient = namespaceDataplane(config, service.namespace).dataplane === "ambient" || namespaceDataplane(config, caller.namespace).dataplane === "ambient";
        const ports = selected.map((p) => p.targetPort ?? p.port);
        const edges: Edge[] = [{ caller, callee: serviceCallee(service), ports: ambient ? [...ports, HBONE_PORT] : ports }];
        const waypoint = serviceWaypoint(config, service);
        if (waypoint !== undefined && passesWaypoint(config, rel.from, service, services)) {
            const group = waypointGroup(service.namespace, waypoint);
            edges.push({ caller, callee: group, ports: [HBONE_PORT] });
            edges.push({ caller: group, callee: serviceCallee(service), ports: [HBONE_PORT] });
        }
        return edges;
    });
}

/** The labels of a waypoint's pods (see `waypointGroup`). */
export function waypointPodLabels(waypoint: string): Record<string, string> {
    return { [GATEWAY_NAME_LABEL]: waypoint };
}

/**
 * The waypoint's pods carry the Gateway's name in `gateway.networking.k8s.io/gateway-name`
 * (manifests/charts/istio-control/istio-discovery/files/waypoint.yaml, the pod template's labels),
 * and the namespace's default-deny NetworkPolicies select them like any pod of the namespace.
 */
function waypointGroup(namespace: string, waypoint: string): CallerGroup & CalleeGroup {
    return {
        key: `waypoint/${namespace}`,
        namespace,
        podSelector: waypointPodLabels(waypoint),
        egressName: WAYPOINT_EGRESS_NAME,
        ingressName: WAYPOINT_INGRESS_NAME,
    };
}

function callerGroup(config: MeshPolicyConfig, from: MeshCaller, services: ReadonlyMap<string, MeshService>): CallerGroup {
    if (from.service !== undefined) {
        const service = services.get(from.service) as MeshService;
        return { key: `service/${service.id}`, namespace: service.namespace, podSelector: meshServiceSelector(service), egressName: egressNetworkPolicyName(service) };
    }
    if (from.outOfMesh !== undefined) return outOfMeshCallerGroup(from.outOfMesh);
    if (from.namespace !== undefined) {
        return { key: `namespace/${from.namespace}`, namespace: from.namespace, podSelector: {}, egressName: NAMESPACE_CALLERS_EGRESS_NAME };
    }
    // The ingress gateway, and JWT end users, who arrive through it.
    const gateway = config.ingressGateway;
    return { key: "ingress-gateway", namespace: gateway.namespace, podSelector: gateway.selector, egressName: GATEWAY_EGRESS_NAME };
}

function peerOf(namespace: string, podSelector: Record<string, string>): Peer {
    const peer: Peer = { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } } };
    if (Object.keys(podSelector).length > 0) peer.podSelector = { matchLabels: { ...podSelector } };
    return peer;
}

function ingressPolicies(edges: readonly Edge[]): K8sManifest[] {
    const byCallee = new Map<string, { group: CalleeGroup; callers: Map<string, { peer: Peer; ports: Set<number> }> }>();
    for (const edge of edges) {
        const { callers } = byCallee.get(edge.callee.key) ?? { group: edge.callee, callers: new Map<string, { peer: Peer; ports: Set<number> }>() };
        const entry = callers.get(edge.caller.key) ?? { peer: peerOf(edge.caller.namespace, edge.caller.podSelector), ports: new Set<number>() };
        edge.ports.forEach((p) => entry.ports.add(p));
        callers.set(edge.caller.key, entry);
        byCallee.set(edge.callee.key, { group: edge.callee, callers });
    }
    return [...byCallee.values()].map(({ group, callers }) => {
        const rules = groupByPorts([...callers.entries()].map(([key, e]) => ({ key, peer: e.peer, ports: tcp(e.ports) })));
        return networkPolicy(group.ingressName, group.namespace, {
            podSelector: { matchLabels: { ...group.podSelector } },
            policyTypes: ["Ingress"],
            ingress: rules.map((r) => ({ from: r.peers, ports: r.ports })),
        });
    });
}

function egressPolicies(config: MeshPolicyConfig, edges: readonly Edge[], managed: ReadonlySet<string>): K8sManifest[] {
    const groups = new Map<string, { group: CallerGroup; callees: Map<string, { peer: Peer; ports: Set<number> }> }>();
    // Every declared service gets an egress policy (it needs DNS and istiod even if it calls nothing).
    for (const service of config.services) {
        const group: CallerGroup = { key: `service/${service.id}`, namespace: service.namespace, podSelector: meshServiceSelector(service), egressName: egressNetworkPolicyName(service) };
        groups.set(group.key, { group, callees: new Map() });
    }
    for (const edge of edges) {
        // Only namespaces meshguard isolates need egress allowances.
        if (!managed.has(edge.caller.namespace)) continue;
        const entry = groups.get(edge.caller.key) ?? { group: edge.caller, callees: new Map() };
        const callee = entry.callees.get(edge.callee.key) ?? { peer: peerOf(edge.callee.namespace, edge.callee.podSelector), ports: new Set<number>() };
        edge.ports.forEach((p) => callee.ports.add(p));
        entry.callees.set(edge.callee.key, callee);
        groups.set(edge.caller.key, entry);
    }
    const settings = config.networkPolicies;
    const dns = { to: [peerOf(settings.dns.namespace, settings.dns.selector)], ports: [{ protocol: "UDP", port: DNS_PORT }, { protocol: "TCP", port: DNS_PORT }] };
    const istiod = { to: [peerOf(settings.istiod.namespace ?? config.rootNamespace, settings.istiod.selector)], ports: [{ protocol: "TCP", port: ISTIOD_XDS_PORT }] };
    return [...groups.values()].map(({ group, callees }) => {
        const rules = groupByPorts([...callees.entries()].map(([key, e]) => ({ key, peer: e.peer, ports: tcp(e.ports) })));
        return networkPolicy(group.egressName, group.namespace, {
            podSelector: Object.keys(group.podSelector).length === 0 ? {} : { matchLabels: { ...group.podSelector } },
            policyTypes: ["Egress"],
            egress: [...rules.map((r) => ({ to: r.peers, ports: r.ports })), dns, istiod],
        });
    });
}

function tcp(ports: ReadonlySet<number>): PortRule[] {
    return [...ports].sort((a, b) => a - b).map((port) => ({ protocol: "TCP", port }));
}

/** Peers allowed on the same ports share one rule (peers sorted by key, rules by first key). */
function groupByPorts(entries: readonly { key: string; peer: Peer; ports: PortRule[] }[]): { peers: Peer[]; ports: PortRule[] }[] {
    const byPorts = new Map<string, { keys: string[]; peers: Peer[]; ports: PortRule[] }>();
    for (const e of [...entries].sort((a, b) => compareStrings(a.key, b.key))) {
        const portKey = e.ports.map((p) => p.port).join(",");
        const rule = byPorts.get(portKey) ?? { keys: [], peers: [], ports: e.ports };
        rule.keys.push(e.key);
        rule.peers.push(e.peer);
        byPorts.set(portKey, rule);
    }
    return [...byPorts.values()].map(({ peers, ports }) => ({ peers, ports }));
}

function networkPolicy(name: string, namespace: string, spec: Record<string, unknown>): K8sManifest {
    return {
        apiVersion: NETWORK_POLICY_API_VERSION,
        kind: "NetworkPolicy",
        metadata: { name, namespace, labels: { ...MANAGED_BY_LABELS } },
        spec,
    };
}
