// Property (issue 13): for random relationship graphs, the NetworkPolicies compileMeshPolicy emits
// allow exactly the declared (caller pod, callee pod, container port) triples — no more — and,
// together with the Istio objects, exactly the declared graph. The oracle reads the graph directly.
import { strict as assert } from "assert";
import fc from "fast-check";
import { compileMeshPolicy } from "../../components/compile";
import { MeshPolicyInput } from "../../components/model";
import { AuthorizationSimulator, NetworkEndpoint, NetworkPolicyLayer, SimWorkload } from "../../components/simulate";

interface Port { port: number; protocol: "http" | "tcp"; targetPort?: number }
interface Service { id: string; namespace: string; serviceAccount: string; selector?: Record<string, string>; ports: Port[] }
interface Caller { service?: string; namespace?: string; ingressGateway?: true; endUsers?: { issuer: string; jwksUri: string } }
interface Relationship { from: Caller; to: string; ports?: number[] }
interface Graph { services: Service[]; allow: Relationship[] }

const NAMESPACES = ["ns-a", "ns-b", "ns-c"];
const CALLER_NAMESPACES = [...NAMESPACES, "ns-ops"];
const PORTS = [80, 8080, 9000];
const UNDECLARED_PORT = 7777;

const serviceArb = (i: number) =>
    fc
        .record({
            namespace: fc.constantFrom(...NAMESPACES),
            custom: fc.boolean(),
            ports: fc.uniqueArray(fc.integer({ min: 0, max: PORTS.length - 1 }), { minLength: 1, maxLength: 2 }),
            protocols: fc.array(fc.constantFrom<"http" | "tcp">("http", "tcp"), { minLength: 2, maxLength: 2 }),
            remap: fc.boolean(),
        })
        .map((s): Service => ({
            id: `s${i}`,
            namespace: s.namespace,
            serviceAccount: `s${i}`,
            ...(s.custom ? { selector: { app: `s${i}`, tier: "t" } } : {}),
            ports: s.ports.map((p, k) => (s.remap ? { port: PORTS[p], protocol: s.protocols[k], targetPort: PORTS[p] + 1 } : { port: PORTS[p], protocol: s.protocols[k] })),
        }));

const graphArb: fc.Arbitrary<Graph> = fc.integer({ min: 1, max: 5 }).chain((n) =>
    fc.tuple(...Array.from({ length: n }, (_, i) => serviceArb(i))).chain((services) => {
        const relArb = fc
            .record({
                kind: fc.constantFrom("service", "namespace", "ingressGateway", "endUsers"),
                caller: fc.integer({ min: 0, max: services.length - 1 }),
                ns: fc.constantFrom(...CALLER_NAMESPACES),
                to: fc.integer({ min: 0, max: services.length - 1 }),
                pick: fc.option(fc.integer({ min: 0, max: 1 }), { nil: undefined }),
            })
            .map((r): Relationship | undefined => {
                const callee = services[r.to];
                const http = callee.ports.filter((p) => p.protocol === "http");
                const from: Caller =
                    r.kind === "service" ? { service: `s${r.caller}` } : r.kind === "namespace" ? { namespace: r.ns } : r.kind === "ingressGateway" ? { ingressGateway: true } : { endUsers: { issuer: "https://idp.example", jwksUri: "https://idp.example/keys" } };
                if (r.kind === "endUsers") return http.length === 0 ? undefined : { from, to: callee.id, ports: [http[0].port] };
                const port = r.pick === undefined ? undefined : callee.ports[r.pick % callee.ports.length].port;
                return port === undefined ? { from, to: callee.id } : { from, to: callee.id, ports: [port] };
            });
        return fc.array(relArb, { maxLength: 8 }).map((rels) => ({ services, allow: rels.filter((r): r is Relationship => r !== undefined) }));
    }),
);

const selectorOf = (s: Service) => s.selector ?? { app: s.id };
const GATEWAY: SimWorkload = { namespace: "istio-ingress", name: "gateway", serviceAccount: "istio-ingressgateway", labels: { istio: "ingressgateway" } };
const OUTSIDER: SimWorkload = { namespace: "ns-outside", name: "outsider", serviceAccount: "outsider", labels: { app: "s0" }, inMesh: false };
const OPS: SimWorkload = { namespace: "ns-ops", name: "ops-tool", serviceAccount: "ops", labels: { app: "ops-tool" } };
const DNS: SimWorkload = { namespace: "kube-system", name: "coredns", labels: { "k8s-app": "kube-dns" } };
const ISTIOD: SimWorkload = { namespace: "istio-system", name: "istiod", labels: { app: "istiod" } };

function pods(g: Graph): { pod: SimWorkload; service?: Service }[] {
    return [
        ...g.services.map((s) => ({ pod: { namespace: s.namespace, name: s.id, serviceAccount: s.serviceAccount, labels: selectorOf(s), ports: s.ports.map((p) => ({ port: p.targetPort ?? p.port, protocol: p.protocol })) }, service: s })),
        // An undeclared pod in every mesh namespace: no sidecar, labels of no service.
        ...NAMESPACES.map((ns) => ({ pod: { namespace: ns, name: "intruder", serviceAccount: "intruder", labels: { app: "intruder" }, inMesh: false } })),
        { pod: GATEWAY },
        { pod: OUTSIDER },
        { pod: OPS },
    ];
}

