import * as fs from "fs";
import * as path from "path";
import { discover, Discovery, formatDiscoveryReport, formatReplay, meshPolicyModule, parsePrometheusResponse, PrometheusInputError, PrometheusSample, replayObservedTraffic } from "../adopt";
import { MeshguardValidationError } from "../errors";
import { MeshPolicyInput, parseMeshPolicy } from "../model";
import { parseArgs, ParsedArgs, stringOption } from "./args";
import { CliIO, Command } from "./command";
import { loadSide } from "./diff";
import { ManifestLoadError } from "./manifest-files";
import { displayPath } from "./text";
import { EXIT, UsageError } from "./usage-error";

const USAGE = `Usage: meshguard discover --prometheus FILE [FILE...] [options]

Learns who calls whom from Istio's standard metrics, saved from Prometheus' HTTP API
(/api/v1/query or /api/v1/query_range answers of istio_requests_total and
istio_tcp_connections_opened_total grouped by Istio's labels; the queries are in
docs/adoption.md), and writes a MeshPolicy input: one service per called identity (namespace and
service account), one relationship per observed caller, callee and port.

Traffic that cannot become a relationship is never dropped silently: the report on stderr lists
plaintext callers, callers outside the mesh, callees without a service account, traffic the two
proxies report differently, traffic without a port, and calls that only ever failed (4xx/5xx,
not allowed by default).

Options:
  --prometheus FILE       a saved Prometheus answer (JSON); repeat it or list several files
  --format json|ts        JSON (default) or a TypeScript module exporting the input
  --merge FILE.json       add to an existing MeshPolicy input: its services and relationships
                          are kept as written, the report says which relationships are new
  --ingress-gateway NS/SA identity of the ingress gateway (default istio-ingress/istio-ingressgateway;
                          with --merge, the input's ingressGateway)
  --check PATH            instead of writing an input, replay the observed calls through the
                          simulator over the policies in PATH (YAML file or directory, or a Pulumi
                          project run offline) and list every call that would be denied,
                          or would be once a callee's dry-run policies are enforced
  --stack NAME            stack of a Pulumi project given to --check (default: dev)
  -h, --help              show this help

Exit status: 0 input written (--check: every observed call still allowed), 1 nothing could be
declared (--check: some observed call would or might be denied), 2 usage error or unreadable
input (invalid JSON, a Prometheus error answer, a file that is not a Prometheus answer, an invalid
--merge input, invalid YAML; nothing is written to stdout), 3 the --check program could not run.`;

const OPTIONS = { "prometheus": "string", "format": "string", "merge": "string", "ingress-gateway": "string", "check": "string", "stack": "string" } as const;

export const discoverCommand: Command = {
    name: "discover",
    summary: "write MeshPolicy relationships learnt from Istio's Prometheus metrics, with a report of what was left out",
    usage: USAGE,
    run: runDiscover,
};

/** Every `--prometheus FILE` (the option may repeat), and the other arguments. */
function takePrometheusFiles(args: readonly string[]): { files: string[]; rest: string[] } {
    const files: string[] = [];
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg === "--") {
            rest.push(...args.slice(i));
            break;
        }
        if (arg === "--prometheus") {
            const value = args[i + 1];
            if (value === undefined || value === "" || value.startsWith("--")) throw new UsageError("option --prometheus needs a value");
            files.push(value);
            i++;
        } else if (arg.startsWith("--prometheus=")) {
            files.push(arg.slice("--prometheus=".length));
        } else {
            rest.push(arg);
        }
    }
    return { files, rest };
}

/** A readable file's text, or an input error naming it. */
function readInput(file: string, cwd: string): string {
    const absolute = path.resolve(cwd, file);
    if (!fs.existsSync(absolute)) throw new PrometheusInputError(`${file}: no such file`);
    if (fs.statSync(absolute).isDirectory()) throw new PrometheusInputError(`${file}: is a directory (expected a saved Prometheus answer, a JSON file)`);
    return fs.readFileSync(absolute, "utf8");
}

