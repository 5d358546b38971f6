// Hostile properties of the ambient enforcement points, over random policies and requests:
// ztunnel never sees HTTP; traffic to a pod IP never passes a service waypoint; a sidecar caller
// never passes a waypoint; and the waypoint layer can only take away from what ztunnel allows.
import * as assert from "assert";
import fc from "fast-check";
import "../harness/property-seed";
import { AuthorizationSimulator, SimRequest } from "../../components/simulate";
import { namespace, service, waypointGateway } from "../fixtures/objects";
import { authz, workload } from "./fixtures";

const P = (ns: string, sa: string) => `cluster.local/ns/${ns}/sa/${sa}`;
const CALLERS = ["amb/client", "amb/other", "side/web"];
const sourceArb = fc.record(
    {
        principals: fc.subarray([P("amb", "client"), P("side", "web"), P("amb", "waypoint"), "*"], { minLength: 1 }),
        namespaces: fc.subarray(["amb", "side"], { minLength: 1 }),
        requestPrincipals: fc.constant(["*"]),
        notPrincipals: fc.constant([P("amb", "other")]),
    },
    { requiredKeys: [] },
);
const operationArb = fc.record(
    { ports: fc.subarray(["8080", "9000"], { minLength: 1 }), methods: fc.subarray(["GET", "POST"], { minLength: 1 }), paths: fc.constantFrom(["/a"], ["/b/*"]), notMethods: fc.constant(["DELETE"]) },
    { requiredKeys: [] },
);
const ruleArb = fc.record(
    {
        from: fc.array(sourceArb.map((source) => ({ source })), { minLength: 1, maxLength: 2 }),
        to: fc.array(operationArb.map((operation) => ({ operation })), { minLength: 1, maxLength: 2 }),
        when: fc.array(fc.constantFrom({ key: "request.headers[x-a]", values: ["1"] }, { key: "source.namespace", values: ["amb"] }), { minLength: 1, maxLength: 1 }),
    },
    { requiredKeys: [] },
);
const policyArb = fc.record({ action: fc.constantFrom("ALLOW", "DENY"), rules: fc.array(ruleArb, { minLength: 1, maxLength: 3 }) });
const requestArb = fc.record({
    caller: fc.constantFrom(...CALLERS),
    port: fc.constantFrom(8080, 9000),
    method: fc.constantFrom("GET", "POST", "DELETE"),
    path: fc.constantFrom("/a", "/b/x", "/c"),
    header: fc.boolean(),
    jwt: fc.boolean(),
});
type Req = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

const baseObjects = (waypoint: boolean) => [
    namespace("amb", { "istio.io/dataplane-mode": "ambient", ...(waypoint ? { "istio.io/use-waypoint": "waypoint" } : {}) }),
    namespace("side", { "istio-injection": "enabled" }),
    waypointGateway("amb", "waypoint"),
    service("amb", "api", { app: "api" }, [{ name: "http", port: 8080 }]),
];
const workloads = [
    workload("amb", "api", { ports: [{ port: 8080, protocol: "http" }, { port: 9000, protocol: "http" }] }),
    workload("amb", "client"),
    workload("amb", "other"),
    workload("side", "web"),
];
const request = (r: Req, via?: "pod-ip"): SimRequest => ({
    from: { workload: r.caller },
    to: "amb/api",
    port: r.port,
    method: r.method,
    path: r.path,
    ...(r.header ? { headers: { "x-a": "1" } } : {}),
    ...(r.jwt ? { jwt: { iss: "https://idp.example", sub: "alice" } } : {}),
    ...(via === undefined ? {} : { via }),
});

type Spec = typeof policyArb extends fc.Arbitrary<infer T> ? T : never;
type Rule = Spec["rules"][number];
const L7_SOURCE = ["requestPrincipals"];
const L7_OPERATION = ["methods", "paths", "notMethods"];

/**
 * ztunnel's reading, written from istiod's authorization.go and ztunnel's rbac.rs independently of
 * components/istio: an ALLOW rule with an HTTP attribute never matches; a DENY rule drops HTTP
 * attributes, an entry left empty never matches, an HTTP `when` never matches.
 */
