import * as fs from "fs";
import * as path from "path";
import { diffMeshObjects, formatDiffMarkdown, formatDiffText, isWidening, MeshDiff } from "../adopt";
import { parseArgs, ParsedArgs, stringOption } from "./args";
import { CliIO, Command } from "./command";
import { programObjects } from "./input-objects";
import { shown } from "./text";
import { loadManifests, ManifestLoadError } from "./manifest-files";
import { EXIT, UsageError } from "./usage-error";

const USAGE = `Usage: meshguard diff BEFORE AFTER [options]

Shows what a change does to who may call whom: every workload of either side is probed with the
same requests through the simulator (each port, the HTTP methods and path patterns the
AuthorizationPolicies of either side name, and a plaintext caller from outside the mesh), and
the differences are listed: calls newly allowed and newly denied (caller, callee, port, and for
HTTP the methods and path classes that changed), mTLS mode changes per workload port, and
objects added, removed or changed.

BEFORE and AFTER are each a YAML file, a directory of *.yaml/*.yml files, or a Pulumi project
directory (one holding Pulumi.yaml), run offline as meshguard preview does. Workloads come from
the Deployments, StatefulSets, DaemonSets, Jobs and Pods among the objects; keep them next to
the policies, or nothing can be compared.

Options:
  --format text|markdown  text (default) or Markdown for a pull-request comment
  --json                  { allowed, denied, mtls, objects, workloads } for tools
  --allow-widening        exit 0 even when something is newly allowed
  --stack NAME            stack of a Pulumi project (default: dev)
  --root-namespace NS     meshConfig.rootNamespace (default istio-system)
  --trust-domain TD       meshConfig.trustDomain (default cluster.local)
  -h, --help              show this help

Exit status: 0 nothing newly allowed (or --allow-widening), 1 something newly allowed or an mTLS
mode weakened, 2 usage error or unreadable YAML, 3 a Pulumi program could not be run.`;

const OPTIONS = {
    "format": "string",
    "json": "boolean",
    "allow-widening": "boolean",
    "stack": "string",
    "root-namespace": "string",
    "trust-domain": "string",
} as const;

export const diffCommand: Command = {
    name: "diff",
    summary: "compare who may call whom (and mTLS) between two sets of YAML or two Pulumi programs",
    usage: USAGE,
    run: runDiff,
};

/** A side's objects and how to name it: a Pulumi project directory, or YAML files. */
export async function loadSide(input: string, parsed: ParsedArgs, io: CliIO): Promise<{ objects: unknown[]; label: string }> {
    const absolute = path.resolve(io.cwd, input);
    if (fs.existsSync(path.join(absolute, "Pulumi.yaml"))) {
        const objects = await programObjects(absolute, parsed, io);
        return { objects, label: `${input} (Pulumi program, ${objects.length} objects)` };
    }
    const { manifests } = loadManifests([input], io.cwd);
    return { objects: manifests.map((m) => m.object), label: `${input} (${manifests.length} objects)` };
}

async function runDiff(args: readonly string[], io: CliIO): Promise<number> {
    const parsed = parseArgs(args, OPTIONS);
    if (parsed.positionals.length !== 2) throw new UsageError(`expected BEFORE and AFTER (got ${parsed.positionals.length} argument${parsed.positionals.length === 1 ? "" : "s"})`);
    const format = stringOption(parsed, "format") ?? "text";
    if (format !== "text" && format !== "markdown") throw new UsageError(`--format must be text or markdown (got ${shown(format)})`);
    if (parsed.options["json"] === true && stringOption(parsed, "format") !== undefined) throw new UsageError("give either --json or --format, not both");
    const sides: { objects: unknown[]; label: string }[] = [];
    for (const input of parsed.positionals) {
        try {
            sides.push(await loadSide(input, parsed, io));
        } catch (err) {
            if (err instanceof ManifestLoadError) {
                io.stderr(`meshguard diff: cannot read the manifests:\n${err.problems.map((p) => `  ${p}\n`).join("")}`);
                return EXIT.usage;
            }
            io.stderr(`meshguard diff: ${input}: ${(err as Error).message}\n`);
            return EXIT.failed;
        }
    }
    const [before, after] = sides;
    const diff: MeshDiff = diffMeshObjects(before.objects, after.objects, {
        rootNamespace: stringOption(parsed, "root-namespace"),
        trustDomain: stringOption(parsed, "trust-domain"),
    });
    const allowWidening = parsed.options["allow-widening"] === true;
    if (diff.workloads.length === 0) io.stderr("warning: no workloads (Deployments, StatefulSets, DaemonSets, Jobs, Pods) on either side: reachability cannot be compared, only objects\n");
    if (parsed.options["json"] === true) io.stdout(`${JSON.stringify(diff, null, 2)}\n`);
    else if (format === "markdown") io.stdout(formatDiffMarkdown(diff, before.label, after.label, allowWidening));
    else io.stdout(formatDiffText(diff, before.label, after.label, allowWidening));
    return isWidening(diff) && !allowWidening ? 1 : EXIT.ok;
}