function readExisting(file: string, cwd: string): MeshPolicyInput {
    const text = readInput(file, cwd);
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (err) {
        throw new PrometheusInputError(`${file}: invalid JSON (${(err as Error).message}). Fix: --merge takes a MeshPolicy input written as JSON`);
    }
    try {
        parseMeshPolicy(value, file);
    } catch (err) {
        if (err instanceof MeshguardValidationError) throw new PrometheusInputError(err.message);
        throw err;
    }
    return value as MeshPolicyInput;
}

function gatewayOption(text: string | undefined): { namespace: string; serviceAccount: string } | undefined {
    if (text === undefined) return undefined;
    const parts = text.split("/");
    if (parts.length !== 2 || parts[0] === "" || parts[1] === "") throw new UsageError(`--ingress-gateway must be NAMESPACE/SERVICE_ACCOUNT (got ${text})`);
    return { namespace: parts[0], serviceAccount: parts[1] };
}

async function runDiscover(args: readonly string[], io: CliIO): Promise<number> {
    const { files: named, rest } = takePrometheusFiles(args);
    const parsed = parseArgs(rest, OPTIONS);
    const files = [...named, ...parsed.positionals];
    if (named.length === 0) throw new UsageError("expected --prometheus FILE (a saved Prometheus answer)");
    const format = stringOption(parsed, "format") ?? "json";
    if (format !== "json" && format !== "ts") throw new UsageError(`--format must be json or ts (got ${format})`);
    const ingressGateway = gatewayOption(stringOption(parsed, "ingress-gateway"));
    const mergeFile = stringOption(parsed, "merge");

    const check = stringOption(parsed, "check");
    if (check !== undefined && (mergeFile !== undefined || stringOption(parsed, "format") !== undefined)) throw new UsageError("--check writes no input: it cannot be combined with --merge or --format");
    let discovery: Discovery;
    try {
        const samples: PrometheusSample[] = files.flatMap((file) => parsePrometheusResponse(readInput(file, io.cwd), displayPath(path.resolve(io.cwd, file), io.cwd)));
        if (check !== undefined) return await runCheck(samples, check, parsed, io);
        const existing = mergeFile === undefined ? undefined : readExisting(mergeFile, io.cwd);
        discovery = discover(samples, { existing, ingressGateway });
    } catch (err) {
        if (!(err instanceof PrometheusInputError)) throw err;
        io.stderr(`meshguard discover: ${err.message}\n`);
        return EXIT.usage;
    }
    io.stderr(formatDiscoveryReport(discovery, mergeFile));
    if (discovery.input === undefined) {
        io.stderr("meshguard discover: nothing to declare: no observed call became a relationship (see the report above)\n");
        return 1;
    }
    io.stdout(format === "ts" ? meshPolicyModule(discovery.input) : `${JSON.stringify(discovery.input, null, 2)}\n`);
    return EXIT.ok;
}

/** `--check PATH`: replay the observed calls over the policies of PATH. */
async function runCheck(samples: readonly PrometheusSample[], target: string, parsed: ParsedArgs, io: CliIO): Promise<number> {
    let side: { objects: unknown[]; label: string };
    try {
        side = await loadSide(target, parsed, io);
    } catch (err) {
        if (err instanceof ManifestLoadError) {
            io.stderr(`meshguard discover: cannot read the manifests:\n${err.problems.map((p) => `  ${p}\n`).join("")}`);
            return EXIT.usage;
        }
        io.stderr(`meshguard discover: ${target}: ${(err as Error).message}\n`);
        return EXIT.failed;
    }
    const replay = replayObservedTraffic(samples, side.objects);
    io.stdout(formatReplay(replay, side.label));
    return replay.wouldBreak.length + replay.partly.length + replay.breakWhenEnforced.length > 0 ? 1 : EXIT.ok;
}