function endpoint(w: SimWorkload): NetworkEndpoint {
    return { label: `${w.namespace}/${w.name}`, namespace: w.namespace, labels: w.labels };
}

function callerMatches(from: Caller, pod: SimWorkload, podService: Service | undefined, viaGatewayOnly: boolean): boolean {
    if (from.service !== undefined) return podService?.id === from.service;
    if (from.namespace !== undefined) return pod.namespace === from.namespace;
    if (from.ingressGateway === true) return pod === GATEWAY;
    return viaGatewayOnly && pod === GATEWAY;
}

/** Declared at L4: some relationship to `callee` names `containerPort` and admits the caller pod. */
function declaredL4(g: Graph, pod: SimWorkload, podService: Service | undefined, callee: Service, containerPort: number): boolean {
    return g.allow.some((r) => {
        if (r.to !== callee.id || !callerMatches(r.from, pod, podService, true)) return false;
        return callee.ports.some((p) => (p.targetPort ?? p.port) === containerPort && (r.ports === undefined || r.ports.includes(p.port)));
    });
}

function checkNetworkLayer(g: Graph, egress: boolean): void {
    const manifests = compileMeshPolicy({ ...(g as unknown as MeshPolicyInput), networkPolicies: { egress } });
    const layer = new NetworkPolicyLayer(manifests);
    const all = pods(g);
    for (const { pod, service } of all) {
        for (const callee of g.services) {
            const calleePod = all.find((p) => p.service === callee)!.pod;
            for (const containerPort of [...callee.ports.map((p) => p.targetPort ?? p.port), UNDECLARED_PORT]) {
                const got = layer.decide(endpoint(pod), endpoint(calleePod), containerPort).verdict === "allowed";
                const want = declaredL4(g, pod, service, callee, containerPort);
                assert.equal(got, want, `${pod.namespace}/${pod.name} → ${callee.id}:${containerPort} (egress ${egress}): layer says ${got}, declared ${want}\n${JSON.stringify(g)}`);
            }
        }
        if (!egress || service === undefined) continue;
        // With egress on, a declared pod reaches DNS and istiod, and nothing undeclared.
        const reach = (to: SimWorkload, port: number, protocol: "TCP" | "UDP" = "TCP") => layer.decide(endpoint(pod), endpoint(to), port, protocol).verdict;
        assert.deepEqual([reach(DNS, 53, "UDP"), reach(DNS, 53), reach(ISTIOD, 15012)], ["allowed", "allowed", "allowed"]);
        assert.deepEqual([reach(DNS, 80), reach(ISTIOD, 15010), reach(OUTSIDER, 80), reach(OPS, 8080)], ["denied", "denied", "denied", "denied"]);
        assert.equal(layer.decide(endpoint(pod), { label: "203.0.113.9", ip: "203.0.113.9" }, 443).verdict, "denied");
    }
}

/** Both layers, at service level: a request without a token is allowed iff a service/namespace/gateway relationship declares it. */
function checkCombined(g: Graph): void {
    const manifests = compileMeshPolicy(g as unknown as MeshPolicyInput);
    const all = pods(g);
    const sim = new AuthorizationSimulator({ manifests, workloads: all.map((p) => p.pod) });
    for (const { pod, service } of all) {
        for (const callee of g.services) {
            for (const port of callee.ports) {
                const containerPort = port.targetPort ?? port.port;
                const decision = sim.verdict({ from: { workload: `${pod.namespace}/${pod.name}` }, to: `${callee.namespace}/${callee.id}`, port: containerPort });
                const want =
                    pod.inMesh !== false &&
                    g.allow.some((r) => r.to === callee.id && (r.ports === undefined || r.ports.includes(port.port)) && callerMatches(r.from, pod, service, false));
                assert.equal(decision.verdict === "allowed", want, `${pod.namespace}/${pod.name} → ${callee.id}:${port.port}: ${decision.layer} says ${decision.verdict} (${decision.reason}), declared ${want}\n${JSON.stringify(g)}`);
            }
        }
    }
}

describe("property: NetworkPolicies compiled from the graph allow exactly the declared L4 triples", () => {
    it("ingress only (default): the NetworkPolicy layer alone admits exactly the declared (caller pod, callee pod, container port)", () => {
        fc.assert(fc.property(graphArb, (g) => checkNetworkLayer(g, false)), { numRuns: 200 });
    });

    it("egress on: the same triples, plus DNS and istiod for every declared pod, and nothing undeclared", () => {
        fc.assert(fc.property(graphArb, (g) => checkNetworkLayer(g, true)), { numRuns: 200 });
    });

    it("both layers together decide exactly the declared graph at service level", () => {
        fc.assert(fc.property(graphArb, (g) => checkCombined(g)), { numRuns: 200 });
    });
});
