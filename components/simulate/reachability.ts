import { AuthzAttributes, isPathTemplate, ruleResult } from "../istio";
import { authorize, policyRef } from "./authorize";
import { DestinationPolicies } from "./destination";
import { AuthorizationSimulator, connection, podEndpoint, requestAttributes, ResolvedSource } from "./evaluator";
import { NetworkEndpoint } from "./network-policy";
import { PolicyRef, SimProtocol, SimWorkload, Verdict } from "./types";

/** One request tried for every (caller, callee) pair. */
export interface ReachabilityProbe {
    readonly port: number;
    readonly protocol: SimProtocol;
    /** HTTP only. */
    readonly method?: string;
    /** HTTP only. */
    readonly path?: string;
}

export interface ReachabilityOptions {
    /** HTTP methods tried on every HTTP port; default GET, POST, PUT, DELETE. */
    readonly methods?: readonly string[];
    /** Also probe a plaintext caller from outside the mesh (reported as `EXTERNAL_CALLER`); default true. */
    readonly includeExternal?: boolean;
    /** Restrict callers / callees (`namespace/name`); default every workload. */
    readonly callers?: readonly string[];
    readonly callees?: readonly string[];
    /** Replace the default probes of a callee (see defaultProbes). */
    readonly probes?: (callee: SimWorkload) => readonly ReachabilityProbe[];
}

export interface ProbeOutcome extends ReachabilityProbe {
    readonly verdict: Verdict;
    /** The policy that allowed it (or, for unknown, the one that could not be decided). */
    readonly policy?: PolicyRef;
}

/** What one caller may do on one callee. Only pairs with something allowed or undecided are listed. */
export interface PairReachability {
    readonly from: string;
    readonly to: string;
    readonly allowed: readonly ProbeOutcome[];
    readonly unknown: readonly ProbeOutcome[];
    /** Probes denied. */
    readonly denied: number;
    /** Of those, the probes the Kubernetes NetworkPolicy layer denied (present when NetworkPolicies were given). */
    readonly deniedByNetworkPolicy?: number;
}

export interface ReachabilityReport {
    readonly callers: readonly string[];
    readonly callees: readonly string[];
    /** Probes evaluated in total (pairs × probes per callee). */
    readonly probes: number;
    readonly pairs: readonly PairReachability[];
}

/** The caller name used for the plaintext, identity-less caller from outside the mesh. */
export const EXTERNAL_CALLER = "(external plaintext)";

const DEFAULT_METHODS = ["GET", "POST", "PUT", "DELETE"];
const PROBE_SEGMENT = "meshguard-probe";

/** A concrete path matched by an Istio path pattern (prefix, suffix, presence, template or exact). */
export function samplePath(pattern: string): string {
    if (pattern === "*") return `/${PROBE_SEGMENT}`;
    if (isPathTemplate(pattern)) return pattern.replace(/\{\*\*\}/g, `${PROBE_SEGMENT}/x`).replace(/\{\*\}/g, PROBE_SEGMENT);
    if (pattern.startsWith("*")) return `/${PROBE_SEGMENT}${pattern.slice(1)}`;
    if (pattern.endsWith("*")) return `${pattern.slice(0, -1)}${PROBE_SEGMENT}`;
    return pattern;
}

/**
 * Default probes of a callee: for each declared port (80/http when none), one TCP probe, or for
 * HTTP each method × (a sample of each declared path pattern, plus an undeclared path).
 */
export function defaultProbes(callee: SimWorkload, methods: readonly string[] = DEFAULT_METHODS): ReachabilityProbe[] {
    const ports = callee.ports !== undefined && callee.ports.length > 0 ? callee.ports : [{ port: 80, protocol: "http" as const }];
    const paths = [...new Set([...(callee.paths ?? []).map(samplePath), `/${PROBE_SEGMENT}-undeclared`])];
    return ports.flatMap((p): ReachabilityProbe[] =>
        p.protocol === "tcp"
            ? [{ port: p.port, protocol: "tcp" }]
            : methods.flatMap((method) => paths.map((path): ReachabilityProbe => ({ port: p.port, protocol: "http", method, path }))),
    );
}

