/**
 * Interactive latency: what a user (a pre-commit hook, an editor on save) waits for, as ratios to
 * the cost of loading Node and the Pulumi SDKs measured in the same run. Each round runs every
 * command once, in the same order, as its own process; the ratios are medians of the per-round
 * ratios, so machine-load drift between rounds cancels out.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { median } from "./stats";

const ROOT = path.join(__dirname, "..", "..");
const LAUNCHER = path.join(ROOT, "bin", "meshguard.js");
const SDK_DEFERRAL = path.join(ROOT, "bin", "module-deferral-register.js");
const SMALL_FILE = path.join(ROOT, "test", "fixtures", "manifests", "secure", "shop.yaml");
const WORKLOADS_FILE = path.join(ROOT, "test", "fixtures", "manifests", "secure", "workloads.yaml");

export interface LatencyCommand {
    readonly key: string;
    readonly label: string;
    readonly argv: readonly string[];
    /** Exit codes that mean "ran as intended" (explain exits 1 for a denied request). */
    readonly exitCodes: readonly number[];
}

export interface LatencyTarget {
    /** The command measured. */
    readonly command: string;
    /** The floor it is compared with. */
    readonly floor: string;
    readonly max: number;
}

export interface LatencyResult {
    rounds: number;
    /** Median wall milliseconds per command key. */
    medianMs: Record<string, number>;
    /** Per-round wall milliseconds per command key. */
    samples: Record<string, number[]>;
    /** Median per-round ratio for each target (command / floor). */
    ratios: { target: LatencyTarget; ratio: number }[];
    /** The same, without a target, against the SDKs loaded as meshguard's processes load them. */
    context: { command: string; floor: string; ratio: number }[];
}

/** The commands of one round; `outDir` receives `npm start`'s output. */
export function latencyCommands(outDir: string): LatencyCommand[] {
    const node = process.execPath;
    return [
        { key: "floor", label: "`node -e 'require(\"@pulumi/pulumi\"); require(\"@pulumi/policy\")'` (the floor)", argv: [node, "-e", 'require("@pulumi/pulumi"); require("@pulumi/policy")'], exitCodes: [0] },
        {
            key: "floorDeferred",
            label: "the floor with the SDKs' unused modules deferred (bin/module-deferral.js), as meshguard's processes load them",
            argv: [node, "-r", SDK_DEFERRAL, "-e", 'require("@pulumi/pulumi"); require("@pulumi/policy")'],
            exitCodes: [0],
        },
        { key: "pulumi", label: "`node -e 'require(\"@pulumi/pulumi\")'`", argv: [node, "-e", 'require("@pulumi/pulumi")'], exitCodes: [0] },
        { key: "check", label: "`meshguard check` on one small YAML file (5 objects)", argv: [node, LAUNCHER, "check", SMALL_FILE], exitCodes: [0] },
        {
            key: "explain",
            label: "`meshguard explain` on YAML (2 files)",
            argv: [node, LAUNCHER, "explain", WORKLOADS_FILE, SMALL_FILE, "--to", "shop/backend", "--from-workload", "shop/frontend"],
            exitCodes: [0, 1],
        },
        { key: "start", label: "`npm start` (the flagship: preview with the policy pack)", argv: ["npm", "start", "--silent", "--", "--quiet", "--out", outDir], exitCodes: [0] },
    ];
}

export const LATENCY_TARGETS: readonly LatencyTarget[] = [
    { command: "check", floor: "floor", max: 1.5 },
    { command: "explain", floor: "pulumi", max: 1.2 },
    { command: "start", floor: "floor", max: 2 },
];

/**
 * meshguard's own share: the same commands against the floor as its processes load the SDKs
 * (without the modules they never use), so the targets' headroom is not mistaken for meshguard's cost.
 */
export const LATENCY_CONTEXT: readonly { command: string; floor: string }[] = [
    { command: "check", floor: "floorDeferred" },
    { command: "start", floor: "floorDeferred" },
];

function perRoundRatio(samples: Record<string, number[]>, command: string, floor: string): number {
    return median(samples[command].map((ms, i) => ms / samples[floor][i]));
}

function timeCommand(command: LatencyCommand): number {
    const start = process.hrtime.bigint();
    const run = spawnSync(command.argv[0], command.argv.slice(1), { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, MESHGUARD_TIMINGS: "" } });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (run.status === null || !command.exitCodes.includes(run.status)) {
        throw new Error(`${command.argv.join(" ")} exited with ${run.status ?? run.signal}: ${String(run.stderr).slice(-2000)}`);
    }
    return ms;
}

/** `rounds` rounds after one warm-up round (the compile cache and the OS file cache fill up). */
export function measureLatency(rounds: number, log: (line: string) => void): LatencyResult {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "meshguard-latency-"));
    try {
        const commands = latencyCommands(outDir);
        for (const command of commands) timeCommand(command);
        const samples: Record<string, number[]> = Object.fromEntries(commands.map((c) => [c.key, []]));
        for (let round = 0; round < rounds; round++) {
            for (const command of commands) samples[command.key].push(timeCommand(command));
            log(`  latency round ${round + 1}/${rounds}: ${commands.map((c) => `${c.key} ${samples[c.key][round].toFixed(0)} ms`).join(", ")}`);
        }
        return {
            rounds,
            samples,
            medianMs: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])),
            ratios: LATENCY_TARGETS.map((target) => ({ target, ratio: perRoundRatio(samples, target.command, target.floor) })),
            context: LATENCY_CONTEXT.map(({ command, floor }) => ({ command, floor, ratio: perRoundRatio(samples, command, floor) })),
        };
    } finally {
        fs.rmSync(outDir, { recursive: true, force: true });
    }
}
