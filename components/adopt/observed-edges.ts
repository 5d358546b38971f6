import { isSuccess, ObservedCall, ObservedProtocol, parsePrincipal, UNKNOWN } from "./istio-metrics";

/**
 * From observed calls to edges between mesh identities. A call becomes an edge only when both
 * ends carried an mTLS identity, the reporting proxies agree on it, the port is known and some of
 * the traffic succeeded; everything else is kept, with its reason, for the report.
 */

/** Why observed traffic did not become a relationship. */
export type DropReason =
    | "reporters-disagree"
    | "several-identities"
    | "protocol-unknown"
    | "callee-outside-mesh"
    | "caller-outside-mesh"
    | "plaintext-caller"
    | "callee-without-identity"
    | "principal-unreadable"
    | "principal-namespace-mismatch"
    | "port-unknown"
    | "error-only"
    | "foreign-trust-domain"
    | "protocol-conflict"
    | "invalid-name"
    | "caller-not-a-service"
    | "port-not-declared"
    | "restricted-by-existing";

/** Observed traffic between two workloads on one port that is not (or not fully) allowed. */
export interface DroppedTraffic {
    readonly reason: DropReason;
    /** `namespace/workload` as reported ("unknown" parts kept). */
    readonly from: string;
    readonly to: string;
    readonly port?: number;
    readonly protocol: string;
    /** Requests or connections in the window (the callee's count when both proxies reported). */
    readonly count: number;
    /** One sentence: what was seen and what to do. */
    readonly detail: string;
}

export interface Identity {
    readonly trustDomain: string;
    readonly namespace: string;
    readonly serviceAccount: string;
    readonly workload: string;
}

/** Successful traffic between two mesh identities on one workload port. */
export interface ObservedEdge {
    readonly from: Identity;
    readonly to: Identity & { readonly serviceName?: string };
    readonly port: number;
    readonly protocol: ObservedProtocol;
    readonly count: number;
}

export interface EdgeClassification {
    readonly edges: ObservedEdge[];
    readonly dropped: DroppedTraffic[];
    /** Both reporters appear in the input (their agreement was checked). */
    readonly reportersCompared: boolean;
}

const peerName = (p: { namespace: string; workload: string }) => `${p.namespace}/${p.workload}`;
const sum = (calls: readonly ObservedCall[]) => calls.reduce((n, c) => n + c.count, 0);
const identities = (calls: readonly ObservedCall[]) => [...new Set(calls.map((c) => `${c.from.principal} → ${c.to.principal}`))].sort();

/** The calls with traffic, grouped per (caller workload, callee workload, port, protocol), in a stable order. */
export function groupCalls(calls: readonly ObservedCall[]): ObservedCall[][] {
    const groups = new Map<string, ObservedCall[]>();
    for (const call of calls) {
        if (call.count === 0) continue;
        const key = [peerName(call.from), peerName(call.to), String(call.port ?? 0).padStart(5, "0"), call.rawProtocol].join("|");
        const group = groups.get(key) ?? [];
        group.push(call);
        groups.set(key, group);
    }
    return [...groups.keys()].sort().map((key) => groups.get(key) as ObservedCall[]);
}

/** The calls the callee's proxy reported when it did (it enforces authorization), else the caller's. */
export function authoritativeView(group: readonly ObservedCall[]): readonly ObservedCall[] {
    const atDestination = group.filter((c) => c.reporter === "destination");
    return atDestination.length > 0 ? atDestination : group;
}

/** Groups calls per (caller workload, callee workload, port, protocol) and classifies each group. */
export function classifyCalls(calls: readonly ObservedCall[]): EdgeClassification {
    const reportersCompared = new Set(calls.filter((c) => c.count > 0).map((c) => c.reporter)).size === 2;
    const edges: ObservedEdge[] = [];
    const dropped: DroppedTraffic[] = [];
    for (const group of groupCalls(calls)) {
        const result = classifyGroup(group, reportersCompared);
        if ("reason" in result) dropped.push(result);
        else edges.push(result);
    }
    return { edges, dropped, reportersCompared };
}

