import { PolicyInventory, IndexedAuthorizationPolicy, IndexedPeerAuthentication, IndexedRequestAuthentication } from "./inventory";
import { MtlsMode, PolicyRef, SimWorkload } from "./types";

/** Everything that applies to one destination workload, computed once per workload. */
export interface DestinationPolicies {
    readonly custom: readonly IndexedAuthorizationPolicy[];
    readonly deny: readonly IndexedAuthorizationPolicy[];
    readonly allow: readonly IndexedAuthorizationPolicy[];
    readonly audit: readonly IndexedAuthorizationPolicy[];
    readonly dryRun: readonly IndexedAuthorizationPolicy[];
    readonly requestAuthentications: readonly IndexedRequestAuthentication[];
    readonly peer: PeerAuthenticationScopes;
    readonly warnings: readonly string[];
    /** targetRef policies of the namespace a sidecar ignores (for a sidecar destination: warnings too). */
    readonly targetedWarnings?: readonly string[];
}

/** The PeerAuthentications that apply, one per scope (Istio honours the oldest; we take the first listed). */
export interface PeerAuthenticationScopes {
    readonly workload?: IndexedPeerAuthentication;
    readonly namespace?: IndexedPeerAuthentication;
    readonly mesh?: IndexedPeerAuthentication;
}

export function workloadLabels(w: SimWorkload): Readonly<Record<string, string>> {
    return w.labels ?? {};
}

/**
 * Policies from the workload's namespace and the root namespace whose selector matches the
 * workload (root-namespace policies apply mesh-wide; istiod's getConfigsForWorkload).
 */
export function destinationPolicies(inventory: PolicyInventory, w: SimWorkload, rootNamespace: string): DestinationPolicies {
    const labels = workloadLabels(w);
    const namespaces = w.namespace === rootNamespace ? [w.namespace] : [w.namespace, rootNamespace];
    const pick = <T>(map: Map<string, { select(l: Readonly<Record<string, string>>): T[] }>) =>
        namespaces.flatMap((ns) => map.get(ns)?.select(labels) ?? []);
    const authz = pick(inventory.authorization);
    const { warnings, ...byAction } = splitByAction(authz);
    const targetedWarnings: string[] = [];
    for (const t of inventory.targeted) {
        if (namespaces.includes(t.namespace)) {
            targetedWarnings.push(`AuthorizationPolicy "${t.namespace}/${t.name}" uses targetRef(s): it applies at gateways and waypoints, never at a sidecar, so it does not decide this request`);
        }
    }
    return {
        ...byAction,
        requestAuthentications: pick(inventory.request),
        peer: peerScopes(pick(inventory.peer), w, rootNamespace, warnings),
        warnings,
        targetedWarnings,
    };
}

/** The AuthorizationPolicies that apply at one enforcement point, by action (dry-run ones apart), and their pruned fields. */
export function splitByAction(authz: readonly IndexedAuthorizationPolicy[]): Pick<DestinationPolicies, "custom" | "deny" | "allow" | "audit" | "dryRun"> & { warnings: string[] } {
    const enforced = authz.filter((p) => !p.dryRun);
    const warnings: string[] = [];
    for (const p of authz) {
        for (const field of p.spec.pruned) warnings.push(`AuthorizationPolicy "${p.namespace}/${p.name}": unknown field ${field} is pruned by the API server`);
    }
    return {
        custom: enforced.filter((p) => p.spec.action === "CUSTOM"),
        deny: enforced.filter((p) => p.spec.action === "DENY"),
        allow: enforced.filter((p) => p.spec.action === "ALLOW"),
        audit: enforced.filter((p) => p.spec.action === "AUDIT"),
        dryRun: authz.filter((p) => p.dryRun),
        warnings,
    };
}

/**
 * Istio's ComposePeerAuthentication: a policy with a selector outside the root namespace is
 * workload-level; without a selector it is namespace-level, or mesh-level in the root namespace.
 * A selector policy in the root namespace is ignored.
 */
function peerScopes(all: readonly IndexedPeerAuthentication[], w: SimWorkload, root: string, warnings: string[]): PeerAuthenticationScopes {
    const scopes: { workload?: IndexedPeerAuthentication; namespace?: IndexedPeerAuthentication; mesh?: IndexedPeerAuthentication } = {};
    for (const pa of all) {
        const selects = pa.matchLabels !== undefined && Object.keys(pa.matchLabels).length > 0;
        const scope = selects ? (pa.namespace === root ? undefined : "workload") : pa.namespace === root ? "mesh" : "namespace";
        if (scope === undefined) {
            warnings.push(`PeerAuthentication "${pa.namespace}/${pa.name}" has a selector in the root namespace; Istio ignores it`);
            continue;
        }
        const existing = scopes[scope];
        if (existing === undefined) {
            scopes[scope] = pa;
        } else {
            warnings.push(
                `PeerAuthentication "${pa.namespace}/${pa.name}" is ignored for ${w.namespace}/${w.name}: only one ${scope}-level policy is honoured (the oldest; the simulator takes "${existing.namespace}/${existing.name}", listed first)`,
            );
        }
    }
    return scopes;
}

export interface ResolvedMtls {
    readonly mode: MtlsMode;
    readonly from?: PolicyRef;
    readonly portLevel: boolean;
}

const mtlsCache = new WeakMap<PeerAuthenticationScopes, Map<number, ResolvedMtls>>();

/** The mTLS mode for one port: workload (port-level, then workload-wide) > namespace > mesh > PERMISSIVE. */
export function resolveMtls(peer: PeerAuthenticationScopes, port: number): ResolvedMtls {
    let byPort = mtlsCache.get(peer);
    if (byPort === undefined) {
        byPort = new Map();
        mtlsCache.set(peer, byPort);
    }
    let found = byPort.get(port);
    if (found === undefined) {
        found = computeMtls(peer, port);
        byPort.set(port, found);
    }
    return found;
}

function computeMtls(peer: PeerAuthenticationScopes, port: number): ResolvedMtls {
    const ref = (pa: IndexedPeerAuthentication): PolicyRef => ({ kind: "PeerAuthentication", namespace: pa.namespace, name: pa.name });
    const portMode = peer.workload?.portLevel.get(port);
    if (peer.workload !== undefined && portMode !== undefined) return { mode: portMode, from: ref(peer.workload), portLevel: true };
    for (const pa of [peer.workload, peer.namespace, peer.mesh]) {
        if (pa?.mode !== undefined) return { mode: pa.mode, from: ref(pa), portLevel: false };
    }
    return { mode: "PERMISSIVE", portLevel: false };
}
