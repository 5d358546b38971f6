/**
 * Every figure of the benchmark for one mesh size, measured in the current process (run.ts runs
 * each size in its own process, so peak memory and GC state belong to that size alone).
 */
import { stringify } from "yaml";
import { compileMeshPolicy } from "../../components/compile/mesh-policy";
import { K8sManifest } from "../../components/manifest";
import { emittedLayout, LayoutCounts, minimumLayout, naiveLayout, singleNamespaceMesh, syntheticMesh } from "../synthetic-mesh";
import { childrenPeakRss, peakRss } from "./memory";
import { analyzeEach, analyzeStackOnce, repeat, startPack } from "./pack";
import { precompute, registerComponent, registerFloor, releaseRegistrations } from "./registration";
import { policyResources, runStackPolicy, stackPolicies, timeStackPolicy } from "./stack-policies";
import { stackResources } from "./stack-resources";
import { gc, median, medianSample, Sample, timeOnce } from "./stats";

const WARM_UP_SERVICES = 50;

export interface SizePlan {
    services: number;
    /** Runs of compileMeshPolicy. */
    compileRuns: number;
    /** Runs of the floor/component pair. */
    runs: number;
    /** Full Analyze passes over the stack (each is long at 5,000 services). */
    analyzeRuns: number;
    /** AnalyzeStack calls over the wire. */
    stackRuns: number;
    /** In-process runs of every stack policy (cheap: a few seconds at 5,000 services, so more of them). */
    inProcessRuns: number;
    /** Skip the policy pack (no child process). */
    skipPack?: boolean;
}

export interface SizeResult {
    services: number;
    relationships: number;
    namespaces: number;
    runs: { compile: number; registration: number; analyze: number; stack: number; inProcess: number };
    compile: Sample;
    /** compileMeshPolicy samples, every run (for the spread). */
    compileRuns: number[];
    floor: Sample;
    component: Sample;
    /** Median over runs of component / floor of the same run (runs alternate). */
    componentRatio: number;
    componentRatioCpu: number;
    registered: number;
    emitted: LayoutCounts;
    minimum: LayoutCounts;
    naive: LayoutCounts;
    yamlBytes: number;
    /** Heap retained by the compiled manifests (after a full GC). */
    manifestHeapBytes: number;
    /**
     * Heap retained once every registration settled, medians over the runs: the floor run's (the
     * mock runtime's share: SDK resource objects, the mock monitor's and the recorder's records)
     * and what the component run retains beyond it (meshguard's share: the component, its
     * manifests, its children, its registered outputs).
     */
    memorySplit: { mockRuntimeBytes: number; meshguardBytes: number };
    pack?: {
        resources: number;
        startup: Sample;
        analyze: Sample;
        analyzeStack: Sample;
        /** In process: every stack policy's own validateStack time (summed), median of runs. */
        stackPoliciesInProcessMs: number;
        perStackPolicyMs: Record<string, number>;
        verdicts: { resource: number; stack: number; inProcessStack: number };
        packPeakRss: number;
        /** In process, on `singleNamespaceMesh` (every service in one namespace, JWT everywhere). */
        crowded: { resources: number; stackPoliciesMs: number; perStackPolicyMs: Record<string, number> };
    };
    peakRss: number;
}

export function yamlBytes(manifests: readonly K8sManifest[]): number {
    return Buffer.byteLength(manifests.map((m) => stringify(m)).join("---\n"), "utf8");
}

function heapUsed(): number {
    gc();
    return process.memoryUsage().heapUsed;
}

/** Every stack policy's own time (validateStack, arguments built beforehand), medians of `runs`. */
async function stackPoliciesInProcess(
    resources: Parameters<typeof policyResources>[0],
    runs: number,
): Promise<{ totalMs: number; perPolicyMs: Record<string, number>; violations: number }> {
    for (const policy of stackPolicies) await runStackPolicy(policy, policyResources(resources)); // warm-up
    const perPolicy: Record<string, number[]> = {};
    const totals: number[] = [];
    let violations = 0;
    for (let i = 0; i < runs; i++) {
        let total = 0;
        violations = 0;
        for (const policy of stackPolicies) {
            const run = await timeStackPolicy(policy, resources);
            (perPolicy[policy.name] ??= []).push(run.wallMs);
            total += run.wallMs;
            violations += run.violations;
        }
        totals.push(total);
    }
    return { totalMs: median(totals), perPolicyMs: Object.fromEntries(Object.entries(perPolicy).map(([k, v]) => [k, median(v)])), violations };
}

/** Heap retained by what `make` returns, averaged over `copies` results held at once (GC noise shrinks). */
function retainedHeap(make: () => unknown, copies: number): number {
    const held: unknown[] = [];
    const before = heapUsed();
    for (let i = 0; i < copies; i++) held.push(make());
    const after = heapUsed();
    // `held` is read after the measurement so that it stays reachable until then.
    return held.length === copies ? (after - before) / copies : Number.NaN;
}

