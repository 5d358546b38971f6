import * as pulumi from "@pulumi/pulumi";
import { loadProject, PulumiProject } from "./project";
import { OfflineRecorder, RegisteredResource } from "./recorder";
import { DEFAULT_TIMEOUT_SECONDS, DidNotSettle, settleWithin, StallReason } from "./settle";
import { programStackLines } from "./program-stack";
import { registerProgramTypeScript } from "./typescript-loader";

export interface OfflineRunOptions {
    /** Stack name (default "dev"); its `Pulumi.<stack>.yaml` supplies config when present. */
    stack?: string;
    /** Mirror `pulumi preview` (default) rather than `pulumi up`. */
    preview?: boolean;
    /** Wall-clock limit for the program and its registrations, in seconds (default DEFAULT_TIMEOUT_SECONDS). */
    timeoutSeconds?: number;
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
    const constructed: string[] = [];
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const work = (async () => {
        const result = await sdk.runtime.runInPulumiStack(() => {
            sdk.runtime.registerStackTransformation((args) => {
                constructed.push(`${args.type} ${args.name}`);
                return undefined;
            });
            return runEntryPoint(project.main);
        });
        await waitForRegistrations(sdk);
        return result;
    })();
    try {
        outputs = ((await settleWithin(work, {
            timeoutMs: timeoutSeconds * 1000,
            describe: (reason) => stalledMessage(project, reason, timeoutSeconds, pending(constructed, recorder.resources)),
        })) ?? {}) as Record<string, unknown>;
    } catch (err) {
        failures.unshift(err);
    } finally {
        // Rejections of registrations surface a tick later; let them arrive before deciding.
        await new Promise((resolve) => setImmediate(resolve));
        process.off("unhandledRejection", onFailure);
        process.off("uncaughtException", onFailure);
    }
    if (failures.length > 0) {
        if (failures[0] instanceof DidNotSettle) throw failures[0];
        throw programError(project, failures[0], recorder.invokes, options.verbose === true);
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

/** Resources the program constructed whose registration never completed (their inputs never resolved). */
function pending(constructed: readonly string[], registered: readonly RegisteredResource[]): string[] {
    const done = new Set(registered.map((r) => `${r.type} ${r.name}`));
    return constructed.filter((c) => !done.has(c));
}

const PENDING_SHOWN = 5;

function stalledMessage(project: PulumiProject, reason: StallReason, timeoutSeconds: number, waiting: readonly string[]): string {
    const how = reason === "timeout"
        ? `did not finish within ${timeoutSeconds} s (--timeout)`
        : "did not settle: it is waiting on a promise that nothing can resolve any more (Node's event loop is empty)";
    const what = waiting.length === 0
        ? "the program's own code (its exported function or a promise it awaits) never finished"
        : `waiting for the inputs of ${waiting.length} ${waiting.length === 1 ? "resource" : "resources"}: ${waiting.slice(0, PENDING_SHOWN).join(", ")}${waiting.length > PENDING_SHOWN ? `, and ${waiting.length - PENDING_SHOWN} more` : ""} (an Output or promise among their inputs never resolves)`;
    const fix = reason === "timeout"
        ? "Fix: make every promise the program awaits settle, or raise --timeout if it is only slow."
        : "Fix: make every promise the program awaits, and every Output given as an input, resolve or reject.";
    return `program ${project.name} (${project.main}) ${how}; ${what}. ${fix}`;
}

function programError(project: PulumiProject, cause: unknown, invokes: readonly string[], verbose: boolean): Error {
    const message = cause instanceof Error ? cause.message : String(cause);
    const reasons = [message.trim(), invokes.length === 0 ? "" : invokeProblem(invokes[0])].filter((r) => r !== "");
    const stack = programStackLines(cause, project.dir, verbose);
    const err = new Error([`program ${project.name} (${project.main}) failed: ${reasons.join("; ") || "(the error carries no message)"}`, ...stack].join("\n"));
    (err as Error & { cause?: unknown }).cause = cause;
    return err;
}

/** The Helm v3 Chart renders its templates through this provider function. */
const HELM_TEMPLATE = "kubernetes:helm:template";

function invokeProblem(token: string): string {
    const by = token === HELM_TEMPLATE ? " (helm.v3.Chart renders its chart through it)" : "";
    const alternative = token === HELM_TEMPLATE
        ? "use helm.v4.Chart, which the offline preview shows as one component, or run a real `pulumi preview` against a cluster"
        : "run a real `pulumi preview`, or give the program the value through stack configuration when it runs offline";
    return `it invoked the provider function "${token}"${by}, which the offline preview cannot run: no provider, cluster or cloud is involved. Fix: ${alternative}.`;
}
