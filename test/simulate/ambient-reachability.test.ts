// Property: for random MIXED service graphs (each namespace sidecar, ambient, or ambient with a
// waypoint; L4 and L7 relationships, only those valid for the destination's mode), what the
// simulator says compileMeshPolicy's manifests allow is exactly what the MeshPolicy declares, for
// traffic addressed to a Service; traffic that reaches ztunnel without passing a waypoint (a pod
// IP, a sidecar caller) is decided on L4 with the caller's identity, admitted only for callers
// that never pass the waypoint. The oracle is test/simulate/declared-graph.ts.
import * as assert from "assert";
import fc from "fast-check";
import "../harness/property-seed";
import { compileMeshPolicy } from "../../components/compile";
import { MeshPolicyInput } from "../../components/model";
import { AuthorizationSimulator, defaultProbes, EXTERNAL_CALLER, reachability, RequestSource, SimRequest } from "../../components/simulate";
import { namespace, service, waypointGateway } from "../fixtures/objects";
import { Caller, CallerId, callerMatches, expected, GATEWAY, Graph, graphArb, isHttp, METHODS, NAMESPACES, OUTSIDER, Probe, PROBE_PATHS, Relationship, Service, target, tokens, workloads } from "./declared-graph";

type Mode = "sidecar" | "ambient" | "waypoint";
interface MixedGraph extends Graph {
    modes: Record<string, Mode>;
    /** Waypoint namespaces whose waypoint the ingress gateway uses (istio.io/ingress-use-waypoint=true). */
    ingressUseWaypoint: string[];
}
const WAYPOINT = "waypoint";

/**
 * Whether a relationship's caller reaches `callee` through its waypoint, by Istio 1.30's routing:
 * an ambient caller's ztunnel sends through it; sidecars never do; the ingress gateway (and the
 * end users it carries) only with istio.io/ingress-use-waypoint (endpoint_builder.go).
 */
function passes(g: MixedGraph, from: Caller, callee: Service): boolean {
    if (g.modes[callee.namespace] !== "waypoint") return false;
    const ambient = (ns: string) => g.modes[ns] === "ambient" || g.modes[ns] === "waypoint";
    if (from.service !== undefined) return ambient((g.services.find((s) => s.id === from.service) as Service).namespace);
    if (from.namespace !== undefined) return ambient(from.namespace);
    return g.ingressUseWaypoint.includes(callee.namespace);
}

/** A random graph, its namespaces' modes, and only the relationships valid for each destination's mode. */
function mixedGraphArb(pool: readonly Mode[] = ["sidecar", "ambient", "waypoint"]): fc.Arbitrary<MixedGraph> {
    const modesArb = fc.tuple(...NAMESPACES.map(() => fc.constantFrom<Mode>(...pool)));
    return fc.tuple(graphArb(), modesArb, fc.subarray(NAMESPACES)).map(([g, picked, ingress]) => {
        const modes = Object.fromEntries(NAMESPACES.map((ns, i) => [ns, picked[i]]));
        const mixed: MixedGraph = { ...g, modes, ingressUseWaypoint: ingress.filter((ns) => modes[ns] === "waypoint") };
        // HTTP and JWT checks need a proxy that parses HTTP on the way: a sidecar destination, or a
        // waypoint the caller passes. Anything else is a validation error, so the graph declares it
        // as L4 (or, for JWT end users, not at all).
        const httpSeen = (r: Relationship) => {
            const callee = g.services.find((s) => s.id === r.to) as Service;
            return modes[callee.namespace] === "sidecar" || passes(mixed, r.from, callee);
        };
        const allow = g.allow
            .filter((r) => r.from.endUsers === undefined || httpSeen(r))
            .map((r): Relationship => (httpSeen(r) ? r : { from: r.from, to: r.to, ...(r.ports === undefined ? {} : { ports: r.ports }) }));
        return { ...mixed, allow };
    });
}

/**
 * What the cluster holds besides MeshPolicy's objects: each Service (a waypoint matches Service
 * ports), and what MeshNamespace emits for each namespace (its labels and waypoint Gateway).
 */
function clusterObjects(g: MixedGraph): unknown[] {
    const services = g.services.map((s) => service(s.namespace, s.id, { app: s.id }, s.ports.map((p) => ({ name: `${p.protocol}-${p.port}`, port: p.port, targetPort: target(p) }))));
    return [...services, ...NAMESPACES.flatMap((ns) => {
        const mode = g.modes[ns];
        if (mode === "sidecar") return [namespace(ns, { "istio-injection": "enabled" })];
        if (mode === "ambient") return [namespace(ns, { "istio.io/dataplane-mode": "ambient" })];
        const ingress: Record<string, string> = g.ingressUseWaypoint.includes(ns) ? { "istio.io/ingress-use-waypoint": "true" } : {};
        return [namespace(ns, { "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": WAYPOINT, ...ingress }), waypointGateway(ns, WAYPOINT)];
    })];
}

