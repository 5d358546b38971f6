import { analyzeManifests, PolicyPackRunResult, runPolicyPack } from "../analyzer";
import { K8sManifest } from "../manifest";
import { RegisteredResource } from "../offline";
import { progressLine, TerminalIO } from "./progress";

/** Options shared by `preview` and `check`: the pack's configuration and where progress goes. */
export interface GateOptions {
    /** Policy configuration as `pulumi preview --policy-pack-config` reads it. */
    readonly config?: Record<string, unknown>;
    readonly io: TerminalIO;
}

/** Runs the policy pack over the analyzer gRPC protocol for a program's registrations. */
export function analyzeRegistrations(resources: readonly RegisteredResource[], options: GateOptions): Promise<PolicyPackRunResult> {
    return withProgress(options, "analyzing resources", resources.length, (onProgress) => runPolicyPack(resources, { config: options.config, onProgress }));
}

/** Runs the same pack over plain Kubernetes objects (stack policies see them all together). */
export function analyzeObjects(objects: readonly K8sManifest[], options: GateOptions): Promise<PolicyPackRunResult> {
    return withProgress(options, "analyzing objects", objects.length, (onProgress) => analyzeManifests(objects, { config: options.config, onProgress }));
}

async function withProgress<T>(options: GateOptions, what: string, expected: number, run: (onProgress: (done: number, total: number) => void) => Promise<T>): Promise<T> {
    const progress = progressLine(options.io, what, expected);
    try {
        return await run((done, total) => progress.update(done, total));
    } finally {
        progress.finish();
    }
}
