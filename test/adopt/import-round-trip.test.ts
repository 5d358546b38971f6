// Property: compile a random service graph, import the compiled objects (next to the Services
// and Deployments the graph describes), compile the imported input again: the simulator finds the
// same reachability, the import reports it equivalent, and the Istio objects are the same ones.
import { strict as assert } from "assert";
import fc from "fast-check";
import { diffMeshObjects, ImportInputError, importMeshPolicy } from "../../components/adopt";
import { compileMeshPolicy } from "../../components/compile";
import { MeshPolicyInput, MeshPortProtocol } from "../../components/model";
import { AuthorizationSimulator, reachability, workloadsFromManifests } from "../../components/simulate";
import { deployment, MESH_LABELS, namespace, PlainObject, service } from "../fixtures/objects";

type ServiceInput = MeshPolicyInput["services"][number];
type RelationshipInput = NonNullable<MeshPolicyInput["allow"]>[number];

// Shapes of test/compile/mesh-policy-properties.test.ts and test/adopt/round-trip.test.ts, with
// the fields an import reads back: Service ports remapped to other container ports, every caller
// kind (JWT end users too), HTTP narrowing, deny rules, and the namespace-wide switches.
const NAMESPACES = ["ns-a", "ns-b", "ns-c"];
const PORTS = [80, 8080, 9000, 9090];
const PROTOCOLS: MeshPortProtocol[] = ["http", "http2", "grpc", "tcp"];
const PATHS = ["/api/*", "/api", "*/info", "/v1/{*}/items", "/static/{**}", "/health"];
const ISSUERS = ["https://accounts.example.com", "https://idp.example.com"];

const clean = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

const serviceArb = (id: string): fc.Arbitrary<ServiceInput> =>
    fc
        .record({
            namespace: fc.constantFrom(...NAMESPACES),
            ports: fc.uniqueArray(fc.record({ index: fc.nat(PORTS.length - 1), protocol: fc.constantFrom(...PROTOCOLS), remap: fc.boolean() }), { minLength: 1, maxLength: 3, selector: (p) => p.index }),
        })
        .map(({ namespace: ns, ports }) => ({
            id,
            namespace: ns,
            serviceAccount: `${id}-sa`,
            ports: ports.map((p) => (p.remap ? { port: PORTS[p.index], protocol: p.protocol, targetPort: PORTS[p.index] + 10000 } : { port: PORTS[p.index], protocol: p.protocol })),
        }));

function relationshipArb(ids: string[], target: ServiceInput): fc.Arbitrary<RelationshipInput> {
    const http = target.ports.filter((p) => p.protocol !== "tcp").map((p) => p.port);
    const grpc = target.ports.filter((p) => p.protocol === "grpc" || p.protocol === "http2").map((p) => p.port);
    const callers: fc.Arbitrary<RelationshipInput["from"]>[] = [
        fc.constantFrom(...ids).map((s) => ({ service: s })),
        fc.constantFrom(...NAMESPACES).map((ns) => ({ namespace: ns })),
        fc.constant({ ingressGateway: true as const }),
    ];
    const options: fc.Arbitrary<RelationshipInput>[] = [
        fc.record({ from: fc.oneof(...callers), ports: fc.option(fc.subarray(target.ports.map((p) => p.port), { minLength: 1 }), { nil: undefined }) }).map((r) => clean({ ...r, to: target.id })),
    ];
    if (http.length > 0) {
        const endUsers = fc
            .record({
                issuer: fc.constantFrom(...ISSUERS),
                claims: fc.option(fc.constant<Record<string, string[]>>({ groups: ["admins"] }), { nil: undefined }),
                audiences: fc.option(fc.subarray(["web", "mobile"], { minLength: 1 }), { nil: undefined }),
                subjects: fc.option(fc.subarray(["alice", "bob"], { minLength: 1 }), { nil: undefined }),
            })
            .map(({ issuer, claims, audiences, subjects }) => ({ endUsers: clean({ issuer, jwksUri: `${issuer}/keys`, claims, audiences, subjects }) }));
        options.push(
            fc
                .record({
                    from: fc.oneof(...callers, endUsers),
                    ports: fc.option(fc.subarray(http, { minLength: 1 }), { nil: undefined }),
                    methods: fc.option(fc.subarray(["GET", "HEAD", "POST", "DELETE"], { minLength: 1 }), { nil: undefined }),
                    paths: fc.option(fc.subarray(PATHS, { minLength: 1 }), { nil: undefined }),
                    hosts: fc.option(fc.subarray(["shop.example.com", "*.example.org"], { minLength: 1 }), { nil: undefined }),
                })
                .map((r) => clean({ ...r, to: target.id })),
        );
    }
    if (grpc.length > 0) {
        options.push(fc.record({ from: fc.oneof(...callers), grpcMethods: fc.subarray(["shop.v1.Cart/Add", "shop.v1.Catalog/*"], { minLength: 1 }) }).map((r) => ({ ...r, to: target.id })));
    }
    return fc.oneof(...options);
}

