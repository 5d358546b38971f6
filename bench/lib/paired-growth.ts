/**
 * Growth factors of the in-process timings, measured in ONE process by alternating the two sizes:
 * compile(small), compile(large), each stack policy on small then large, and so on, several runs.
 * Each factor is the median of the per-run ratios large / small, so machine-load drift and the heap
 * left by other phases (which separate per-size processes do not share) cancel out.
 */
import { compileMeshPolicy } from "../../components/compile/mesh-policy";
import { RegisteredResource } from "../../components/offline/recorder";
import { MeshPolicyInput } from "../../components/model/mesh-policy";
import { singleNamespaceMesh, syntheticMesh } from "../synthetic-mesh";
import { policyResources, runStackPolicy, stackPolicies, timeStackPolicy } from "./stack-policies";
import { stackResources } from "./stack-resources";
import { gc, median, timeOnce } from "./stats";

export interface PairedGrowth {
    small: number;
    large: number;
    runs: number;
    /** Median of per-run ratios large / small, by measure (`compile`, `stack:<policy>`, `crowded:<policy>`). */
    factors: Record<string, number>;
}

async function wallMs(fn: () => unknown): Promise<number> {
    gc();
    return (await timeOnce(fn)).sample.wallMs;
}

interface Side {
    input: MeshPolicyInput;
    resources: readonly RegisteredResource[];
}

function side(mesh: (n: number) => MeshPolicyInput, services: number): Side {
    const input = mesh(services);
    return { input, resources: stackResources(input, compileMeshPolicy(input)) };
}

export async function measurePairedGrowth(small: number, large: number, runs: number, log: (line: string) => void): Promise<PairedGrowth> {
    const meshes = { stack: syntheticMesh, crowded: singleNamespaceMesh };
    const sides = Object.fromEntries(Object.entries(meshes).map(([key, mesh]) => [key, [side(mesh, small), side(mesh, large)]])) as Record<keyof typeof meshes, [Side, Side]>;
    const ratios: Record<string, number[]> = {};
    const add = (key: string, a: number, b: number) => (ratios[key] ??= []).push(b / a);
    // Warm-up: every code path once, at the small size.
    compileMeshPolicy(sides.stack[0].input);
    for (const policy of stackPolicies) await runStackPolicy(policy, policyResources(sides.stack[0].resources));
    for (let run = 0; run < runs; run++) {
        const [a, b] = sides.stack;
        add("compile", await wallMs(() => compileMeshPolicy(a.input)), await wallMs(() => compileMeshPolicy(b.input)));
        for (const key of Object.keys(meshes) as (keyof typeof meshes)[]) {
            const [s, l] = sides[key];
            let totalSmall = 0;
            let totalLarge = 0;
            for (const policy of stackPolicies) {
                const timeSmall = (await timeStackPolicy(policy, s.resources)).wallMs;
                const timeLarge = (await timeStackPolicy(policy, l.resources)).wallMs;
                add(`${key}:${policy.name}`, timeSmall, timeLarge);
                totalSmall += timeSmall;
                totalLarge += timeLarge;
            }
            add(`${key}:total`, totalSmall, totalLarge);
        }
        log(`  paired run ${run + 1}/${runs}: compile ×${ratios["compile"][run].toFixed(2)}, stack policies ×${ratios["stack:total"][run].toFixed(2)}, crowded ×${ratios["crowded:total"][run].toFixed(2)}`);
    }
    return { small, large, runs, factors: Object.fromEntries(Object.entries(ratios).map(([key, values]) => [key, median(values)])) };
}
