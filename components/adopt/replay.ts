import { AuthorizationSimulator, defaultProbes, RequestSource, shadowVerdict, SimRequest, SimWorkload } from "../simulate";
import { isSuccess, observedCalls, parsePrincipal, UNKNOWN } from "./istio-metrics";
import { authoritativeView, groupCalls } from "./observed-edges";
import { PrometheusSample } from "./prometheus";

/**
 * Replays observed traffic through the simulator over declared policies: the gate before a
 * destination goes from dry-run to enforced. Metrics carry no HTTP method or path, so an HTTP call
 * is tried with the methods and path patterns the policies name (and a path none names): a call
 * allowed for some of those requests only may still break, and is reported as such (fail closed).
 */

export interface ReplayOptions {
    readonly rootNamespace?: string;
    readonly trustDomain?: string;
}

export interface ReplayedCall {
    readonly from: string;
    readonly to: string;
    readonly port?: number;
    readonly protocol: string;
    readonly count: number;
    /** How the call was replayed (identity or plaintext). */
    readonly as: string;
    /** Why it would break (or could not be checked): the simulator's reason, with the policy. */
    readonly explanation: string;
}

export interface Replay {
    /** Every request tried is denied (or undecided): the call would break. */
    readonly wouldBreak: readonly ReplayedCall[];
    /** Some of the requests tried are denied: the call breaks if it makes those. */
    readonly partly: readonly ReplayedCall[];
    /**
     * Allowed today only because the callee's policies run in dry-run (MeshPolicy dryRunServices):
     * the dry-run policies' own decision (the shadow engines) denies some request tried.
     */
    readonly breakWhenEnforced: readonly ReplayedCall[];
    /** Calls that could not be replayed (no port, callee outside the mesh). */
    readonly unchecked: readonly ReplayedCall[];
    /** Calls replayed and allowed for every request tried. */
    readonly allowed: number;
    /** Callee workloads not among the objects, assumed from the metrics. */
    readonly assumed: readonly string[];
}

const peerName = (p: { namespace: string; workload: string }) => `${p.namespace}/${p.workload}`;

/** Replays every observed call that succeeded at least once (calls that only failed are already broken). */
export function replayObservedTraffic(samples: readonly PrometheusSample[], manifests: readonly unknown[], options: ReplayOptions = {}): Replay {
    const groups = groupCalls(observedCalls(samples)).map(authoritativeView).filter((g) => g.some(isSuccess));
    const base = new AuthorizationSimulator({ manifests, rootNamespace: options.rootNamespace, trustDomain: options.trustDomain });
    const known = new Set(base.workloads.map((w) => `${w.namespace}/${w.name}`));
    const assumed = new Map<string, SimWorkload>();
    for (const g of groups) {
        const to = g[0].to;
        const key = peerName(to);
        if (known.has(key) || assumed.has(key) || to.workload === UNKNOWN || g[0].port === undefined) continue;
        const identity = parsePrincipal(to.principal);
        const ports = [...new Set(groups.filter((x) => peerName(x[0].to) === key && x[0].port !== undefined).map((x) => `${x[0].port}|${x[0].protocol === "tcp" ? "tcp" : "http"}`))];
        assumed.set(key, {
            namespace: to.namespace,
            name: to.workload,
            serviceAccount: identity?.serviceAccount ?? "default",
            labels: { app: g[0].serviceName !== undefined && g[0].serviceName !== UNKNOWN ? g[0].serviceName : to.workload },
            ports: ports.map((p) => ({ port: Number(p.split("|")[0]), protocol: p.split("|")[1] as "http" | "tcp" })),
            inMesh: identity !== undefined,
        });
    }
    const sim = assumed.size === 0 ? base : new AuthorizationSimulator({ manifests, workloads: [...assumed.values()], rootNamespace: base.rootNamespace, trustDomain: base.trustDomain });

    const wouldBreak: ReplayedCall[] = [];
    const partly: ReplayedCall[] = [];
    const unchecked: ReplayedCall[] = [];
    const breakWhenEnforced: ReplayedCall[] = [];
    let allowed = 0;
    for (const g of groups) {
        const c = g[0];
        const count = g.reduce((n, x) => n + x.count, 0);
        const identity = parsePrincipal(c.from.principal);
        const from: RequestSource = identity === undefined ? { plaintext: true } : { serviceAccount: `${identity.namespace}/${identity.serviceAccount}` };
        const as = identity === undefined ? "plaintext, no identity" : `identity ${c.from.principal}`;
        const entry = (explanation: string): ReplayedCall => ({ from: peerName(c.from), to: peerName(c.to), port: c.port, protocol: c.rawProtocol, count, as, explanation });
        if (c.to.workload === UNKNOWN || c.to.namespace === UNKNOWN) {
            unchecked.push(entry("the callee is not a mesh workload: no policy of the mesh applies to it"));
            continue;
        }
        if (c.port === undefined) {
            unchecked.push(entry("no destination_port: the port cannot be replayed (add it to Istio's metrics, docs/adoption.md)"));
            continue;
        }
        const to = peerName(c.to);
        const tcp = c.protocol === "tcp";
        const probes = defaultProbes({ ...sim.workload(to), ports: [{ port: c.port, protocol: tcp ? "tcp" : "http" }], paths: policyPaths(manifests) });
        const requests: SimRequest[] = probes.map((p) => ({ from, to, port: p.port, protocol: p.protocol, method: p.method, path: p.path }));
        const decisions = requests.map((r) => ({ r, d: sim.verdict(r) }));
        const what = (r: SimRequest) => (tcp ? "the connection" : `${r.method} ${r.path}`);
        const refused = decisions.filter((x) => x.d.verdict !== "allowed");
        if (refused.length === 0) {
            const shadowRefused = shadowRefusal(sim, requests, what);
            if (shadowRefused === undefined) allowed++;
            else breakWhenEnforced.push(entry(shadowRefused));
            continue;
        }
        const first = sim.decide(refused[0].r);
        const policy = first.policy === undefined ? "" : ` (${first.policy.kind} ${first.policy.namespace}/${first.policy.name}${first.policy.rule === undefined ? "" : ` rule ${first.policy.rule}`})`;
        const explanation = `${what(refused[0].r)} ${first.verdict === "unknown" ? "cannot be decided offline" : "is denied"}: ${first.reason.replace(/\.$/, "")}${policy}`;
        if (refused.length === decisions.length) {
            wouldBreak.push(entry(explanation));
        } else {
            const allowedReqs = decisions.filter((x) => x.d.verdict === "allowed").map((x) => what(x.r));
            partly.push(entry(`allowed only for ${allowedReqs.slice(0, 4).join(", ")}${allowedReqs.length > 4 ? ", ..." : ""}; ${explanation}. Metrics do not record methods and paths: check the restriction covers the real requests`));
        }
    }
    return { wouldBreak, partly, breakWhenEnforced, unchecked, allowed, assumed: [...assumed.keys()].sort() };
}

