import * as path from "path";
import { runProgramOffline } from "../offline";
import { ParsedArgs, stringOption } from "./args";
import { CliIO } from "./command";
import { previewObjects } from "./kubernetes-objects";
import { loadManifests, ManifestLoadError } from "./manifest-files";
import { UsageError } from "./usage-error";

/** The input options shared by commands that read objects from YAML files or a Pulumi program. */
export const INPUT_OPTIONS = { program: "string", stack: "string" } as const;

/**
 * The Kubernetes objects of a command's input: the YAML files/directories given as positionals, or
 * the resources a Pulumi program (`--program DIR`, `--stack NAME`) registers when run offline, as
 * `meshguard preview` runs it. Returns undefined after printing why when the input cannot be read.
 */
export async function readInputObjects(command: string, parsed: ParsedArgs, io: CliIO): Promise<unknown[] | undefined> {
    const program = stringOption(parsed, "program");
    if (program !== undefined && parsed.positionals.length > 0) throw new UsageError("give either YAML files or --program, not both");
    if (program === undefined && parsed.positionals.length === 0) throw new UsageError("expected YAML files or directories, or --program DIR");
    try {
        return program === undefined ? loadManifests(parsed.positionals, io.cwd).manifests.map((m) => m.object) : await programObjects(program, parsed, io);
    } catch (err) {
        const detail = err instanceof ManifestLoadError ? `cannot read the manifests:\n${err.problems.map((p) => `  ${p}\n`).join("")}` : `${(err as Error).message}\n`;
        io.stderr(`meshguard ${command}: ${detail}`);
        return undefined;
    }
}

/** The Kubernetes objects a Pulumi program registers when run offline (`--stack`, default dev). */
export async function programObjects(dir: string, parsed: ParsedArgs, io: CliIO): Promise<unknown[]> {
    const run = await runProgramOffline(path.resolve(io.cwd, dir), { stack: stringOption(parsed, "stack") ?? "dev" });
    const objects = previewObjects(run.resources);
    const unknown = objects.filter((o) => o.hasUnknowns && o.object.apiVersion.includes("istio.io"));
    for (const o of unknown) {
        io.stderr(`warning: ${o.object.kind} ${o.object.metadata?.namespace ?? "default"}/${o.object.metadata?.name} has values known only after deployment; they are matched as literal placeholders\n`);
    }
    return objects.map((o) => o.object);
}
