// Property (issue 13, callers outside the mesh): for random graphs with `outOfMesh` callers, the
// simulator (NetworkPolicy layer, then Istio) says each out-of-mesh pod reaches exactly its
// declared container ports, in plaintext; the other pods of its namespace reach nothing; mesh
// callers keep exactly their declared access (methods included); plaintext from anywhere else is
// refused. The oracle reads the declared relationships directly.
import { strict as assert } from "assert";
import fc from "fast-check";
import { compileMeshPolicy } from "../../components/compile";
import { MeshPolicyInput } from "../../components/model";
import { AuthorizationSimulator, RequestSource, SimWorkload } from "../../components/simulate";

interface Port { port: number; protocol: "http" | "tcp"; targetPort?: number }
interface Service { id: string; namespace: string; serviceAccount: string; ports: Port[] }
interface OutOfMesh { namespace: string; selector?: Record<string, string> }
interface Caller { service?: string; namespace?: string; outOfMesh?: OutOfMesh }
interface Relationship { from: Caller; to: string; ports?: number[]; methods?: string[] }
interface Graph { services: Service[]; allow: Relationship[] }

const NAMESPACES = ["ns-a", "ns-b"];
const PORTS = [80, 8080, 9090];
const METHODS = ["GET", "POST"];
const target = (p: Port) => p.targetPort ?? p.port;

/** The out-of-mesh caller groups a relationship may name, and pods (no sidecar) in and beside each. */
const GROUPS: readonly OutOfMesh[] = [
    { namespace: "monitoring", selector: { app: "prometheus" } },
    { namespace: "ns-a", selector: { app: "agent" } },
    { namespace: "jobs" },
];
const PLAIN_PODS: readonly SimWorkload[] = [
    { namespace: "monitoring", name: "prometheus", labels: { app: "prometheus" }, inMesh: false },
    { namespace: "monitoring", name: "grafana", labels: { app: "grafana" }, inMesh: false },
    { namespace: "ns-a", name: "agent", labels: { app: "agent" }, inMesh: false },
    { namespace: "ns-a", name: "intruder", labels: { app: "intruder" }, inMesh: false },
    { namespace: "jobs", name: "backup", labels: { app: "backup" }, inMesh: false },
    { namespace: "ns-b", name: "intruder", labels: { app: "prometheus" }, inMesh: false },
];
/** A mesh pod with a sidecar in a namespace without services (a namespace caller's pod). */
const OPS: SimWorkload = { namespace: "ns-ops", name: "ops", serviceAccount: "ops", labels: { app: "ops" } };

const serviceArb = (i: number) =>
    fc
        .record({
            namespace: fc.constantFrom(...NAMESPACES),
            ports: fc.uniqueArray(fc.integer({ min: 0, max: PORTS.length - 1 }), { minLength: 1, maxLength: 3 }),
            protocols: fc.array(fc.constantFrom<"http" | "tcp">("http", "tcp"), { minLength: 3, maxLength: 3 }),
            remap: fc.boolean(),
        })
        .map((s): Service => ({
            id: `s${i}`,
            namespace: s.namespace,
            serviceAccount: `s${i}`,
            ports: s.ports.map((p, k) => (s.remap ? { port: PORTS[p], protocol: s.protocols[k], targetPort: PORTS[p] + 10000 } : { port: PORTS[p], protocol: s.protocols[k] })),
        }));

const graphArb: fc.Arbitrary<Graph> = fc.integer({ min: 1, max: 4 }).chain((n) =>
    fc.tuple(...Array.from({ length: n }, (_, i) => serviceArb(i))).chain((services) => {
        const relArb = fc
            .record({
                kind: fc.constantFrom("service", "namespace", "outOfMesh", "outOfMesh"),
                caller: fc.integer({ min: 0, max: services.length - 1 }),
                ns: fc.constantFrom(...NAMESPACES, "ns-ops"),
                group: fc.integer({ min: 0, max: GROUPS.length - 1 }),
                to: fc.integer({ min: 0, max: services.length - 1 }),
                picks: fc.option(fc.uniqueArray(fc.nat(2), { minLength: 1 }), { nil: undefined }),
                methods: fc.option(fc.uniqueArray(fc.constantFrom(...METHODS), { minLength: 1 }), { nil: undefined }),
            })
            .map((r): Relationship => {
                const callee = services[r.to];
                if (r.kind === "outOfMesh") {
                    const picks = r.picks ?? [0];
                    return { from: { outOfMesh: GROUPS[r.group] }, to: callee.id, ports: [...new Set(picks.map((k) => callee.ports[k % callee.ports.length].port))] };
                }
                const from: Caller = r.kind === "service" ? { service: `s${r.caller}` } : { namespace: r.ns };
                const http = callee.ports.filter((p) => p.protocol === "http");
                const withMethods = r.methods !== undefined && http.length > 0;
                const pool = withMethods ? http : callee.ports;
                const rel: Relationship = { from, to: callee.id };
                if (r.picks !== undefined) rel.ports = [...new Set(r.picks.map((k) => pool[k % pool.length].port))];
                if (withMethods) rel.methods = r.methods;
                return rel;
            });
        return fc.array(relArb, { maxLength: 8 }).map((allow) => ({ services, allow: withoutSharedNamespacePorts(services, allow) }));
    }),
);

