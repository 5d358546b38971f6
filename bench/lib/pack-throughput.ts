/**
 * Analyze throughput of a policy pack over the analyzer protocol: meshguard's pack against the
 * empty pack (bench/empty-pack: one no-op policy on the same @pulumi/policy), on the same stack.
 */
import * as path from "path";
import { PolicyPackSession, startPolicyPack } from "../../components/analyzer/session";
import { RegisteredResource } from "../../components/offline/recorder";
import { analyzeEach } from "./pack";

export const EMPTY_PACK_DIR = path.join(__dirname, "..", "empty-pack");

export interface Throughput {
    /** Resources per second, one value per run. */
    meshguard: number[];
    empty: number[];
}

async function started(packDir: string | undefined): Promise<PolicyPackSession> {
    const session = await startPolicyPack({ packDir, stack: "bench", project: "meshguard-bench" });
    await session.configure();
    return session;
}

/**
 * Both packs run at once (each its own process); the passes alternate between them so machine
 * load affects both alike. One warm-up pass each on `warmUp` first (JIT on both sides of the wire).
 */
export async function packThroughput(resources: readonly RegisteredResource[], warmUp: readonly RegisteredResource[], runs: number): Promise<Throughput> {
    const meshguard = await started(undefined);
    const empty = await started(EMPTY_PACK_DIR);
    try {
        await analyzeEach(meshguard, warmUp);
        await analyzeEach(empty, warmUp);
        const result: Throughput = { meshguard: [], empty: [] };
        for (let i = 0; i < runs; i++) {
            result.empty.push(resources.length / ((await analyzeEach(empty, resources)).sample.wallMs / 1000));
            result.meshguard.push(resources.length / ((await analyzeEach(meshguard, resources)).sample.wallMs / 1000));
        }
        return result;
    } finally {
        await Promise.all([meshguard.close(), empty.close()]);
    }
}
