/**
 * Benchmark of the meshguard policy pack over its analyzer gRPC protocol, driven exactly as
 * `pulumi preview --policy-pack` drives it (Configure, Analyze per resource, AnalyzeStack once).
 * Run: node -r ts-node/register/transpile-only bench/policy-pack.ts [sizes...]   (default 2000 10000)
 *
 * Synthetic stacks of N resources in blocks of 12 per namespace: the Namespace (injection on), a
 * STRICT PeerAuthentication, an allow-nothing policy, 3 Deployments, 3 ALLOW policies naming their
 * callers, a DestinationRule (ISTIO_MUTUAL), a RequestAuthentication and the ALLOW policy requiring
 * its tokens; every 25th namespace plants a PERMISSIVE PeerAuthentication (so violations flow too).
 * Prints a markdown table and checks that AnalyzeStack's time per resource stays flat as N grows
 * (the stack policies are linear).
 */
import { manifestResources, PolicyPackSession, startPolicyPack } from "../components/analyzer";
import { K8sManifest } from "../components/manifest";
import { RegisteredResource } from "../components/offline";

function namespaceBlock(i: number): K8sManifest[] {
    const ns = `team-${i}`;
    const meta = (name: string) => ({ name, namespace: ns });
    const apps = ["web", "api", "db"];
    return [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { "istio-injection": "enabled" } } },
        { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: meta("default"), spec: { mtls: { mode: i % 25 === 0 ? "PERMISSIVE" : "STRICT" } } },
        { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: meta("allow-nothing"), spec: {} },
        ...apps.map((app) => ({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: meta(app),
            spec: {
                selector: { matchLabels: { app } },
                template: { metadata: { labels: { app } }, spec: { serviceAccountName: app, containers: [{ name: app, image: `ghcr.io/example/${app}:1.0.0` }] } },
            },
        })),
        ...apps.map((app, k) => ({
            apiVersion: "security.istio.io/v1",
            kind: "AuthorizationPolicy",
            metadata: meta(app),
            spec: {
                selector: { matchLabels: { app } },
                rules: [
                    {
                        from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/${apps[(k + 2) % 3]}`] } }],
                        to: [{ operation: { methods: ["GET", "POST"], paths: ["/api/*"], ports: ["8080"] } }],
                    },
                ],
            },
        })),
        { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: meta("api"), spec: { host: `api.${ns}.svc.cluster.local`, trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } } },
        {
            apiVersion: "security.istio.io/v1",
            kind: "RequestAuthentication",
            metadata: meta("web-jwt"),
            spec: { selector: { matchLabels: { app: "web" } }, jwtRules: [{ issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/keys" }] },
        },
        {
            apiVersion: "security.istio.io/v1",
            kind: "AuthorizationPolicy",
            metadata: meta("web-jwt"),
            spec: { selector: { matchLabels: { app: "web" } }, rules: [{ from: [{ source: { requestPrincipals: ["https://idp.example.com/*"] } }] }] },
        },
    ] as K8sManifest[];
}

/** A stack of exactly `size` resources (the stack resource included). */
export function syntheticStack(size: number): RegisteredResource[] {
    const manifests: K8sManifest[] = [];
    for (let i = 0; manifests.length < size - 1; i++) manifests.push(...namespaceBlock(i));
    return manifestResources(manifests.slice(0, size - 1));
}

interface Measure {
    size: number;
    analyzeMs: number;
    stackMs: number;
    violations: number;
}

async function measure(session: PolicyPackSession, size: number): Promise<Measure> {
    const resources = syntheticStack(size);
    await session.configure();
    let violations = 0;
    const start = performance.now();
    let next = 0;
    const worker = async () => {
        while (next < resources.length) {
            const r = resources[next++];
            violations += (await session.analyze(r, resources)).verdicts.length;
        }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const analyzeMs = performance.now() - start;
    // AnalyzeStack three times; the median is reported (first call also warms the JIT).
    const times: number[] = [];
    let stackViolations = 0;
    for (let i = 0; i < 3; i++) {
        const t = performance.now();
        stackViolations = (await session.analyzeStack(resources)).verdicts.length;
        times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { size, analyzeMs, stackMs: times[1], violations: violations + stackViolations };
}

async function main(): Promise<void> {
    const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
    const runSizes = sizes.length > 0 ? sizes : [2000, 10000];
    const bootStart = performance.now();
    const session = await startPolicyPack({ stack: "bench", project: "meshguard-bench" });
    const bootMs = performance.now() - bootStart;
    try {
        await measure(session, 1000); // warm-up: JIT on both sides of the wire, not reported
        const results: Measure[] = [];
        for (const size of runSizes) results.push(await measure(session, size));
        console.log(`Policy pack start (spawn + ts-node + gRPC ready): ${(bootMs / 1000).toFixed(1)} s; ${(await session.info()).policies.length} policies\n`);
        console.log("| resources | Analyze (all, 8 in flight) | resources/s | AnalyzeStack (median of 3) | µs per resource in AnalyzeStack | violations |");
        console.log("|---:|---:|---:|---:|---:|---:|");
        for (const r of results) {
            console.log(
                `| ${r.size} | ${(r.analyzeMs / 1000).toFixed(2)} s | ${Math.round(r.size / (r.analyzeMs / 1000))} | ${(r.stackMs / 1000).toFixed(2)} s | ${Math.round((r.stackMs * 1000) / r.size)} | ${r.violations} |`,
            );
        }
        if (results.length >= 2) {
            const [small, large] = [results[0], results[results.length - 1]];
            const ratio = large.stackMs / large.size / (small.stackMs / small.size);
            const linear = ratio < 1.5;
            console.log(`\nAnalyzeStack time per resource at ${large.size} vs ${small.size}: ×${ratio.toFixed(2)} → ${linear ? "linear" : "NOT linear"}`);
            if (!linear) process.exitCode = 1;
        }
    } finally {
        await session.close();
    }
}

if (require.main === module) {
    main().catch((err) => {
        console.error(err);
        process.exitCode = 1;
    });
}
