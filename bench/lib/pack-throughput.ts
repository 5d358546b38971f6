/**
 * Analyze throughput of a policy pack over the analyzer protocol, on the same stack, for three
 * packs built with the same @pulumi/policy: meshguard's; the SDK floor for its shape
 * (bench/sdk-floor-pack: the same 29 policies with their checks taken out); the empty pack
 * (bench/empty-pack: one no-op policy). Both the wall-clock throughput and the CPU each pack
 * process spent are recorded per pass.
 */
import * as path from "path";
import { defaultPackDir, launchPolicyPack } from "../../components/analyzer/pack-process";
import { PolicyPackSession, startPolicyPack } from "../../components/analyzer/session";
import { RegisteredResource } from "../../components/offline/recorder";
import { analyzeEach } from "./pack";
import { processCpuMs } from "./process-cpu";

export const EMPTY_PACK_DIR = path.join(__dirname, "..", "empty-pack");
export const SDK_FLOOR_PACK_DIR = path.join(__dirname, "..", "sdk-floor-pack");

export type ThroughputPack = "meshguard" | "sdkFloor" | "empty";
export const THROUGHPUT_PACKS: readonly ThroughputPack[] = ["empty", "sdkFloor", "meshguard"];

export interface PackPass {
    /** Resources per second (wall clock, the bench client driving 8 requests in flight). */
    perSecond: number;
    /** CPU milliseconds the pack process spent on the pass (undefined without /proc). */
    packCpuMs: number | undefined;
}

/** One entry per run, per pack. */
export type Throughput = Record<ThroughputPack, PackPass[]>;

interface RunningPack {
    readonly session: PolicyPackSession;
    readonly pid: number | undefined;
}

async function started(packDir: string): Promise<RunningPack> {
    const launched = launchPolicyPack(packDir);
    const pid = (await launched).child.pid;
    const session = await startPolicyPack({ packDir, launched, stack: "bench", project: "meshguard-bench" });
    await session.configure();
    return { session, pid };
}

async function pass(pack: RunningPack, resources: readonly RegisteredResource[]): Promise<PackPass> {
    const before = processCpuMs(pack.pid);
    const { sample } = await analyzeEach(pack.session, resources);
    const after = processCpuMs(pack.pid);
    return {
        perSecond: resources.length / (sample.wallMs / 1000),
        packCpuMs: before === undefined || after === undefined ? undefined : after - before,
    };
}

/**
 * The three packs run at once (each its own process); within a run the passes alternate between
 * them so machine load affects all alike. Each pack first gets `warmUpPasses` untimed passes over
 * the whole stack: the first pass on cold code costs about a quarter more CPU than the next.
 */
export async function packThroughput(resources: readonly RegisteredResource[], runs: number, warmUpPasses = 1): Promise<Throughput> {
    const packs = {} as Record<ThroughputPack, RunningPack>;
    try {
        packs.meshguard = await started(defaultPackDir());
        packs.sdkFloor = await started(SDK_FLOOR_PACK_DIR);
        packs.empty = await started(EMPTY_PACK_DIR);
        for (let i = 0; i < warmUpPasses; i++) for (const name of THROUGHPUT_PACKS) await pass(packs[name], resources);
        const result: Throughput = { meshguard: [], sdkFloor: [], empty: [] };
        for (let i = 0; i < runs; i++) for (const name of THROUGHPUT_PACKS) result[name].push(await pass(packs[name], resources));
        return result;
    } finally {
        await Promise.all(Object.values(packs).map((p) => p.session.close()));
    }
}