/**
 * Every (caller, callee) pair and which probes the mesh's policies allow. Per pair, the caller
 * constraints of the callee's ALLOW rules are checked once: when none can admit the caller, every
 * probe is denied without evaluating it, so the cost is about pairs × rules per callee. Other
 * pairs evaluate each probe with the simulator's own connection and authorization stages.
 */
export function reachability(sim: AuthorizationSimulator, options: ReachabilityOptions = {}): ReachabilityReport {
    const all = sim.workloads;
    const pick = (keys: readonly string[] | undefined) => (keys === undefined ? all : keys.map((k) => sim.workload(k)));
    const callers: { name: string; source: ResolvedSource; endpoint: NetworkEndpoint }[] = pick(options.callers).map((w) => ({
        name: `${w.namespace}/${w.name}`,
        source: sim.resolveSource({ workload: `${w.namespace}/${w.name}` }),
        endpoint: podEndpoint(w),
    }));
    if (options.includeExternal ?? true) callers.push({ name: EXTERNAL_CALLER, source: sim.resolveSource({ plaintext: true }), endpoint: { label: EXTERNAL_CALLER } });
    // NetworkPolicies (L3/L4) are decided first, per caller pod and port; Istio only sees what they let through.
    const network = sim.network.count > 0;
    const resolved = callers.map((c) => ({ ...c, states: callerStates(c.source) }));
    const callees = pick(options.callees);
    const pairs: PairReachability[] = [];
    let probes = 0;
    for (const callee of callees) {
        const to = `${callee.namespace}/${callee.name}`;
        const calleeProbes = options.probes?.(callee) ?? defaultProbes(callee, options.methods);
        const policies = sim.policiesFor(callee);
        // Ambient callees are decided by their waypoint and ztunnel (AuthorizationSimulator.ambientVerdict), probe by probe.
        const ambient = callee.inMesh !== false && sim.dataplaneOf(callee) === "ambient";
        const gate = !ambient && callee.inMesh !== false && policies.allow.length > 0;
        // Outcomes are immutable: identical ones are shared between callers (an open mesh repeats them a lot).
        const shared = new Map<string, ProbeOutcome>();
        const outcome = (i: number, verdict: Verdict, policy?: PolicyRef): ProbeOutcome => {
            const key = `${i}|${verdict}|${policy === undefined ? "" : `${policy.namespace}/${policy.name}#${policy.rule}`}`;
            let found = shared.get(key);
            if (found === undefined) {
                found = { ...calleeProbes[i], verdict, policy };
                shared.set(key, found);
            }
            return found;
        };
        // Without CUSTOM/DENY/ALLOW policies only the connection (mTLS) can refuse a probe, and it
        // depends on nothing but whether the caller has a sidecar: evaluate once per kind of caller.
        const open = !ambient && (callee.inMesh === false || policies.custom.length + policies.deny.length + policies.allow.length === 0);
        const openResults = new Map<boolean, { allowed: ProbeOutcome[]; unknown: ProbeOutcome[] }>();
        for (const caller of resolved) {
            probes += calleeProbes.length;
            if (gate && !anyAllowRuleAdmits(policies.allow, caller.states)) continue;
            // An ambient callee: skip the pair when some enforcement point on the way has ALLOW policies none of which can admit the identity it sees.
            if (ambient && sim.ambientStages(callee, caller.source).some((st) => st.allow.length > 0 && !anyAllowRuleAdmits(st.allow, [{ protocol: "http", port: 0, sourceIp: st.ip, peer: st.peer }]))) continue;
            let results = open && !network ? openResults.get(caller.source.inMesh) : undefined;
            let networkDenied = 0;
            if (results === undefined) {
                results = { allowed: [], unknown: [] };
                const networkByPort = new Map<number, Verdict>();
                for (let i = 0; i < calleeProbes.length; i++) {
                    const port = calleeProbes[i].port;
                    if (network) {
                        let l4 = networkByPort.get(port);
                        if (l4 === undefined) {
                            l4 = sim.networkVerdict(caller.endpoint, caller.source, callee, port).verdict;
                            networkByPort.set(port, l4);
                        }
                        if (l4 === "denied") {
                            networkDenied++;
                            continue;
                        }
                    }
                    const probe = calleeProbes[i];
                    const { verdict, policy } = ambient ? sim.ambientVerdict(callee, caller.source, probe) : probeVerdict(callee, policies, caller.source, probe);
                    if (verdict !== "denied") results[verdict].push(outcome(i, verdict, policy));
                }
                if (open && !network) openResults.set(caller.source.inMesh, results);
            }
            const { allowed, unknown } = results;
            if (allowed.length > 0 || unknown.length > 0) {
                const denied = calleeProbes.length - allowed.length - unknown.length;
                pairs.push(network ? { from: caller.name, to, allowed, unknown, denied, deniedByNetworkPolicy: networkDenied } : { from: caller.name, to, allowed, unknown, denied });
            }
        }
    }
    return { callers: callers.map((c) => c.name), callees: callees.map((w) => `${w.namespace}/${w.name}`), probes, pairs };
}