function classifyGroup(group: readonly ObservedCall[], reportersCompared: boolean): ObservedEdge | DroppedTraffic {
    const atSource = group.filter((c) => c.reporter === "source");
    const atDestination = group.filter((c) => c.reporter === "destination");
    const seen = authoritativeView(group);
    const first = seen[0];
    const drop = (reason: DropReason, detail: string): DroppedTraffic => ({
        reason,
        from: peerName(first.from),
        to: peerName(first.to),
        port: first.port,
        protocol: first.rawProtocol,
        count: sum(seen),
        detail,
    });
    if (atSource.length > 0 && atDestination.length > 0) {
        const bySource = identities(atSource);
        const byDestination = identities(atDestination);
        if (bySource.join() !== byDestination.join()) {
            return drop("reporters-disagree", `the caller's proxy saw ${bySource.join(", ")}, the callee's proxy saw ${byDestination.join(", ")}: the identity the callee will check is not certain`);
        }
    } else if (reportersCompared) {
        if (atSource.length > 0 && parsePrincipal(first.to.principal) !== undefined) {
            return drop("reporters-disagree", `only the caller's proxy reported this traffic, although the callee presented an mTLS identity (${first.to.principal}): the callee's proxy never counted it`);
        }
        if (atDestination.length > 0 && parsePrincipal(first.from.principal) !== undefined) {
            return drop("reporters-disagree", `only the callee's proxy reported this traffic, although the caller presented an mTLS identity (${first.from.principal}): the caller's proxy never counted it`);
        }
    }
    const seenIdentities = identities(seen);
    if (seenIdentities.length > 1) {
        return drop("several-identities", `the same workloads were seen with several identities (${seenIdentities.join(", ")}): a service account changed during the window`);
    }
    if (first.protocol === undefined) {
        return drop("protocol-unknown", `request_protocol ${JSON.stringify(first.rawProtocol.slice(0, 40))} is not http, grpc or tcp`);
    }
    if (first.to.workload === UNKNOWN || first.to.namespace === UNKNOWN) {
        return drop("callee-outside-mesh", "the callee is not a mesh workload (no sidecar, or a destination outside the cluster): there is nothing to authorize at the callee");
    }
    if (first.from.principal === UNKNOWN) {
        return first.from.workload === UNKNOWN || first.from.namespace === UNKNOWN
            ? drop("caller-outside-mesh", "the caller has no sidecar (no workload name, no identity): with STRICT mTLS it will be refused. Fix: inject a sidecar into the caller, or route it through the ingress gateway")
            : drop("plaintext-caller", "the caller is known but sent plaintext (source_principal=\"unknown\"): with STRICT mTLS it will be refused. Fix: let the caller use mTLS (remove a DestinationRule with tls.mode DISABLE), then discover again");
    }
    if (first.to.principal === UNKNOWN) {
        return drop("callee-without-identity", "the callee presented no mTLS identity (destination_principal=\"unknown\"): it has no sidecar or does not accept mTLS, so its policies cannot be checked. Fix: inject a sidecar into the callee");
    }
    const from = parsePrincipal(first.from.principal);
    const to = parsePrincipal(first.to.principal);
    if (from === undefined || to === undefined) {
        const bad = from === undefined ? first.from.principal : first.to.principal;
        return drop("principal-unreadable", `principal ${JSON.stringify(bad.slice(0, 80))} is not spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`);
    }
    if (from.namespace !== first.from.namespace || to.namespace !== first.to.namespace) {
        return drop("principal-namespace-mismatch", `the principals (${first.from.principal} → ${first.to.principal}) name other namespaces than the workloads: the labels do not describe one call`);
    }
    if (first.port === undefined) {
        return drop("port-unknown", "the series carries no destination_port, so the relationship would have to cover every port of the callee. Fix: add destination_port to Istio's metrics (docs/adoption.md) and query again");
    }
    if (!seen.some(isSuccess)) {
        const codes = [...new Set(seen.map((c) => c.responseCode ?? "none"))].sort().join(", ");
        return drop("error-only", `every response was an error (response_code ${codes}): not allowed by default. Fix: if the caller needs it, add the relationship by hand`);
    }
    return {
        from: { ...from, workload: first.from.workload },
        to: { ...to, workload: first.to.workload, ...(first.serviceName === undefined || first.serviceName === UNKNOWN ? {} : { serviceName: first.serviceName }) },
        port: first.port,
        protocol: first.protocol,
        count: sum(seen),
    };
}
