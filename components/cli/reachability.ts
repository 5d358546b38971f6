import {
    AuthorizationSimulator,
    defaultProbes,
    formatDataplanes,
    hasAmbient,
    NamespaceDataplane,
    namespaceDataplanes,
    PairReachability,
    ProbeOutcome,
    reachability,
    ReachabilityProbe,
    ReachabilityReport,
    SimWorkload,
} from "../simulate";
import { parseArgs, stringOption } from "./args";
import { CliIO, Command } from "./command";
import { DEFAULT_TIMEOUT_SECONDS } from "../offline/settle";
import { INPUT_OPTIONS, readInputObjects } from "./input-objects";
import { shown } from "./text";
import { EXIT, UsageError } from "./usage-error";

const USAGE = `Usage: meshguard reachability (FILE.yaml|DIR... | --program DIR) [--format text|json|markdown]

Prints who may call whom: a matrix of every workload (and a plaintext caller from outside the
mesh) against every workload, decided offline like Istio would from the AuthorizationPolicy,
PeerAuthentication and RequestAuthentication objects in YAML files or registered by a Pulumi
program run offline (as meshguard preview runs it).

Each pair is probed without a JWT: on every HTTP port of the callee, each method (the default
ones and those its policies name) on a sample of each path its policies name plus an
undeclared path; once on every TCP port. A cell says:
  all        every probe is allowed
  some       some probes are allowed (listed below the matrix), the rest denied
  none       every probe is denied
  undecided  some probe cannot be decided offline (a CUSTOM provider, a missing caller IP)

Workloads (namespace, service account, pod labels, ports) come from the Deployments,
StatefulSets, DaemonSets, Jobs, Pods and Services among the objects. When some namespace runs
ambient workloads, a "Data planes" line names each namespace's (sidecar, ambient, mixed, outside)
and its waypoint; ambient callees are decided by their waypoint and ztunnel, for traffic
addressed to their Service.

Input (one of):
  FILE.yaml|DIR...       multi-document YAML files, or directories of *.yaml/*.yml
  --program DIR          a Pulumi project, run offline
  --stack NAME           stack of --program (default: dev)
  --timeout SECONDS      give up on a --program that has not finished after this long
                         (default: ${DEFAULT_TIMEOUT_SECONDS})

Options:
  --format F             text (default), json or markdown
  --methods M,...        HTTP methods probed (default GET,POST,PUT,DELETE)
  --root-namespace NS    meshConfig.rootNamespace (default istio-system)
  --trust-domain TD      meshConfig.trustDomain (default cluster.local)
  -h, --help             show this help

Exit status: 0 the matrix was printed, 2 usage error or unreadable YAML, 3 the program failed
or did not finish.`;

const OPTIONS = {
    ...INPUT_OPTIONS,
    "format": "string",
    "methods": "string",
    "root-namespace": "string",
    "trust-domain": "string",
} as const;

const FORMATS = ["text", "json", "markdown"] as const;
type Format = (typeof FORMATS)[number];

/** What one caller may do on one callee. */
export type Access = "all" | "some" | "none" | "undecided";

export const reachabilityCommand: Command = {
    name: "reachability",
    summary: "print the matrix of who may call whom (text, JSON or Markdown), offline",
    usage: USAGE,
    run: runReachability,
};

