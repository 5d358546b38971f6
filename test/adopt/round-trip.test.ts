// Property: compile a random service graph, generate the Istio metrics its allowed calls would
// produce, discover relationships from them and compile again: the service-level reachability
// (caller workload, callee workload, port) the simulator finds is the same.
import * as assert from "assert";
import fc from "fast-check";
import { discover } from "../../components/adopt";
import { compileMeshPolicy } from "../../components/compile";
import { MeshPolicyInput } from "../../components/model";
import { AuthorizationSimulator, reachability, SimWorkload } from "../../components/simulate";
import { bothReporters, peer, samples, SeriesSpec } from "./istio-series";

type Protocol = "http" | "http2" | "grpc" | "tcp";
interface Port { port: number; protocol: Protocol; targetPort?: number }
interface Service { id: string; namespace: string; serviceAccount: string; ports: Port[] }
interface Relationship { from: { service: string } | { ingressGateway: true }; to: string; ports?: number[] }
interface Graph { services: Service[]; allow: Relationship[] }

const NAMESPACES = ["ns-a", "ns-b"];
const PORTS = [8080, 8443, 9000, 9090];
const GATEWAY = { namespace: "istio-ingress", name: "istio-ingressgateway", serviceAccount: "istio-ingressgateway", labels: { istio: "ingressgateway" } };
const target = (p: Port) => p.targetPort ?? p.port;

const serviceArb = (i: number) =>
    fc
        .record({
            namespace: fc.constantFrom(...NAMESPACES),
            ports: fc.uniqueArray(fc.record({ index: fc.nat(PORTS.length - 1), protocol: fc.constantFrom<Protocol>("http", "http2", "grpc", "tcp"), remap: fc.boolean() }), { minLength: 1, maxLength: 3, selector: (p) => p.index }),
        })
        .map(({ namespace, ports }): Service => ({
            id: `s${i}`,
            namespace,
            serviceAccount: `s${i}`,
            ports: ports.map((p) => (p.remap ? { port: PORTS[p.index], protocol: p.protocol, targetPort: PORTS[p.index] + 10000 } : { port: PORTS[p.index], protocol: p.protocol })),
        }));

const graphArb: fc.Arbitrary<Graph> = fc.integer({ min: 1, max: 5 }).chain((n) =>
    fc.tuple(...Array.from({ length: n }, (_, i) => serviceArb(i))).chain((services) => {
        const ids = services.map((s) => s.id);
        const rel = fc
            .record({ caller: fc.option(fc.constantFrom(...ids), { nil: undefined }), to: fc.constantFrom(...ids), pick: fc.option(fc.uniqueArray(fc.nat(2), { minLength: 1 }), { nil: undefined }) })
            .map(({ caller, to, pick }): Relationship => {
                const callee = services.find((s) => s.id === to) as Service;
                const from = caller === undefined ? { ingressGateway: true as const } : { service: caller };
                return pick === undefined ? { from, to } : { from, to, ports: [...new Set(pick.map((i) => callee.ports[i % callee.ports.length].port))] };
            });
        return fc.record({ services: fc.constant(services), allow: fc.array(rel, { maxLength: 8 }) });
    }),
);

function workloads(g: Graph): SimWorkload[] {
    return [
        ...g.services.map((s) => ({
            namespace: s.namespace,
            name: s.id,
            serviceAccount: s.serviceAccount,
            labels: { app: s.id },
            ports: s.ports.map((p) => ({ port: target(p), protocol: p.protocol === "tcp" ? ("tcp" as const) : ("http" as const) })),
        })),
        GATEWAY,
        { namespace: "ns-outside", name: "outsider", serviceAccount: "outsider", labels: { app: "outsider" } },
    ];
}

/** `caller|callee|workload port` for every probe the simulator allows. */
function allowedCalls(input: MeshPolicyInput, g: Graph): string[] {
    const sim = new AuthorizationSimulator({ manifests: compileMeshPolicy(input), workloads: workloads(g) });
    // Callees: the graph's services (the gateway and the outsider run without policies, open to all).
    const report = reachability(sim, { includeExternal: false, callees: g.services.map((s) => `${s.namespace}/${s.id}`) });
    return [...new Set(report.pairs.flatMap((p) => p.allowed.map((o) => `${p.from}|${p.to}|${o.port}`)))].sort();
}

/** The series Istio's two proxies would report for each allowed call. */
function metricsOf(calls: readonly string[], g: Graph): SeriesSpec[] {
    const byKey = new Map(workloads(g).map((w) => [`${w.namespace}/${w.name}`, w]));
    return calls.flatMap((call) => {
        const [from, to, port] = call.split("|");
        const caller = byKey.get(from) as SimWorkload;
        const callee = g.services.find((s) => `${s.namespace}/${s.id}` === to) as Service;
        const declared = callee.ports.find((p) => target(p) === Number(port)) as Port;
        const protocol = declared.protocol === "tcp" ? "tcp" : declared.protocol === "grpc" ? "grpc" : "http";
        return bothReporters({
            from: peer(caller.namespace, caller.name, caller.serviceAccount),
            to: peer(callee.namespace, callee.id, callee.serviceAccount),
            port: Number(port),
            protocol,
            service: callee.id,
        });
    });
}

describe("property: compile → observed metrics → discover → compile keeps reachability", () => {
    it("holds when every service is called by someone (discover alone)", () => {
        // A service nobody calls is never observed: have the ingress gateway call each one.
        const called = graphArb.map((g): Graph => ({ ...g, allow: [...g.allow, ...g.services.map((s): Relationship => ({ from: { ingressGateway: true }, to: s.id, ports: [s.ports[0].port] }))] }));
        fc.assert(
            fc.property(called, (g) => {
                const before = allowedCalls(g as unknown as MeshPolicyInput, g);
                const d = discover(samples(metricsOf(before, g)));
                assert.deepStrictEqual(d.dropped, []);
                assert.deepStrictEqual(allowedCalls(d.input as MeshPolicyInput, g), before);
            }),
            { numRuns: 100 },
        );
    });

    it("holds for any graph when the services are declared beforehand (--merge into the services alone)", () => {
        fc.assert(
            fc.property(graphArb, (g) => {
                const before = allowedCalls(g as unknown as MeshPolicyInput, g);
                const skeleton = { services: g.services, allow: [] } as unknown as MeshPolicyInput;
                const d = discover(samples(metricsOf(before, g)), { existing: skeleton });
                assert.deepStrictEqual(d.dropped, []);
                assert.deepStrictEqual(d.addedServices, []);
                assert.deepStrictEqual(allowedCalls(d.input as MeshPolicyInput, g), before);
            }),
            { numRuns: 100 },
        );
    });
});
