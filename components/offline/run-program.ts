import * as pulumi from "@pulumi/pulumi";
import { loadProject, PulumiProject } from "./project";
import { OfflineRecorder, RegisteredResource } from "./recorder";
import { programStackLines } from "./program-stack";
import { registerProgramTypeScript } from "./typescript-loader";

export interface OfflineRunOptions {
    /** Stack name (default "dev"); its `Pulumi.<stack>.yaml` supplies config when present. */
    stack?: string;
    /** Mirror `pulumi preview` (default) rather than `pulumi up`. */
    preview?: boolean;
    /** On failure, show the program error's whole stack rather than only the program's own frames. */
    verbose?: boolean;
}

/** What a program registered when run offline. */
export interface OfflineRun {
    readonly project: PulumiProject;
    readonly stack: string;
    readonly resources: readonly RegisteredResource[];
    readonly outputs: Record<string, unknown>;
}

const recorder = new OfflineRecorder();

/**
 * Runs the Pulumi program of the project in `dir` in this process under the SDK's mock runtime
 * (no engine, no cluster) and returns every registration it made. Runs are sequential: the SDK's
 * runtime state is process-wide. TypeScript programs are compiled as the Pulumi CLI compiles them.
 */
export async function runProgramOffline(dir: string, options: OfflineRunOptions = {}): Promise<OfflineRun> {
    const stack = options.stack ?? "dev";
    const project = loadProject(dir, stack);
    const sdk = programSdk(project);
    registerProgramTypeScript(project.dir);
    await recorder.install({ project: project.name, stack, preview: options.preview ?? true, config: project.config }, sdk);

    const failures: unknown[] = [];
    const onFailure = (err: unknown) => failures.push(err);
    process.on("unhandledRejection", onFailure);
    process.on("uncaughtException", onFailure);
    let outputs: Record<string, unknown> = {};
    try {
        outputs = ((await sdk.runtime.runInPulumiStack(() => runEntryPoint(project.main))) ?? {}) as Record<string, unknown>;
        await waitForRegistrations(sdk);
    } catch (err) {
        failures.unshift(err);
    } finally {
        // Rejections of registrations surface a tick later; let them arrive before deciding.
        await new Promise((resolve) => setImmediate(resolve));
        process.off("unhandledRejection", onFailure);
        process.off("uncaughtException", onFailure);
    }
    if (failures.length > 0) {
        throw programError(project, failures[0], options.verbose === true);
    }
    return { project, stack, resources: [...recorder.resources], outputs };
}

async function runEntryPoint(main: string): Promise<unknown> {
    // A fresh evaluation every run, as `pulumi preview` would do in a new process.
    delete require.cache[require.resolve(main)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(main);
    const entry = typeof mod === "function" ? mod : typeof mod?.default === "function" ? mod.default : undefined;
    return entry ? await entry() : mod;
}

/** The `@pulumi/pulumi` the program itself resolves: mocks must be installed in that copy. */
function programSdk(project: PulumiProject): typeof pulumi {
    let resolved: string;
    try {
        resolved = require.resolve("@pulumi/pulumi", { paths: [project.dir] });
    } catch {
        return pulumi;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(resolved) as typeof pulumi;
}

async function waitForRegistrations(sdk: typeof pulumi): Promise<void> {
    const runtime = sdk.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    if (runtime.waitForRPCs) await runtime.waitForRPCs();
}

function programError(project: PulumiProject, cause: unknown, verbose: boolean): Error {
    const message = cause instanceof Error ? cause.message : String(cause);
    const stack = programStackLines(cause, project.dir, verbose);
    const err = new Error([`program ${project.name} (${project.main}) failed: ${message}`, ...stack].join("\n"));
    (err as Error & { cause?: unknown }).cause = cause;
    return err;
}
