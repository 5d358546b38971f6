/**
 * `npm run bench`: interactive latency (check, explain, npm start against the cost of loading the
 * Pulumi SDKs), policy pack throughput against an empty pack, MeshPolicy compile and registration,
 * emitted objects, policy pack timings and memory for synthetic meshes of 100 / 1,000 / 5,000
 * services; writes BENCHMARKS.md.
 *
 *   node -r ts-node/register/transpile-only --conditions=meshguard-source bench/run.ts [options]
 *     --quick            the latency part alone (under a minute); prints, writes nothing
 *     --throughput       the pack throughput part alone (about two minutes); prints, writes nothing
 *     --sizes=A,B,...    mesh sizes (services)
 *     --runs=N           compile and floor/component runs per size (default: 5 compile runs; 5
 *                        floor/component pairs, 3 above 200 services, where one registration
 *                        takes up to a minute; 7 in-process stack-policy runs)
 *     --no-pack          skip the policy pack
 *     --out=FILE         report file (default BENCHMARKS.md; --out=- prints only)
 *
 * Each size is measured in its own Node process (same loader flags, plus --expose-gc), so peak
 * memory and GC pressure belong to that size alone. A last process alternates the two largest
 * sizes for the growth factors of the in-process timings (compile, stack policies).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LatencyResult, measureLatency } from "./lib/latency";
import { measureSize, SizePlan, SizeResult } from "./lib/measure-size";
import { packThroughput, Throughput, THROUGHPUT_PACKS } from "./lib/pack-throughput";
import { measurePairedGrowth, PairedGrowth } from "./lib/paired-growth";
import { correctnessProblems, InteractiveResults, latencySection, renderReport, throughputSection } from "./lib/report";
import { syntheticStack } from "./policy-pack";

const RESULT_PREFIX = "BENCH-RESULT ";
/** Alternating small/large runs for the paired growth factors (each run: a few seconds at 5,000 services). */
const PAIRED_RUNS = 7;
const DEFAULT_SIZES = [100, 1000, 5000];
/** Latency rounds: a round takes a few seconds (npm start is most of it). */
const LATENCY_ROUNDS = 11;
const QUICK_LATENCY_ROUNDS = 7;
/** The pack throughput stack (resources) and timed passes per pack (after one warm-up pass each). */
const THROUGHPUT_RESOURCES = 10_000;
const THROUGHPUT_RUNS = 5;

interface Options {
    sizes: number[];
    runs?: number;
    quick: boolean;
    throughputOnly: boolean;
    pack: boolean;
    out: string | undefined;
}

function parseOptions(argv: readonly string[]): Options {
    const options: Options = { sizes: DEFAULT_SIZES, quick: false, throughputOnly: false, pack: true, out: "BENCHMARKS.md" };
    for (const arg of argv) {
        const [flag, value] = arg.split("=", 2);
        if (flag === "--quick") {
            options.quick = true;
            options.out = undefined;
        } else if (flag === "--throughput") {
            options.throughputOnly = true;
            options.out = undefined;
        } else if (flag === "--sizes" && value !== undefined) {
            options.sizes = value.split(",").map((v) => Number(v.replace(/_/g, "")));
        } else if (flag === "--runs" && value !== undefined) {
            options.runs = Number(value);
        } else if (flag === "--no-pack") {
            options.pack = false;
        } else if (flag === "--out" && value !== undefined) {
            options.out = value === "-" ? undefined : value;
        } else {
            throw new Error(`unknown option ${arg} (options: --quick, --throughput, --sizes=A,B, --runs=N, --no-pack, --out=FILE|-)`);
        }
    }
    if (options.sizes.some((n) => !Number.isInteger(n) || n < 2)) throw new Error("--sizes takes integers of at least 2");
    if (options.runs !== undefined && !(Number.isInteger(options.runs) && options.runs >= 1)) throw new Error("--runs takes a positive integer");
    return options;
}

/** Fewer repetitions at large sizes keep the whole run within a few minutes. */
function planFor(services: number, options: Options): SizePlan {
    const large = services > 2000;
    return {
        services,
        compileRuns: options.runs ?? 5,
        runs: options.runs ?? (services > 200 ? 3 : 5),
        analyzeRuns: large ? 1 : 2,
        stackRuns: large ? 2 : services > 200 ? 3 : 5,
        inProcessRuns: 7,
        skipPack: !options.pack,
    };
}

