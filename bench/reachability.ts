// Benchmark: the full reachability matrix of a 1,000-service mesh compiled by compileMeshPolicy.
// Run: npx ts-node --transpile-only bench/reachability.ts [services] (default 1000)
import { compileMeshPolicy } from "../components/compile";
import { MeshPolicyInput } from "../components/model";
import { AuthorizationSimulator, reachability, SimWorkload } from "../components/simulate";

/** Deterministic PRNG (mulberry32) so every run measures the same mesh. */
function rng(seed: number): () => number {
    let a = seed;
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

export function benchMesh(count: number): { input: MeshPolicyInput; workloads: SimWorkload[] } {
    const random = rng(42);
    const namespaces = Math.max(1, Math.round(count / 50));
    const services = Array.from({ length: count }, (_, i) => {
        const tcp = i % 5 === 0;
        return {
            id: `svc-${i}`,
            namespace: `team-${i % namespaces}`,
            serviceAccount: `svc-${i}`,
            ports: tcp ? [{ port: 8080, protocol: "http" as const }, { port: 9000, protocol: "tcp" as const }] : [{ port: 8080, protocol: "http" as const }],
        };
    });
    const allow: NonNullable<MeshPolicyInput["allow"]> = [];
    for (const target of services) {
        for (let k = 0; k < 3; k++) {
            const caller = services[Math.floor(random() * count)];
            if (caller.id === target.id) continue;
            allow.push(k === 0 ? { from: { service: caller.id }, to: target.id, methods: ["GET", "POST"], paths: ["/api/*"] } : { from: { service: caller.id }, to: target.id });
        }
    }
    const workloads = services.map((s) => ({
        namespace: s.namespace,
        name: s.id,
        serviceAccount: s.serviceAccount,
        labels: { app: s.id },
        ports: s.ports.map((p) => ({ port: p.port, protocol: p.protocol === "tcp" ? ("tcp" as const) : ("http" as const) })),
        paths: ["/api/*"],
    }));
    return { input: { services, allow }, workloads };
}

interface BenchResult {
    readonly scenario: string;
    readonly seconds: number;
    readonly pairs: number;
    readonly probes: number;
    readonly allowedPairs: number;
    readonly manifests: number;
}

function measure(scenario: string, manifests: readonly unknown[], workloads: readonly SimWorkload[]): BenchResult {
    const start = process.hrtime.bigint();
    const sim = new AuthorizationSimulator({ manifests, workloads });
    const report = reachability(sim, { methods: ["GET", "POST", "DELETE"] });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { scenario, seconds, pairs: report.callers.length * report.callees.length, probes: report.probes, allowedPairs: report.pairs.length, manifests: manifests.length };
}

/**
 * Four meshes of `count` services: the MeshPolicy compilation (typical: a few callers each), an
 * open mesh (no AuthorizationPolicy: every pair allowed), namespace-wide allows (every pair
 * inside a namespace evaluated probe by probe), and the first one all ambient with waypoints.
 */
export function runBench(count: number): BenchResult[] {
    const { input, workloads } = benchMesh(count);
    const sameNamespace = { ...input, allow: input.services.map((s) => ({ from: { namespace: s.namespace }, to: s.id })) };
    return [
        measure("MeshPolicy, ~3 callers per service", compileMeshPolicy(input), workloads),
        measure("open mesh, no AuthorizationPolicy", [], workloads),
        measure("namespace-wide allows (50 services per namespace)", compileMeshPolicy(sameNamespace), workloads),
        measure("ambient, every namespace with a waypoint", ambientMesh(input), workloads),
    ];
}

/**
 * The same graph with every namespace ambient and a waypoint (MeshPolicy `namespaces`), plus what
 * the cluster holds besides: the Namespaces' labels, the waypoint Gateways and the Services.
 * Every callee is then decided probe by probe at its waypoint and its ztunnel.
 */
function ambientMesh(input: MeshPolicyInput): unknown[] {
    const namespaces = [...new Set(input.services.map((s) => s.namespace))];
    const config = Object.fromEntries(namespaces.map((ns) => [ns, { dataplane: "ambient" as const, waypoint: "waypoint" }]));
    const cluster = namespaces.flatMap((ns) => [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint" } } },
        { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "waypoint", namespace: ns }, spec: { gatewayClassName: "istio-waypoint", listeners: [{ name: "mesh", port: 15008, protocol: "HBONE" }] } },
    ]);
    const services = input.services.map((s) => ({ apiVersion: "v1", kind: "Service", metadata: { name: s.id, namespace: s.namespace }, spec: { selector: { app: s.id }, ports: s.ports.map((p) => ({ name: `${p.protocol}-${p.port}`, port: p.port })) } }));
    return [...cluster, ...services, ...compileMeshPolicy({ ...input, namespaces: config })];
}

if (require.main === module) {
    const count = Number(process.argv[2] ?? 1000);
    for (const r of runBench(count)) {
        console.log(
            `${r.scenario}: ${count} services, ${r.manifests} manifests, ${r.pairs} caller×callee pairs, ${r.probes} probes, ` +
                `${r.allowedPairs} pairs with allowed traffic: ${r.seconds.toFixed(2)} s`,
        );
    }
}