/** Ports (container) of the callee a relationship covers. */
function coveredPorts(services: Service[], rel: Relationship): Port[] {
    const callee = services.find((s) => s.id === rel.to) as Service;
    const named = callee.ports.filter((p) => rel.ports === undefined || rel.ports.includes(p.port));
    return rel.methods !== undefined ? named.filter((p) => p.protocol === "http") : named;
}

/** MeshPolicy refuses an out-of-mesh port that a namespace caller shares (test/compile/out-of-mesh.test.ts); drop such out-of-mesh relationships. */
function withoutSharedNamespacePorts(services: Service[], allow: Relationship[]): Relationship[] {
    return allow.filter((rel) => {
        if (rel.from.outOfMesh === undefined) return true;
        const mine = new Set(coveredPorts(services, rel).map(target));
        return !allow.some((o) => o.to === rel.to && o.from.namespace !== undefined && coveredPorts(services, { ...o, methods: undefined }).some((p) => mine.has(target(p))));
    });
}

function inGroup(group: OutOfMesh, pod: SimWorkload): boolean {
    if (pod.namespace !== group.namespace) return false;
    return Object.entries(group.selector ?? {}).every(([k, v]) => pod.labels?.[k] === v);
}

/** The oracle: declared access of a pod (undefined: a plaintext caller from off the cluster). */
function declared(g: Graph, pod: SimWorkload | undefined, service: Service | undefined, callee: Service, port: Port, method: string): boolean {
    if (pod === undefined) return false;
    return g.allow.some((rel) => {
        if (rel.to !== callee.id || !coveredPorts(g.services, rel).some((p) => target(p) === target(port))) return false;
        if (rel.from.outOfMesh !== undefined) return pod.inMesh === false && inGroup(rel.from.outOfMesh, pod);
        if (pod.inMesh === false) return false;
        if (rel.methods !== undefined && !rel.methods.includes(method)) return false;
        return rel.from.service !== undefined ? service?.id === rel.from.service : pod.namespace === rel.from.namespace;
    });
}

function checkGraph(g: Graph): void {
    const manifests = compileMeshPolicy(g as unknown as MeshPolicyInput);
    const servicePods = g.services.map((s) => ({
        pod: { namespace: s.namespace, name: s.id, serviceAccount: s.serviceAccount, labels: { app: s.id }, ports: s.ports.map((p) => ({ port: target(p), protocol: p.protocol })) } as SimWorkload,
        service: s as Service | undefined,
    }));
    const callers: { pod?: SimWorkload; service?: Service; from: RequestSource }[] = [
        ...[...servicePods, ...PLAIN_PODS.map((pod) => ({ pod, service: undefined })), { pod: OPS, service: undefined }].map(({ pod, service }) => ({ pod, service, from: { workload: `${pod.namespace}/${pod.name}` } })),
        { from: { plaintext: true } },
    ];
    const sim = new AuthorizationSimulator({ manifests, workloads: [...servicePods.map((p) => p.pod), ...PLAIN_PODS, OPS] });
    for (const caller of callers) {
        for (const callee of g.services) {
            for (const port of callee.ports) {
                for (const method of port.protocol === "http" ? METHODS : ["GET"]) {
                    const request = { from: caller.from, to: `${callee.namespace}/${callee.id}`, port: target(port), method };
                    const got = sim.verdict(request);
                    const want = declared(g, caller.pod, caller.service, callee, port, method);
                    if ((got.verdict === "allowed") !== want) {
                        const d = sim.decide(request);
                        assert.fail(`${JSON.stringify(caller.from)} → ${callee.id}:${target(port)}/${port.protocol} ${method}: ${d.layer} says ${d.verdict} (${d.reason}), declared ${want}\n${JSON.stringify(g)}`);
                    }
                    // An out-of-mesh pod that gets in does so in plaintext, on a PERMISSIVE port.
                    if (want && caller.pod?.inMesh === false) assert.deepEqual([got.mtls.mode, got.mtls.used], ["PERMISSIVE", false]);
                    if (want && caller.pod?.inMesh !== false) assert.equal(got.mtls.used, true);
                }
            }
        }
    }
}

describe("property: outOfMesh callers reach exactly their declared ports, and nothing else changes", () => {
    it("holds for hundreds of random graphs (NetworkPolicy layer, then Istio)", () => {
        fc.assert(fc.property(graphArb, (g) => checkGraph(g)), { numRuns: 300 });
    });

    it("the generator produces out-of-mesh callers, mesh callers on shared ports and methods (the property is not vacuous)", () => {
        const graphs = fc.sample(graphArb, 300);
        const outOfMesh = graphs.filter((g) => g.allow.some((r) => r.from.outOfMesh !== undefined));
        const sharedWithMesh = outOfMesh.filter((g) =>
            g.allow.some((r) => r.from.outOfMesh !== undefined && g.allow.some((o) => o.from.service !== undefined && o.to === r.to && o.methods !== undefined)),
        );
        assert.ok(outOfMesh.length > 100 && sharedWithMesh.length > 10, `${outOfMesh.length} graphs with outOfMesh callers, ${sharedWithMesh.length} beside a mesh caller with methods`);
    });
});