/** MeshPolicy's input: the graph, and `namespaces` for the namespaces it uses. */
function meshPolicyInput(g: MixedGraph): MeshPolicyInput {
    const used = new Set([...g.services.map((s) => s.namespace), ...g.allow.flatMap((r) => (r.from.namespace === undefined ? [] : [r.from.namespace]))]);
    const config = (ns: string) =>
        g.modes[ns] === "sidecar"
            ? { dataplane: "sidecar" }
            : g.modes[ns] === "ambient"
              ? { dataplane: "ambient" }
              : { dataplane: "ambient", waypoint: WAYPOINT, ...(g.ingressUseWaypoint.includes(ns) ? { ingressUseWaypoint: true } : {}) };
    const namespaces = Object.fromEntries([...used].map((ns) => [ns, config(ns)]));
    return { services: g.services, allow: g.allow, deny: g.deny, networkPolicies: false, namespaces } as unknown as MeshPolicyInput;
}

/**
 * The declared verdict. A request that reaches an ambient destination's ztunnel without passing
 * a waypoint (no waypoint, a caller that bypasses it, or a pod IP) is decided on L4 with the
 * caller's own identity: it is admitted by the relationships whose callers never pass the
 * waypoint (meshguard admits those at ztunnel; docs/mesh-policy.md, "Ambient namespaces"), and
 * tokens are neither checked nor needed there.
 */
function declared(g: MixedGraph, probe: Probe, id: CallerId | undefined, caller: Caller | undefined, via: "service" | "pod-ip"): boolean {
    const callee = probe.callee;
    const mode = g.modes[callee.namespace];
    if (mode === "sidecar") return expected(g, probe, id);
    if (mode === "waypoint" && via === "service" && caller !== undefined && passes(g, caller, callee)) return expected(g, probe, id);
    const atZtunnel = g.allow.filter((r) => r.to !== callee.id || (r.from.endUsers === undefined && !passes(g, r.from, callee)));
    return expected({ ...g, allow: atZtunnel }, { ...probe, jwt: undefined }, id);
}

/**
 * With MeshPolicy's NetworkPolicies too: a caller pod reaches the callee only when a relationship
 * to it names the caller (end users arrive from the ingress gateway's pods), on that container
 * port — or on any port when the mesh tunnels the connection over HBONE (an ambient end), where
 * NetworkPolicies see only port 15008 (docs/mesh-policy.md).
 */
function networkAdmits(g: MixedGraph, probe: Probe, id: CallerId | undefined, caller: Caller | undefined): boolean {
    if (id === undefined) return false;
    const callee = probe.callee;
    const ambient = (ns: string) => g.modes[ns] === "ambient" || g.modes[ns] === "waypoint";
    const hbone = ambient(callee.namespace) || (caller?.service !== undefined && ambient(id.namespace));
    return g.allow.some((r) => {
        if (r.to !== callee.id) return false;
        const named = r.from.endUsers !== undefined ? id.gateway : callerMatches(r.from, id, g.services);
        if (!named) return false;
        if (hbone) return true;
        const ports = r.ports === undefined ? callee.ports : callee.ports.filter((p) => r.ports?.includes(p.port));
        return ports.some((p) => target(p) === target(probe.port));
    });
}