/** The decision for a probe (no JWT), through the same stages as AuthorizationSimulator.decide. */
function probeVerdict(callee: SimWorkload, policies: DestinationPolicies, source: ResolvedSource, probe: ReachabilityProbe): { verdict: Verdict; policy?: PolicyRef } {
    if (callee.inMesh === false) return { verdict: "allowed" };
    const conn = connection(policies, source, probe.port);
    if (conn.refused) return { verdict: "denied" };
    const o = authorize(policies, requestAttributes(callee, source, conn.peer, undefined, probe.port, probe.protocol, probe));
    return { verdict: o.verdict, policy: o.policy && policyRef(o.policy, o.rule) };
}

/** What a destination can see of a caller, with and (for mesh callers) without mTLS. */
function callerStates(source: ResolvedSource): AuthzAttributes[] {
    const states: AuthzAttributes[] = [{ protocol: "http", port: 0, sourceIp: source.ip }];
    if (source.inMesh && source.identity !== undefined) states.push({ protocol: "http", port: 0, sourceIp: source.ip, peer: source.identity });
    return states;
}

/** Whether some ALLOW rule's caller constraints can admit this caller in one of its states. */
function anyAllowRuleAdmits(allow: DestinationPolicies["allow"], states: readonly AuthzAttributes[]): boolean {
    for (const p of allow) {
        for (const rule of p.spec.rules) {
            for (const attrs of states) if (ruleResult(rule, attrs, "caller") !== "no-match") return true;
        }
    }
    return false;
}

/** A plain-text rendering: one line per pair with what is allowed. */
export function formatReachability(report: ReachabilityReport): string {
    const lines = [`${report.callers.length} callers × ${report.callees.length} callees, ${report.probes} probes; ${report.pairs.length} pairs with allowed traffic:`];
    for (const pair of report.pairs) {
        const show = (o: ProbeOutcome) => (o.protocol === "tcp" ? `tcp/${o.port}` : `${o.method} ${o.path} :${o.port}`);
        const allowed = pair.allowed.map(show).join(", ");
        const unknown = pair.unknown.length > 0 ? `; undecided: ${pair.unknown.map(show).join(", ")}` : "";
        const byNetwork = pair.deniedByNetworkPolicy === undefined ? "" : `, ${pair.deniedByNetworkPolicy} by NetworkPolicy`;
        lines.push(`  ${pair.from} → ${pair.to}: ${allowed === "" ? "nothing allowed" : allowed}${unknown} (${pair.denied} denied${byNetwork})`);
    }
    return lines.join("\n");
}