/** Runs one measurement (a size, or the paired growth) in a child process running this file in `mode`. */
function measureInChild<T>(mode: "--child" | "--child-growth", plan: object, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
        const args = [...process.execArgv, "--expose-gc", __filename, mode, JSON.stringify(plan)];
        const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
        let stdout = "";
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", (chunk: string) => (stdout += chunk));
        child.once("error", reject);
        child.once("exit", (code, signal) => {
            const line = stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
            if (code !== 0 || line === undefined) {
                reject(new Error(`measuring ${what} failed (${signal ?? `exit code ${code}`})`));
                return;
            }
            resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as T);
        });
    });
}

async function child(planJson: string): Promise<void> {
    const plan = JSON.parse(planJson) as SizePlan;
    const result = await measureSize(plan, (line) => process.stderr.write(`${line}\n`));
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

async function growthChild(planJson: string): Promise<void> {
    const { small, large, runs } = JSON.parse(planJson) as { small: number; large: number; runs: number };
    const result = await measurePairedGrowth(small, large, runs, (line) => process.stderr.write(`${line}\n`));
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

async function measureThroughput(log: (line: string) => void): Promise<{ result: Throughput; resources: number }> {
    log(`== policy pack throughput: ${THROUGHPUT_RESOURCES} resources; meshguard's pack, the SDK floor for its shape, the empty pack`);
    const result = await packThroughput(syntheticStack(THROUGHPUT_RESOURCES), THROUGHPUT_RUNS);
    for (const name of THROUGHPUT_PACKS) {
        const passes = result[name].map((p) => `${p.perSecond.toFixed(0)}/s${p.packCpuMs === undefined ? "" : ` (pack CPU ${(p.packCpuMs / 1000).toFixed(2)} s)`}`);
        log(`  ${name}: ${passes.join(", ")}`);
    }
    return { result, resources: THROUGHPUT_RESOURCES };
}

async function main(argv: readonly string[]): Promise<number> {
    if (argv[0] === "--child") {
        await child(argv[1]);
        return 0;
    }
    if (argv[0] === "--child-growth") {
        await growthChild(argv[1]);
        return 0;
    }
    const options = parseOptions(argv);
    const startedAt = new Date();
    const loadBefore = os.loadavg();
    const log = (line: string) => process.stderr.write(`${line}\n`);
    if (options.quick) {
        log("== latency (--quick: this part alone)");
        const latency = measureLatency(QUICK_LATENCY_ROUNDS, log);
        process.stdout.write(`## Latency\n\n${latencySection(latency)}\n`);
        return 0;
    }
    if (options.throughputOnly) {
        const throughput = await measureThroughput(log);
        process.stdout.write(`## Policy pack throughput against an empty pack\n\n${throughputSection(throughput.result, throughput.resources)}\n`);
        return 0;
    }
    const interactive: InteractiveResults = {};
    log("== latency");
    const latency: LatencyResult = measureLatency(LATENCY_ROUNDS, log);
    interactive.latency = latency;
    if (options.pack) interactive.throughput = await measureThroughput(log);
    const results: SizeResult[] = [];
    for (const services of options.sizes) {
        process.stderr.write(`== ${services} services\n`);
        results.push(await measureInChild<SizeResult>("--child", planFor(services, options), `${services} services`));
    }
    const sorted = [...options.sizes].sort((a, b) => a - b);
    let paired: PairedGrowth | undefined;
    if (sorted.length >= 2 && options.pack) {
        const plan = { small: sorted[sorted.length - 2], large: sorted[sorted.length - 1], runs: PAIRED_RUNS };
        process.stderr.write(`== growth ${plan.small} → ${plan.large} services, paired in one process\n`);
        paired = await measureInChild<PairedGrowth>("--child-growth", plan, `the paired growth ${plan.small} → ${plan.large}`);
    }
    const report = renderReport(results, paired, {
        startedAt,
        finishedAt: new Date(),
        loadBefore,
        loadAfter: os.loadavg(),
        command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(" ")}` : ""}`,
    }, interactive);
    process.stdout.write(`${report}\n`);
    if (options.out !== undefined) {
        const file = path.resolve(__dirname, "..", options.out);
        fs.writeFileSync(file, report);
        process.stderr.write(`wrote ${file}\n`);
    }
    const problems = correctnessProblems(results);
    for (const problem of problems) process.stderr.write(`FAIL: ${problem}\n`);
    return problems.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (err: unknown) => {
        process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exitCode = 1;
    },
);
