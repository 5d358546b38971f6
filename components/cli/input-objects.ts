import * as path from "path";
import { DEFAULT_TIMEOUT_SECONDS } from "../offline/settle";
import { timing } from "../timings";
import { ParsedArgs, stringOption, timeoutOption } from "./args";
import { CliIO } from "./command";
import { previewObjects } from "./kubernetes-objects";
import { loadManifests, ManifestLoadError, manifestProblemsText } from "./manifest-files";
import { loadOfflineRunner } from "./offline-runner";
import { boundedMessage } from "./text";
import { EXIT, UsageError } from "./usage-error";

/** The input options shared by commands that read objects from YAML files or a Pulumi program. */
export const INPUT_OPTIONS = { program: "string", stack: "string", timeout: "string" } as const;

/** Why a command's input could not be read (already printed), with the exit code it ends with. */
export interface InputFailure {
    /** EXIT.usage for unreadable or invalid YAML, EXIT.failed for a program that failed or did not settle. */
    readonly exitCode: number;
}

/**
 * The Kubernetes objects of a command's input: the YAML files/directories given as positionals, or
 * the resources a Pulumi program (`--program DIR`, `--stack NAME`, `--timeout SECONDS`) registers
 * when run offline, as `meshguard preview` runs it. When the input cannot be read it prints why
 * and returns the exit code the command must end with (docs/cli.md, exit codes).
 */
export async function readInputObjects(command: string, parsed: ParsedArgs, io: CliIO): Promise<unknown[] | InputFailure> {
    const program = stringOption(parsed, "program");
    if (program !== undefined && parsed.positionals.length > 0) throw new UsageError("give either YAML files or --program, not both");
    if (program === undefined && parsed.positionals.length === 0) throw new UsageError("expected YAML files or directories, or --program DIR");
    const timeoutSeconds = timeoutOption(parsed, DEFAULT_TIMEOUT_SECONDS);
    try {
        const objects = program === undefined ? loadManifests(parsed.positionals, io.cwd).manifests.map((m) => m.object) : await programObjects(program, parsed, io, timeoutSeconds);
        timing("input read");
        return objects;
    } catch (err) {
        if (err instanceof ManifestLoadError) {
            io.stderr(`meshguard ${command}: ${manifestProblemsText(err)}`);
            return { exitCode: EXIT.usage };
        }
        io.stderr(`meshguard ${command}: ${boundedMessage((err as Error).message)}\n`);
        return { exitCode: EXIT.failed };
    }
}

/** The Kubernetes objects a Pulumi program registers when run offline (`--stack`, default dev). */
export async function programObjects(dir: string, parsed: ParsedArgs, io: CliIO, timeoutSeconds = DEFAULT_TIMEOUT_SECONDS): Promise<unknown[]> {
    const programDir = path.resolve(io.cwd, dir);
    const run = await loadOfflineRunner(programDir)(programDir, { stack: stringOption(parsed, "stack") ?? "dev", timeoutSeconds });
    const objects = previewObjects(run.resources);
    const unknown = objects.filter((o) => o.hasUnknowns && o.object.apiVersion.includes("istio.io"));
    for (const o of unknown) {
        io.stderr(`warning: ${o.object.kind} ${o.object.metadata?.namespace ?? "default"}/${o.object.metadata?.name} has values known only after deployment; they are matched as literal placeholders\n`);
    }
    return objects.map((o) => o.object);
}
