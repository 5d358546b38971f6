import * as assert from "assert";
import fc from "fast-check";
import * as path from "path";
import { ANY_PATH, diffMeshObjects, MeshDiff } from "../../components/adopt";
import { loadManifests } from "../../components/cli/manifest-files";
import { compileMeshPolicy } from "../../components/compile";
import { MeshPolicyInput } from "../../components/model";

const FIXTURES = path.join(__dirname, "fixtures");
const objects = (dir: string) => loadManifests([dir], FIXTURES).manifests.map((m) => m.object);

describe("adopt: diffMeshObjects", () => {
    it("lists newly allowed and denied calls, mTLS changes and object changes (Bookinfo slice)", () => {
        const d = diffMeshObjects(objects("diff/before"), objects("diff/after"));
        const ref = (kind: string, name: string) => ({ apiVersion: "security.istio.io/v1", kind, namespace: "bookinfo", name });
        assert.deepStrictEqual(d, {
            allowed: [{ from: "bookinfo/productpage-v1", to: "bookinfo/ratings-v1", port: 9080, protocol: "http", methods: ["GET"], paths: ["/ratings/*"] }],
            denied: [{ from: "bookinfo/productpage-v1", to: "bookinfo/reviews-v1", port: 9080, protocol: "http", methods: ["GET"], paths: [ANY_PATH] }],
            mtls: [{ workload: "bookinfo/ratings-v1", port: 9080, before: "STRICT", after: "PERMISSIVE" }],
            objects: { added: [ref("PeerAuthentication", "ratings-permissive")], removed: [ref("AuthorizationPolicy", "reviews-allow")], changed: [ref("AuthorizationPolicy", "ratings-allow")] },
            workloads: ["bookinfo/productpage-v1", "bookinfo/ratings-v1", "bookinfo/reviews-v1"],
        } satisfies MeshDiff);
    });

    it("treats another served version of the same object as unchanged", () => {
        const before = objects("diff/before");
        const after = before.map((o) => (o.kind === "PeerAuthentication" ? { ...o, apiVersion: "security.istio.io/v1beta1" } : o));
        assert.deepStrictEqual(diffMeshObjects(before, after).objects, { added: [], removed: [], changed: [] });
    });

    it("probes a workload that exists on one side only on both sides", () => {
        const before = objects("diff/before").filter((o) => o.metadata?.name !== "ratings-v1");
        const d = diffMeshObjects(before, objects("diff/before"));
        assert.deepStrictEqual(d.allowed, []);
        assert.deepStrictEqual(d.objects.added.map((o) => o.name), ["ratings-v1"]);
    });
});

// ---- properties over random MeshPolicy graphs ----

type Protocol = "http" | "tcp";
interface Port { port: number; protocol: Protocol; targetPort?: number }
interface Service { id: string; namespace: string; serviceAccount: string; ports: Port[] }
interface Relationship { from: { service: string }; to: string; ports: number[] }
interface Graph { services: Service[]; allow: Relationship[] }

const PORTS = [8080, 9000, 9090];
const target = (p: Port) => p.targetPort ?? p.port;

const graphArb: fc.Arbitrary<Graph> = fc.integer({ min: 2, max: 4 }).chain((n) =>
    fc
        .tuple(
            ...Array.from({ length: n }, (_, i) =>
                fc
                    .record({
                        namespace: fc.constantFrom("ns-a", "ns-b"),
                        ports: fc.uniqueArray(fc.record({ index: fc.nat(PORTS.length - 1), protocol: fc.constantFrom<Protocol>("http", "tcp"), remap: fc.boolean() }), { minLength: 1, maxLength: 2, selector: (p) => p.index }),
                    })
                    .map(({ namespace, ports }): Service => ({
                        id: `s${i}`,
                        namespace,
                        serviceAccount: `s${i}`,
                        ports: ports.map((p) => (p.remap ? { port: PORTS[p.index], protocol: p.protocol, targetPort: PORTS[p.index] + 1 } : { port: PORTS[p.index], protocol: p.protocol })),
                    })),
            ),
        )
        .chain((services) => {
            const rel = fc.record({ from: fc.nat(n - 1), to: fc.nat(n - 1), port: fc.nat(1) }).map(({ from, to, port }): Relationship => {
                const callee = services[to];
                return { from: { service: `s${from}` }, to: `s${to}`, ports: [callee.ports[port % callee.ports.length].port] };
            });
            return fc.record({ services: fc.constant(services), allow: fc.array(rel, { maxLength: 6 }) });
        }),
);

