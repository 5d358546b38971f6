/**
 * The policy pack over the wire, as `pulumi preview --policy-pack` drives it: Configure, Analyze
 * every resource (8 in flight, like the CLI's analyzer run), AnalyzeStack once.
 */
import { PolicyPackSession, startPolicyPack } from "../../components/analyzer/session";
import { RegisteredResource } from "../../components/offline/recorder";
import { Sample, timeOnce } from "./stats";

const IN_FLIGHT = 8;

export async function startPack(): Promise<{ session: PolicyPackSession; startup: Sample }> {
    const { sample, result } = await timeOnce(() => startPolicyPack({ stack: "bench", project: "meshguard-bench" }));
    await result.configure();
    return { session: result, startup: sample };
}

export interface Verdicts {
    /** Verdicts of all Analyze calls. */
    resource: number;
    /** Verdicts of AnalyzeStack. */
    stack: number;
}

/** Analyze for every resource; returns the time and the number of verdicts. */
export async function analyzeEach(session: PolicyPackSession, resources: readonly RegisteredResource[]): Promise<{ sample: Sample; verdicts: number }> {
    let verdicts = 0;
    const { sample } = await timeOnce(async () => {
        let next = 0;
        const worker = async () => {
            while (next < resources.length) {
                const resource = resources[next++];
                verdicts += (await session.analyze(resource, resources)).verdicts.length;
            }
        };
        await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, resources.length) }, worker));
    });
    return { sample, verdicts };
}

export async function analyzeStackOnce(session: PolicyPackSession, resources: readonly RegisteredResource[]): Promise<{ sample: Sample; verdicts: number }> {
    const { sample, result } = await timeOnce(() => session.analyzeStack(resources));
    return { sample, verdicts: result.verdicts.length };
}

/** `runs` timed runs of one pack call: every sample, and the verdict count of the last run. */
export async function repeat(runs: number, run: () => Promise<{ sample: Sample; verdicts: number }>): Promise<{ samples: Sample[]; verdicts: number }> {
    const samples: Sample[] = [];
    let verdicts = 0;
    for (let i = 0; i < runs; i++) {
        const result = await run();
        samples.push(result.sample);
        verdicts = result.verdicts;
    }
    return { samples, verdicts };
}