async function runReachability(args: readonly string[], io: CliIO): Promise<number> {
    const parsed = parseArgs(args, OPTIONS);
    if (parsed.options["help"]) {
        io.stdout(`${USAGE}\n`);
        return EXIT.ok;
    }
    const format = stringOption(parsed, "format") ?? "text";
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be text, json or markdown (got ${shown(format)})`);
    const methods = methodList(stringOption(parsed, "methods"));
    const manifests = await readInputObjects("reachability", parsed, io);
    if (!Array.isArray(manifests)) return manifests.exitCode;
    const simulator = new AuthorizationSimulator({ manifests, rootNamespace: stringOption(parsed, "root-namespace"), trustDomain: stringOption(parsed, "trust-domain") });
    if (simulator.workloads.length === 0) io.stderr("meshguard reachability: no workloads among the objects (Deployments, StatefulSets, DaemonSets, Jobs, Pods); the matrix is empty\n");
    const report = reachability(simulator, { probes: policyAwareProbes(simulator, methods ?? DEFAULT_METHODS) });
    const planes = namespaceDataplanes(simulator);
    io.stdout(renderReachability(report, format as Format, hasAmbient(planes) ? planes : undefined));
    return EXIT.ok;
}

const DEFAULT_METHODS = ["GET", "POST", "PUT", "DELETE"];

/**
 * The simulator's default probes, widened by what the policies selecting the callee name: a sample
 * of every path pattern and every method in their rules. Without them a pair admitted only on
 * `/api/*` (or only for PATCH) would be shown as reaching nothing.
 */
function policyAwareProbes(sim: AuthorizationSimulator, methods: readonly string[]): (callee: SimWorkload) => ReachabilityProbe[] {
    return (callee) => {
        const policies = sim.policiesFor(callee);
        const paths = new Set(callee.paths ?? []);
        const named = new Set(methods);
        // An ambient callee's HTTP rules live on its waypoint (targetRefs).
        const waypoint = sim.waypointPoliciesFor(callee);
        const atWaypoint = waypoint === undefined ? [] : [...waypoint.allow, ...waypoint.deny, ...waypoint.custom];
        for (const policy of [...policies.allow, ...policies.deny, ...policies.custom, ...atWaypoint]) {
            for (const rule of policy.spec.rules) {
                for (const operation of rule.to ?? []) {
                    for (const constraint of operation) {
                        const values = [...constraint.values, ...constraint.notValues];
                        if (constraint.semantics.key === "paths") values.forEach((v) => paths.add(v));
                        if (constraint.semantics.key === "methods") values.filter((v) => v !== "*" && !v.includes("*")).forEach((v) => named.add(v));
                    }
                }
            }
        }
        return defaultProbes({ ...callee, paths: [...paths] }, [...named]);
    };
}

function methodList(text: string | undefined): string[] | undefined {
    if (text === undefined) return undefined;
    const methods = text.split(",");
    if (methods.some((m) => !/^[A-Z]+$/.test(m))) throw new UsageError(`--methods must be upper-case HTTP methods separated by commas (got ${text})`);
    return methods;
}

/** The access of every (caller, callee) pair: pairs the report does not list allow nothing. */
export function accessMatrix(report: ReachabilityReport): Record<string, Record<string, Access>> {
    const byPair = new Map(report.pairs.map((p) => [`${p.from}\u0000${p.to}`, p]));
    const matrix: Record<string, Record<string, Access>> = {};
    for (const from of report.callers) {
        matrix[from] = {};
        for (const to of report.callees) matrix[from][to] = accessOf(byPair.get(`${from}\u0000${to}`));
    }
    return matrix;
}

function accessOf(pair: PairReachability | undefined): Access {
    if (pair === undefined) return "none";
    if (pair.unknown.length > 0) return "undecided";
    if (pair.allowed.length === 0) return "none";
    return pair.denied === 0 ? "all" : "some";
}

function probeText(o: ProbeOutcome): string {
    return o.protocol === "tcp" ? `tcp/${o.port}` : `${o.method} ${o.path} :${o.port}`;
}

/** What a pair with partial or undecided access may do, one line. */
function pairDetail(pair: PairReachability): string {
    const parts: string[] = [];
    if (pair.allowed.length > 0) parts.push(`allowed ${pair.allowed.map(probeText).join(", ")}`);
    if (pair.unknown.length > 0) parts.push(`undecided ${pair.unknown.map(probeText).join(", ")}`);
    parts.push(`${pair.denied} denied`);
    return `${pair.from} → ${pair.to}: ${parts.join("; ")}`;
}

/** Pairs whose cell does not say everything: some, or undecided. */
function detailedPairs(report: ReachabilityReport): PairReachability[] {
    return report.pairs.filter((p) => p.unknown.length > 0 || p.denied > 0);
}

/** `planes`: each namespace's data plane, printed when given (meshes with ambient namespaces). */
export function renderReachability(report: ReachabilityReport, format: Format, planes?: readonly NamespaceDataplane[]): string {
    const matrix = accessMatrix(report);
    if (format === "json") {
        const json = { callers: report.callers, callees: report.callees, probes: report.probes, matrix, pairs: report.pairs };
        return `${JSON.stringify(planes === undefined ? json : { ...json, dataplanes: planes }, null, 2)}\n`;
    }
    const heading = `${report.callers.length} callers × ${report.callees.length} callees, ${report.probes} probes`;
    const planeLine = planes === undefined ? [] : [`Data planes: ${formatDataplanes(planes)}.`];
    const details = detailedPairs(report).map(pairDetail);
    if (format === "markdown") {
        const row = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
        const lines = [
            `**Reachability**: ${heading}.`,
            ...planeLine,
            "",
            row(["from ↓ to →", ...report.callees.map((c) => `\`${c}\``)]),
            row(["---", ...report.callees.map(() => "---")]),
            ...report.callers.map((from) => row([`\`${from}\``, ...report.callees.map((to) => matrix[from][to])])),
        ];
        if (details.length > 0) lines.push("", ...details.map((d) => `- ${d}`));
        return `${lines.join("\n")}\n`;
    }
    const first = ["FROM \\ TO", ...report.callers];
    const width = Math.max(...first.map((c) => c.length));
    const columns = report.callees.map((to) => Math.max(to.length, ...report.callers.map((from) => matrix[from][to].length)));
    const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(i === 0 ? width : columns[i - 1]))).join("  ");
    const lines = [
        `Reachability: ${heading}.`,
        ...planeLine,
        "",
        line([first[0], ...report.callees]),
        ...report.callers.map((from) => line([from, ...report.callees.map((to) => matrix[from][to])])),
    ];
    if (details.length > 0) lines.push("", ...details);
    return `${lines.join("\n")}\n`;
}