/** The mesh as a team would keep it in YAML: the compiled policies plus a Deployment and a Service per service. */
function meshObjects(g: Graph): unknown[] {
    const k8s = g.services.flatMap((s) => [
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: s.id, namespace: s.namespace },
            spec: { template: { metadata: { labels: { app: s.id } }, spec: { serviceAccountName: s.serviceAccount, containers: [{ name: "app", ports: s.ports.map((p) => ({ containerPort: target(p) })) }] } } },
        },
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: s.id, namespace: s.namespace },
            spec: { selector: { app: s.id }, ports: s.ports.map((p) => ({ name: `${p.protocol}-${p.port}`, port: p.port, targetPort: target(p) })) },
        },
    ]);
    return [...compileMeshPolicy(g as unknown as MeshPolicyInput), ...k8s];
}

const sameCall = (a: Relationship, b: Relationship) => a.from.service === b.from.service && a.to === b.to && a.ports[0] === b.ports[0];

/** Exactly the changes one relationship makes: its caller on its callee's workload port, every request. */
function expectedChange(g: Graph, r: Relationship) {
    const caller = g.services.find((s) => s.id === r.from.service) as Service;
    const callee = g.services.find((s) => s.id === r.to) as Service;
    const port = callee.ports.find((p) => p.port === r.ports[0]) as Port;
    const base = { from: `${caller.namespace}/${caller.id}`, to: `${callee.namespace}/${callee.id}`, port: target(port), protocol: port.protocol };
    return port.protocol === "http" ? { ...base, methods: ["GET", "POST", "PUT", "DELETE"], paths: [ANY_PATH] } : base;
}

describe("property: meshguard diff over random MeshPolicy graphs", () => {
    it("finds nothing between a graph and itself", () => {
        fc.assert(
            fc.property(graphArb, (g) => {
                const d = diffMeshObjects(meshObjects(g), meshObjects(g));
                assert.deepStrictEqual({ ...d, workloads: [] }, { allowed: [], denied: [], mtls: [], objects: { added: [], removed: [], changed: [] }, workloads: [] });
            }),
            { numRuns: 50 },
        );
    });

    it("lists exactly the call a relationship adds (allowed) or removes (denied)", () => {
        const withExtra = graphArb.chain((g) =>
            fc.record({ from: fc.nat(g.services.length - 1), to: fc.nat(g.services.length - 1), port: fc.nat(1) }).map(({ from, to, port }) => {
                const callee = g.services[to];
                return { g, extra: { from: { service: `s${from}` }, to: `s${to}`, ports: [callee.ports[port % callee.ports.length].port] } as Relationship };
            }),
        );
        fc.assert(
            fc.property(withExtra, ({ g, extra }) => {
                // A port shared by two declared ports (remapped) or an existing identical call would hide the change.
                fc.pre(!g.allow.some((r) => sameCall(r, extra)));
                const bigger: Graph = { ...g, allow: [...g.allow, extra] };
                const added = diffMeshObjects(meshObjects(g), meshObjects(bigger));
                assert.deepStrictEqual(added.allowed, [expectedChange(g, extra)]);
                assert.deepStrictEqual(added.denied, []);
                assert.deepStrictEqual(added.mtls, []);
                const removed = diffMeshObjects(meshObjects(bigger), meshObjects(g));
                assert.deepStrictEqual(removed.denied, [expectedChange(g, extra)]);
                assert.deepStrictEqual(removed.allowed, []);
            }),
            { numRuns: 50 },
        );
    });
});
