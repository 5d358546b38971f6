/* eslint-disable @typescript-eslint/no-require-imports -- the gRPC client loads on use, after the pack was started */
import { defaultPackDir, launchPolicyPack, PackProcess } from "../analyzer/pack-process";
import { ConnectedSession } from "../analyzer/run";
import { PolicyPackRunResult } from "../analyzer/types";
import { K8sManifest } from "../manifest";
import { RegisteredResource } from "../offline/recorder";
import { timing } from "../timings";
import { progressLine, TerminalIO } from "./progress";

/** Options shared by `preview` and `check`: the pack's configuration and where progress goes. */
export interface GateOptions {
    /** Policy configuration as `pulumi preview --policy-pack-config` reads it. */
    readonly config?: Record<string, unknown>;
    readonly io: TerminalIO;
    /** The pack process, when started early (launchPackEarly); otherwise it is started now. */
    readonly launched?: Promise<PackProcess>;
    readonly connected?: Promise<ConnectedSession>;
}

/**
 * meshguard's policy pack, started before the command reads its input, so that the pack's own
 * start-up (a Node process loading both Pulumi SDKs and the policies) overlaps the reading.
 */
export interface EarlyPack {
    /** The pack process once it printed its port (rejects as `launchPolicyPack` does). */
    readonly launched: Promise<PackProcess>;
    /** The session connected early (`connectAs`), if asked for. */
    readonly connected?: Promise<ConnectedSession>;
    /** Stops the pack unless it already stopped (idempotent; never rejects). */
    stop(): Promise<void>;
}

/**
 * Starts meshguard's pack. With `connectAs` (the stack and project a program run will register
 * under, asked for once the pack's process is spawned: reading them may take a while), the session
 * also connects (handshake, ConfigureStack, GetAnalyzerInfo) as soon as the pack listens, while
 * the program still runs.
 */
export function launchPackEarly(connectTo?: () => { readonly stack: string; readonly project: string } | undefined): EarlyPack {
    const launched = launchPolicyPack(defaultPackDir());
    const connectAs = connectTo?.();
    // A start failure surfaces where the pack is used; until then it must not count as unhandled.
    launched.then(() => timing("policy pack listening"), () => undefined);
    const connected =
        connectAs === undefined
            ? undefined
            : launched.then(async () => {
                  const { startPolicyPack } = require("../analyzer/session") as typeof import("../analyzer/session");
                  const session = await startPolicyPack({ launched, ...connectAs });
                  await session.info();
                  timing("policy pack connected early");
                  return { session, ...connectAs };
              });
    connected?.catch(() => undefined);
    const stopPack = () => launched.then((pack) => pack.stop().then(() => timing("policy pack stopped")), () => undefined);
    return {
        launched,
        connected,
        stop: async () => {
            await connected?.then((c) => c.session.close(), () => undefined);
            await stopPack();
        },
    };
}

/** Runs the policy pack over the analyzer gRPC protocol for a program's registrations. */
export function analyzeRegistrations(resources: readonly RegisteredResource[], options: GateOptions): Promise<PolicyPackRunResult> {
    const { runPolicyPack } = require("../analyzer/run") as typeof import("../analyzer/run");
    return withProgress(options, "analyzing resources", resources.length, (onProgress) => runPolicyPack(resources, { config: options.config, onProgress, launched: options.launched, connected: options.connected }));
}

/** Runs the same pack over plain Kubernetes objects (stack policies see them all together). */
export function analyzeObjects(objects: readonly K8sManifest[], options: GateOptions): Promise<PolicyPackRunResult> {
    const { analyzeManifests } = require("../analyzer/run") as typeof import("../analyzer/run");
    return withProgress(options, "analyzing objects", objects.length, (onProgress) => analyzeManifests(objects, { config: options.config, onProgress, launched: options.launched }));
}

async function withProgress<T>(options: GateOptions, what: string, expected: number, run: (onProgress: (done: number, total: number) => void) => Promise<T>): Promise<T> {
    const progress = progressLine(options.io, what, expected);
    try {
        return await run((done, total) => progress.update(done, total));
    } finally {
        progress.finish();
        timing("policy pack done");
    }
}