function checkMixedGraph(g: MixedGraph, networkPolicies = false): void {
    const input = meshPolicyInput(g);
    const manifests = compileMeshPolicy(networkPolicies ? { ...input, networkPolicies: {} } : input);
    const sim = new AuthorizationSimulator({ manifests: [...clusterObjects(g), ...manifests], workloads: workloads(g) });
    // `as`: the caller as a relationship would name it (for who passes a waypoint); the outsider runs in a sidecar namespace.
    const callers: { name: string; from: RequestSource; id?: CallerId; as?: Caller }[] = [
        ...g.services.map((s) => ({ name: s.id, from: { workload: `${s.namespace}/${s.id}` }, id: { namespace: s.namespace, serviceAccount: s.serviceAccount, gateway: false }, as: { service: s.id } })),
        { name: "gateway", from: { workload: `${GATEWAY.namespace}/${GATEWAY.name}` }, id: { namespace: GATEWAY.namespace, serviceAccount: GATEWAY.serviceAccount, gateway: true }, as: { ingressGateway: true } },
        { name: "outsider", from: { workload: `${OUTSIDER.namespace}/${OUTSIDER.name}` }, id: { namespace: OUTSIDER.namespace, serviceAccount: OUTSIDER.serviceAccount, gateway: false } },
        { name: "external", from: { plaintext: true } },
    ];
    const jwts = tokens(g);
    for (const callee of g.services) {
        const mode = g.modes[callee.namespace];
        for (const caller of callers) {
            const withTokens = caller.name === "gateway" || caller.name === "outsider" || caller.name === "external" ? [undefined, ...jwts] : [undefined];
            for (const port of callee.ports) {
                const shapes = isHttp(port) ? METHODS.concat("PATCH").flatMap((method) => PROBE_PATHS.map((path) => ({ method, path }))) : [{}];
                for (const shape of shapes) {
                    for (const jwt of isHttp(port) ? withTokens : [undefined]) {
                        for (const via of ["service", "pod-ip"] as const) {
                            const probe: Probe = { caller: caller.name, from: caller.from, callee, port, ...shape, jwt };
                            const request: SimRequest = { from: caller.from, to: `${callee.namespace}/${callee.id}`, port: target(port), ...shape, jwt, via };
                            const got = sim.verdict(request).verdict;
                            const want = declared(g, probe, caller.id, caller.as, via) && (!networkPolicies || networkAdmits(g, probe, caller.id, caller.as));
                            if (got !== (want ? "allowed" : "denied")) {
                                const d = sim.decide(request);
                                assert.fail(
                                    `${caller.name} → ${callee.id} (${callee.namespace}: ${mode}) via ${via} port ${port.port}${port.targetPort ? `→${port.targetPort}` : ""}/${port.protocol} ${JSON.stringify(shape)} jwt=${JSON.stringify(jwt)}: ` +
                                        `simulator says ${got}, declared says ${want ? "allowed" : "denied"}\n${d.reason}\n${d.trace.join("\n")}\n` +
                                        `${JSON.stringify(manifests.filter((m) => m.metadata.namespace === callee.namespace), null, 1)}`,
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

/** reachability()'s per-pair gates never hide an allowed probe nor show a denied one (ambient callees included). */
function checkReachabilityReport(g: MixedGraph): void {
    const sim = new AuthorizationSimulator({ manifests: [...clusterObjects(g), ...compileMeshPolicy(meshPolicyInput(g))], workloads: workloads(g) });
    const report = reachability(sim, { methods: ["GET", "POST"] });
    for (const callee of sim.workloads) {
        const to = `${callee.namespace}/${callee.name}`;
        for (const from of [...sim.workloads.map((w) => `${w.namespace}/${w.name}`), EXTERNAL_CALLER]) {
            const pair = report.pairs.find((p) => p.from === from && p.to === to);
            for (const probe of defaultProbes(callee, ["GET", "POST"])) {
                const source: RequestSource = from === EXTERNAL_CALLER ? { plaintext: true } : { workload: from };
                const got = sim.verdict({ from: source, to, ...probe }).verdict;
                const listed = pair?.allowed.some((o) => o.port === probe.port && o.method === probe.method && o.path === probe.path) ?? false;
                assert.strictEqual(listed, got === "allowed", `${from} → ${to} ${JSON.stringify(probe)}`);
            }
        }
    }
}

describe("property: compileMeshPolicy's reachability equals the declared graph across data planes", () => {
    it("reachability() agrees with the per-request verdicts (its per-pair gates are exact)", () => {
        fc.assert(fc.property(mixedGraphArb(), checkReachabilityReport), { numRuns: 60 });
    });

    it("holds for random mixed graphs (sidecar, ambient, ambient with waypoint; L4, L7, JWT; service and pod-IP traffic)", () => {
        fc.assert(fc.property(mixedGraphArb(), (g) => checkMixedGraph(g)), { numRuns: 120 });
    });

    it("holds with MeshPolicy's NetworkPolicies too (HBONE on 15008, caller → waypoint → destination)", () => {
        fc.assert(
            fc.property(mixedGraphArb(), (g) => checkMixedGraph(g, true)),
            { numRuns: 80 },
        );
    });

    it("holds for all-ambient graphs, most namespaces with a waypoint (callers and callees both ambient)", () => {
        fc.assert(fc.property(mixedGraphArb(["ambient", "waypoint", "waypoint"]), (g) => checkMixedGraph(g)), { numRuns: 80 });
    });
});