const graphArb: fc.Arbitrary<MeshPolicyInput> = fc.integer({ min: 1, max: 6 }).chain((count) => {
    const ids = Array.from({ length: count }, (_, i) => `svc-${i}`);
    return fc.tuple(...ids.map(serviceArb)).chain((services) => {
        const namespaces = [...new Set(services.map((s) => s.namespace))];
        const denyRule = fc.oneof(
            fc.constantFrom(...services).chain((target) =>
                fc.record({ unlessFrom: fc.subarray([{ namespace: "ns-a" }, { service: ids[0] }, { ingressGateway: true as const }], { minLength: 1 }), ports: fc.option(fc.subarray(target.ports.map((p) => p.port), { minLength: 1 }), { nil: undefined }) }).map((r) => clean({ ...r, to: target.id })),
            ),
            fc.record({ toNamespace: fc.constantFrom(...namespaces), unlessFrom: fc.subarray([{ namespace: "ns-b" }, { service: ids[0] }], { minLength: 1 }) }),
        );
        return fc.record({
            services: fc.constant(services),
            allow: fc.array(fc.constantFrom(...services).chain((target) => relationshipArb(ids, target)), { maxLength: 10 }),
            deny: fc.array(denyRule, { maxLength: 2 }),
            defaultDeny: fc.boolean(),
            mtls: fc.constantFrom<"STRICT" | "inherit">("STRICT", "inherit"),
            destinationRules: fc.boolean(),
            networkPolicies: fc.constant(false as const),
        });
    });
});

/** The Kubernetes side of a graph: Namespaces, one Deployment and one Service per service, the ingress gateway and a caller from elsewhere. */
function kubernetesObjects(input: MeshPolicyInput): PlainObject[] {
    const container = (ports: number[]) => ({ spec: { serviceAccountName: "", containers: [{ name: "app", image: "registry.example.com/app:1", ports: ports.map((containerPort) => ({ containerPort })) }] } });
    return [
        ...[...NAMESPACES, "istio-ingress", "elsewhere"].map((ns) => namespace(ns, MESH_LABELS)),
        ...input.services.flatMap((s) => {
            const pod = container(s.ports.map((p) => p.targetPort ?? p.port));
            pod.spec.serviceAccountName = s.serviceAccount;
            return [
                deployment(s.namespace, s.id, { labels: { app: s.id }, selector: { app: s.id }, spec: pod.spec }),
                service(s.namespace, s.id, { app: s.id }, s.ports.map((p) => clean({ name: `${p.protocol}-${p.port}`, port: p.port, targetPort: p.targetPort }))),
            ];
        }),
        deployment("istio-ingress", "istio-ingressgateway", { labels: { istio: "ingressgateway" }, selector: { istio: "ingressgateway" }, spec: { serviceAccountName: "istio-ingressgateway", containers: [{ name: "istio-proxy", image: "auto", ports: [{ containerPort: 8080 }] }] } }),
        deployment("elsewhere", "outsider", { labels: { app: "outsider" }, selector: { app: "outsider" }, spec: { serviceAccountName: "outsider", containers: [{ name: "app", image: "registry.example.com/app:1" }] } }),
    ];
}

/** `caller|callee|port|method|path` of every probe the simulator allows (or cannot decide). */
function reachable(objects: readonly unknown[]): string[] {
    const sim = new AuthorizationSimulator({ manifests: objects, workloads: workloadsFromManifests(objects) });
    const report = reachability(sim, { includeExternal: true });
    return report.pairs.flatMap((p) => [...p.allowed, ...p.unknown].map((o) => `${p.from}|${p.to}|${o.port}|${o.method ?? ""}|${o.path ?? ""}`)).sort();
}

describe("property: compile → import → compile keeps reachability", () => {
    it("imports every compiled object, reports it equivalent, and recompiles to the same reachability and the same Istio objects", () => {
        fc.assert(
            fc.property(graphArb, (graph) => {
                const kube = kubernetesObjects(graph);
                const compiled = compileMeshPolicy(graph);
                const original = [...kube, ...compiled];
                if (compiled.length === 0) {
                    // Nothing to import (no relationship, no switch): the import says so.
                    assert.throws(() => importMeshPolicy(original), ImportInputError);
                    return;
                }
                const result = importMeshPolicy(original);
                assert.deepEqual(result.findings.filter((f) => f.kept), []);
                assert.equal(result.verdict, "equivalent");
                const recompiled = [...kube, ...compileMeshPolicy(result.input)];
                assert.deepEqual(reachable(recompiled), reachable(original));
                const diff = diffMeshObjects(original, recompiled);
                assert.deepEqual([diff.allowed, diff.denied, diff.mtls], [[], [], []]);
                assert.deepEqual(compileMeshPolicy(result.input), compiled);
            }),
            { numRuns: 100 },
        );
    });
});