export async function measureSize(plan: SizePlan, log: (line: string) => void): Promise<SizeResult> {
    const input = syntheticMesh(plan.services);
    const relationships = (input.allow ?? []).length;
    const namespaces = new Set(input.services.map((s) => s.namespace)).size;
    log(`${plan.services} services, ${relationships} relationships, ${namespaces} namespaces`);

    // compileMeshPolicy: one warm-up (which also initialises the schemas lazily), then the timed runs.
    const manifests = compileMeshPolicy(input);
    const manifestHeapBytes = retainedHeap(() => compileMeshPolicy(input), Math.max(1, Math.round(20_000 / manifests.length)));
    const compileSamples: Sample[] = [];
    for (let i = 0; i < plan.compileRuns; i++) {
        gc();
        compileSamples.push((await timeOnce(() => compileMeshPolicy(input))).sample);
    }
    log(`  compile: ${compileSamples.map((s) => s.wallMs.toFixed(0)).join(", ")} ms`);

    // Floor and component, alternating so both see the same machine load, after a warm-up pair
    // on a small mesh (the JIT warms up on the same code paths, without the cost of a full run).
    const warmUp = syntheticMesh(WARM_UP_SERVICES);
    await registerFloor(precompute(compileMeshPolicy(warmUp)));
    await registerComponent(warmUp);
    const precomputed = precompute(manifests);
    const floors: Sample[] = [];
    const components: Sample[] = [];
    const floorRetained: number[] = [];
    const meshguardRetained: number[] = [];
    let registered = 0;
    for (let i = 0; i < plan.runs; i++) {
        gc();
        const floor = await registerFloor(precomputed);
        floors.push(floor.sample);
        gc();
        const run = await registerComponent(input);
        components.push(run.sample);
        registered = run.registered;
        floorRetained.push(floor.retainedBytes);
        meshguardRetained.push(run.retainedBytes - floor.retainedBytes);
    }
    log(`  retained: mock runtime ${floorRetained.map((b) => (b / 1048576).toFixed(0)).join(", ")} MB; meshguard ${meshguardRetained.map((b) => (b / 1048576).toFixed(0)).join(", ")} MB`);
    log(`  floor: ${floors.map((s) => s.wallMs.toFixed(0)).join(", ")} ms; component: ${components.map((s) => s.wallMs.toFixed(0)).join(", ")} ms`);
    await releaseRegistrations();

    const result: SizeResult = {
        services: plan.services,
        relationships,
        namespaces,
        runs: { compile: plan.compileRuns, registration: plan.runs, analyze: plan.skipPack ? 0 : plan.analyzeRuns, stack: plan.skipPack ? 0 : plan.stackRuns, inProcess: plan.skipPack ? 0 : plan.inProcessRuns },
        compile: medianSample(compileSamples),
        compileRuns: compileSamples.map((s) => s.wallMs),
        floor: medianSample(floors),
        component: medianSample(components),
        componentRatio: median(components.map((c, i) => c.wallMs / floors[i].wallMs)),
        componentRatioCpu: median(components.map((c, i) => c.cpuMs / floors[i].cpuMs)),
        registered,
        emitted: emittedLayout(manifests),
        minimum: minimumLayout(input),
        naive: naiveLayout(input),
        yamlBytes: yamlBytes(manifests),
        manifestHeapBytes,
        memorySplit: { mockRuntimeBytes: median(floorRetained), meshguardBytes: median(meshguardRetained) },
        peakRss: 0,
    };

    if (!plan.skipPack) {
        const resources = stackResources(input, manifests);
        const { session, startup } = await startPack();
        try {
            // Warm the pack process up (JIT, gRPC buffers) on the small mesh's stack first.
            const warmUpResources = stackResources(warmUp, compileMeshPolicy(warmUp));
            await analyzeEach(session, warmUpResources);
            await analyzeStackOnce(session, warmUpResources);
            const { samples: analyze, verdicts: resourceVerdicts } = await repeat(plan.analyzeRuns, () => analyzeEach(session, resources));
            const { samples: stack, verdicts: stackVerdicts } = await repeat(plan.stackRuns, () => analyzeStackOnce(session, resources));
            const packPeakRss = childrenPeakRss();
            log(`  pack: analyze ${analyze.map((s) => s.wallMs.toFixed(0)).join(", ")} ms; analyzeStack ${stack.map((s) => s.wallMs.toFixed(0)).join(", ")} ms`);
            const inProcess = await stackPoliciesInProcess(resources, plan.inProcessRuns);
            const crowdedInput = singleNamespaceMesh(plan.services);
            const crowdedResources = stackResources(crowdedInput, compileMeshPolicy(crowdedInput));
            const crowded = await stackPoliciesInProcess(crowdedResources, plan.inProcessRuns);
            result.pack = {
                resources: resources.length,
                startup,
                analyze: medianSample(analyze),
                analyzeStack: medianSample(stack),
                stackPoliciesInProcessMs: inProcess.totalMs,
                perStackPolicyMs: inProcess.perPolicyMs,
                verdicts: { resource: resourceVerdicts, stack: stackVerdicts, inProcessStack: inProcess.violations + crowded.violations },
                packPeakRss,
                crowded: { resources: crowdedResources.length, stackPoliciesMs: crowded.totalMs, perStackPolicyMs: crowded.perPolicyMs },
            };
        } finally {
            await session.close();
        }
    }
    result.peakRss = peakRss();
    return result;
}