function ztunnelOracle(policies: readonly Spec[], caller: string, port: number): "allowed" | "denied" {
    const [ns, sa] = caller.split("/");
    const principal = P(ns, sa);
    const l7 = (r: Rule) =>
        (r.from ?? []).some((f) => L7_SOURCE.some((k) => k in f.source)) ||
        (r.to ?? []).some((t) => L7_OPERATION.some((k) => k in t.operation)) ||
        (r.when ?? []).some((w) => w.key !== "source.namespace");
    const sourceMatches = (src: Record<string, string[]>): boolean | undefined => {
        const keys = Object.keys(src).filter((k) => !L7_SOURCE.includes(k));
        if (keys.length === 0) return undefined;
        return keys.every((k) => (k === "principals" ? src[k].some((v) => v === "*" || v === principal) : k === "namespaces" ? src[k].includes(ns) : !src[k].includes(principal)));
    };
    const operationMatches = (op: Record<string, string[]>): boolean | undefined => ("ports" in op ? op["ports"].includes(String(port)) : undefined);
    const clause = <T>(entries: T[] | undefined, test: (e: T) => boolean | undefined) => entries === undefined || entries.some((e) => test(e) === true);
    const ruleMatches = (r: Rule, action: string): boolean => {
        if (action === "ALLOW" && l7(r)) return false;
        if ((r.when ?? []).some((w) => w.key !== "source.namespace")) return false;
        const when = (r.when ?? []).every((w) => (w.values as readonly string[]).includes(ns));
        return clause(r.from, (f) => sourceMatches(f.source as Record<string, string[]>)) && clause(r.to, (t) => operationMatches(t.operation as Record<string, string[]>)) && when;
    };
    if (policies.some((p) => p.action === "DENY" && p.rules.some((r) => ruleMatches(r, "DENY")))) return "denied";
    const allow = policies.filter((p) => p.action === "ALLOW");
    if (allow.length === 0) return "allowed";
    return allow.some((p) => p.rules.some((r) => ruleMatches(r, "ALLOW"))) ? "allowed" : "denied";
}

describe("property: ambient enforcement points", () => {
    it("without a waypoint, ztunnel's verdict is its L4 reading of the policies (independent oracle)", () => {
        fc.assert(
            fc.property(fc.array(policyArb, { maxLength: 3 }), requestArb, (policies, r) => {
                const sim = new AuthorizationSimulator({ manifests: [...baseObjects(false), ...policies.map((spec, i) => authz("amb", `p${i}`, { selector: { matchLabels: { app: "api" } }, ...spec }))], workloads });
                assert.strictEqual(sim.verdict(request(r)).verdict, ztunnelOracle(policies, r.caller, r.port));
            }),
            { numRuns: 500 },
        );
    });

    it("ztunnel never sees HTTP: without a waypoint, method, path, headers and JWT never change a verdict", () => {
        fc.assert(
            fc.property(fc.array(policyArb, { maxLength: 3 }), requestArb, requestArb, (policies, a, b) => {
                const sim = new AuthorizationSimulator({ manifests: [...baseObjects(false), ...policies.map((spec, i) => authz("amb", `p${i}`, { selector: { matchLabels: { app: "api" } }, ...spec }))], workloads });
                const l7Only = { ...b, caller: a.caller, port: a.port };
                const [da, db] = [sim.verdict(request(a)), sim.verdict(request(l7Only))];
                assert.strictEqual(da.verdict, db.verdict);
                assert.strictEqual(da.enforcedBy?.proxy, "ztunnel");
            }),
            { numRuns: 300 },
        );
    });

    it("pod-IP traffic and sidecar callers never pass a service waypoint; ambient callers to the Service always do", () => {
        fc.assert(
            fc.property(fc.array(policyArb, { maxLength: 2 }), requestArb, (policies, r) => {
                const targeted = policies.map((spec, i) => authz("amb", `w${i}`, { targetRefs: [{ kind: "Service", group: "", name: "api" }], ...spec }));
                const sim = new AuthorizationSimulator({ manifests: [...baseObjects(true), ...targeted], workloads });
                const direct = sim.verdict(request(r, "pod-ip"));
                assert.deepStrictEqual(direct.hops?.map((h) => h.proxy), ["ztunnel"]);
                const viaService = sim.verdict(request(r));
                const expected = r.caller.startsWith("side/") ? ["ztunnel"] : viaService.enforcedBy?.proxy === "waypoint" ? ["waypoint"] : ["waypoint", "ztunnel"];
                assert.deepStrictEqual(viaService.hops?.map((h) => h.proxy), expected);
            }),
            { numRuns: 300 },
        );
    });

    it("the waypoint only takes away: a request it passes is then decided by ztunnel on the waypoint's identity", () => {
        fc.assert(
            fc.property(fc.array(policyArb, { maxLength: 2 }), fc.array(policyArb, { maxLength: 2 }), requestArb, (atWaypoint, atZtunnel, r) => {
                fc.pre(r.caller.startsWith("amb/"));
                const manifests = [
                    ...baseObjects(true),
                    ...atWaypoint.map((spec, i) => authz("amb", `w${i}`, { targetRefs: [{ kind: "Gateway", group: "gateway.networking.k8s.io", name: "waypoint" }], ...spec })),
                    ...atZtunnel.map((spec, i) => authz("amb", `z${i}`, { selector: { matchLabels: { app: "api" } }, ...spec })),
                ];
                const d = new AuthorizationSimulator({ manifests, workloads }).verdict(request(r));
                const zOnly = new AuthorizationSimulator({ manifests: manifests.filter((m) => !/^w\d+$/.test(m.metadata.name)), workloads }).verdict(request(r));
                // Without waypoint policies the waypoint allows everything; ztunnel then sees the same identity.
                assert.strictEqual(zOnly.enforcedBy?.identity, P("amb", "waypoint"));
                if (d.verdict === "allowed") assert.strictEqual(zOnly.verdict, "allowed");
                if (d.hops?.[0].verdict === "allowed") assert.strictEqual(d.verdict, zOnly.verdict);
            }),
            { numRuns: 300 },
        );
    });
});
