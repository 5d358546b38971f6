/**
 * Benchmark of compileMeshPolicy (validation + compile + strict schema check of every object).
 * Run: node -r ts-node/register/transpile-only bench/compile-mesh-policy.ts
 *
 * Synthetic meshes of N services (20 per namespace, one HTTP and one TCP port each) and 5·N
 * relationships (a deterministic mix of service, namespace, gateway and JWT callers, with and
 * without methods/paths). Prints a markdown table and checks that the time per relationship stays
 * flat as the mesh grows (linear compile).
 */
import { setFlagsFromString } from "v8";
import { runInNewContext } from "vm";
import { compileMeshPolicy } from "../components/compile/mesh-policy";
import { MeshPolicyInput } from "../components/model/mesh-policy";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function syntheticMesh(serviceCount: number, relationshipCount: number): MeshPolicyInput {
    // mulberry32: a small deterministic PRNG, so every run compiles the same mesh.
    let seed = 42;
    const next = (n: number) => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const services = Array.from({ length: serviceCount }, (_, i) => ({
        id: `svc-${i}`,
        namespace: `ns-${Math.floor(i / 20)}`,
        serviceAccount: `svc-${i}`,
        ports: [
            { port: 8080, protocol: "http" as const },
            { port: 9090, protocol: "tcp" as const },
        ],
    }));
    const allow: NonNullable<MeshPolicyInput["allow"]> = Array.from({ length: relationshipCount }, (_, i) => {
        const to = `svc-${next(serviceCount)}`;
        switch (i % 5) {
            case 0:
                return { from: { service: `svc-${next(serviceCount)}` }, to };
            case 1:
                return { from: { service: `svc-${next(serviceCount)}` }, to, methods: ["GET", "POST"], paths: [`/api/v${next(3)}/*`] };
            case 2:
                return { from: { namespace: `ns-${next(Math.ceil(serviceCount / 20))}` }, to, ports: [9090] };
            case 3:
                return { from: { ingressGateway: true as const }, to, methods: ["GET"] };
            default:
                return {
                    from: { endUsers: { issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/keys", claims: { groups: [`team-${next(10)}`] } } },
                    to,
                    paths: ["/profile/{*}"],
                };
        }
    });
    return { services, allow, destinationRules: true };
}

interface Row {
    services: number;
    relationships: number;
    objects: number;
    medianMs: number;
    usPerRelationship: number;
    heapMb: number;
}

function measure(serviceCount: number, runs: number): Row {
    const relationships = serviceCount * 5;
    const input = syntheticMesh(serviceCount, relationships);
    compileMeshPolicy(input); // warm-up (JIT)
    const times: number[] = [];
    let objects = 0;
    let heapMb = 0;
    for (let r = 0; r < runs; r++) {
        gc();
        const heapBefore = process.memoryUsage().heapUsed;
        const start = process.hrtime.bigint();
        const manifests = compileMeshPolicy(input);
        const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
        heapMb = Math.max(heapMb, (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024);
        times.push(elapsed);
        objects = manifests.length;
    }
    times.sort((a, b) => a - b);
    const medianMs = times[Math.floor(times.length / 2)];
    return { services: serviceCount, relationships, objects, medianMs, usPerRelationship: (medianMs * 1000) / relationships, heapMb };
}

function main(): void {
    const sizes = [250, 500, 1000, 2000, 4000];
    const rows = sizes.map((n) => measure(n, n >= 2000 ? 3 : 5));
    console.log(`compileMeshPolicy benchmark (node ${process.version}, median of 3-5 runs after a warm-up)\n`);
    console.log("| services | relationships | objects | median time (ms) | µs / relationship | heap growth (MB) |");
    console.log("|---:|---:|---:|---:|---:|---:|");
    for (const r of rows) {
        console.log(`| ${r.services} | ${r.relationships} | ${r.objects} | ${r.medianMs.toFixed(1)} | ${r.usPerRelationship.toFixed(1)} | ${r.heapMb.toFixed(1)} |`);
    }
    const base = rows.find((r) => r.services === 1000) as Row;
    const largest = rows[rows.length - 1];
    const ratio = largest.usPerRelationship / base.usPerRelationship;
    const linear = ratio < 2;
    console.log(
        `\nGrowth: ${largest.relationships} relationships cost ${ratio.toFixed(2)}× the per-relationship time of ${base.relationships} ` +
            `(${linear ? "linear: the cost per relationship stays flat" : "NOT linear: the cost per relationship grows"}); ` +
            `RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB at the end.`,
    );
    if (!linear) process.exitCode = 1;
}

main();