/**
 * Why a call allowed today breaks once its callee's dry-run policies are enforced: the first
 * request tried that they deny (or cannot decide), or undefined when they allow all (or none applies).
 */
function shadowRefusal(sim: AuthorizationSimulator, requests: readonly SimRequest[], what: (r: SimRequest) => string): string | undefined {
    for (const r of requests) {
        const d = sim.decide(r);
        if (d.dryRun.length === 0) return undefined;
        const shadow = shadowVerdict(d);
        if (shadow === "denied" || shadow === "unknown") {
            const names = d.dryRun.map((o) => `${o.policy.namespace}/${o.policy.name}`).join(", ");
            return `${what(r)} is allowed now only because the callee's policies run in dry-run (${names}); enforced, they ${shadow === "denied" ? "deny it" : "might deny it (undecidable offline)"}`;
        }
    }
    return undefined;
}

/** Path patterns named by ALLOW/DENY operations, for HTTP replay probes. */
function policyPaths(manifests: readonly unknown[]): string[] {
    const paths = new Set<string>();
    for (const m of manifests) {
        const o = m as { kind?: unknown; spec?: { rules?: { to?: { operation?: { paths?: unknown; notPaths?: unknown } }[] }[] } };
        if (o?.kind !== "AuthorizationPolicy") continue;
        for (const rule of o.spec?.rules ?? []) {
            for (const to of rule?.to ?? []) {
                for (const list of [to?.operation?.paths, to?.operation?.notPaths]) {
                    if (Array.isArray(list)) for (const p of list) if (typeof p === "string") paths.add(p);
                }
            }
        }
    }
    return [...paths].sort();
}

/** The text `discover --check` prints. */
export function formatReplay(r: Replay, target: string): string {
    const total = r.wouldBreak.length + r.partly.length + r.breakWhenEnforced.length + r.unchecked.length + r.allowed;
    const line = (c: ReplayedCall) => `  - ${c.from} → ${c.to} ${c.port === undefined ? "port unknown" : `:${c.port}`} ${c.protocol}, ${c.count} ${c.protocol === "tcp" ? "connections" : "requests"} (${c.as}): ${c.explanation}`;
    const lines = [`meshguard discover --check: ${total} observed call${total === 1 ? "" : "s"} replayed against ${target}`];
    if (r.assumed.length > 0) lines.push(`Assumed (not among the objects; labels app=<Service name>, service account from the principal): ${r.assumed.join(", ")}`);
    if (r.wouldBreak.length > 0) lines.push(`Would break (${r.wouldBreak.length}):`, ...r.wouldBreak.map(line));
    if (r.partly.length > 0) lines.push(`Might break (${r.partly.length}):`, ...r.partly.map(line));
    if (r.breakWhenEnforced.length > 0) lines.push(`Would break once enforced (dry-run now) (${r.breakWhenEnforced.length}):`, ...r.breakWhenEnforced.map(line));
    if (r.unchecked.length > 0) lines.push(`Not checked (${r.unchecked.length}):`, ...r.unchecked.map(line));
    const failing = r.wouldBreak.length + r.partly.length + r.breakWhenEnforced.length;
    lines.push(failing === 0 ? `OK: all ${r.allowed} replayed calls would still be allowed.` : `FAILED: ${failing} observed call${failing === 1 ? "" : "s"} would or might be denied.`);
    return `${lines.join("\n")}\n`;
}
