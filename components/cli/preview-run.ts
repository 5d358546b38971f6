import * as path from "path";
import { OfflineRun } from "../offline/run-program";
import { kubernetesYamlFiles, meshMermaid, RenderedFile } from "../render";
import { ParsedArgs, stringOption } from "./args";
import { isHelmResource, PreviewObject, previewObjects } from "./kubernetes-objects";
import { loadOfflineRunner } from "./offline-runner";
import { GRAPH_FILE, resetOutputDir, SUMMARY_FILE, writeFiles } from "./output-dir";
import { verdictFailsRun } from "../analyzer/types";
import { UNKNOWN_PLACEHOLDER } from "../offline/wire-values";
import { analyzeRegistrations, EarlyPack } from "./policy-gate";
import { TerminalIO } from "./progress";
import { resourceTable } from "./resource-table";
import { boundedMessage, displayPath, plural } from "./text";
import { timing } from "../timings";
import { EXIT } from "./usage-error";
import { PULUMI_WOULD_REFUSE, verdictReport } from "./verdict-report";

// `meshguard preview` after its arguments are read and the pack is started (preview.ts loads this
// module only then: the renderer and the YAML writer take a while to load).

/** Runs the program offline, writes the YAML, the graph and the summary, and gates on the pack's verdicts. */
export async function previewWith(parsed: ParsedArgs, dir: string, policyConfig: Record<string, unknown> | undefined, timeoutSeconds: number, io: TerminalIO, pack: EarlyPack | undefined): Promise<number> {
    const quiet = parsed.options["quiet"] === true;
    let run: OfflineRun;
    try {
        run = await loadOfflineRunner(dir)(dir, { stack: stringOption(parsed, "stack") ?? "dev", timeoutSeconds, verbose: parsed.options["verbose"] === true });
    } catch (err) {
        io.stderr(`meshguard preview: ${boundedMessage((err as Error).message)}\n`);
        return EXIT.failed;
    }
    timing("program ran");
    const objects = previewObjects(run.resources);
    const outDir = path.resolve(io.cwd, stringOption(parsed, "out") ?? path.join("meshguard-out", run.project.name));
    const files = kubernetesYamlFiles(objects.map((o) => o.object));
    const graph = meshMermaid(objects.map((o) => o.object));
    const table = resourceTable(run.resources, resourceNotes(run, objects));

    io.stdout(banner(run, quiet, io.cwd));
    if (!quiet) io.stdout(`\n${table}\n`);
    resetOutputDir(outDir);
    writeFiles(outDir, [...files, { path: GRAPH_FILE, content: graph }]);
    const summary = summaryLines(run, objects, files, displayPath(outDir, io.cwd));
    io.stdout(`${summary.join("\n")}\n`);

    let report: string | undefined;
    let exit: number = EXIT.ok;
    if (pack !== undefined) {
        const packRun = await analyzeRegistrations(run.resources, { config: policyConfig, io, launched: pack.launched, connected: pack.connected });
        report = verdictReport(packRun, `${packRun.analyzed} ${plural(packRun.analyzed, "resource")} of project ${run.project.name}, stack ${run.stack}`, PULUMI_WOULD_REFUSE);
        io.stdout(`\n${report}`);
        if (packRun.verdicts.some(verdictFailsRun)) exit = EXIT.policyFailed;
    }
    writeFiles(outDir, [{ path: SUMMARY_FILE, content: summaryMarkdown(run, table, graph, files, summary, report) }]);
    return exit;
}

function banner(run: OfflineRun, quiet: boolean, cwd: string): string {
    const lines = [`meshguard preview: OFFLINE preview of project ${run.project.name}, stack ${run.stack} (${displayPath(run.project.main, cwd)})`];
    if (!quiet) {
        lines.push(
            "  No cluster and no Pulumi engine: the program ran in this process under Pulumi's mock runtime.",
            "  Helm charts appear as one component each; the objects they render exist only in a real `pulumi preview`.",
            `  Values known only after deployment are written as "${UNKNOWN_PLACEHOLDER}".`,
        );
    }
    return `${lines.join("\n")}\n`;
}

function resourceNotes(run: OfflineRun, objects: readonly PreviewObject[]): Map<string, string> {
    const notes = new Map<string, string>();
    for (const o of objects) {
        const notesOf = [o.hasUnknowns ? "unknown values" : "", o.autoNamed ? "auto-named (random suffix when deployed)" : ""].filter((s) => s !== "");
        if (notesOf.length > 0) notes.set(o.resource.urn, notesOf.join(", "));
    }
    for (const r of run.resources) {
        if (!isHelmResource(r.type)) continue;
        // helm.v4.Chart is a component whose objects a real preview renders; helm.v3.Release is one resource Helm installs.
        notes.set(r.urn, r.custom ? "Helm release: installed by Helm, objects not visible at preview" : "Helm chart: its objects render only in a real preview");
    }
    return notes;
}

function summaryLines(run: OfflineRun, objects: readonly PreviewObject[], files: readonly RenderedFile[], outDir: string): string[] {
    const helm = run.resources.filter((r) => isHelmResource(r.type));
    const components = run.resources.filter((r) => !r.custom && r.type !== "pulumi:pulumi:Stack" && !isHelmResource(r.type)).length;
    const others = run.resources.length - 1 - components - helm.length - objects.length;
    const parts = [`${components} ${plural(components, "component")}`];
    if (helm.length > 0) parts.push(`${helm.length} Helm ${plural(helm.length, "install")}`);
    parts.push(`${objects.length} Kubernetes ${plural(objects.length, "object")}`);
    if (others > 0) parts.push(`${others} other`);
    const lines = [`Resources: ${run.resources.length} (1 stack, ${parts.join(", ")})`];
    const unknown = objects.filter((o) => o.hasUnknowns);
    if (unknown.length > 0) {
        lines.push(`${unknown.length} ${plural(unknown.length, "object holds", "objects hold")} values unknown until deployment (written as "${UNKNOWN_PLACEHOLDER}"): ${unknown.map((o) => `${o.object.kind} ${o.resource.name}`).join(", ")}`);
    }
    const autoNamed = objects.filter((o) => o.autoNamed);
    if (autoNamed.length > 0) {
        lines.push(`${autoNamed.length} ${plural(autoNamed.length, "object has", "objects have")} no metadata.name, written under the resource name (the provider adds a random suffix when deployed): ${autoNamed.map((o) => `${o.object.kind} ${o.resource.name}`).join(", ")}`);
    }
    if (helm.length > 0) {
        lines.push(`Helm ${plural(helm.length, "install")} ${helm.map((r) => r.name).join(", ")}: the objects ${plural(helm.length, "it renders", "they render")} are not part of an offline preview.`);
    }
    const folders = [...new Set(files.map((f) => f.path.split("/")[0]))].map((f) => `${f}/`).join(", ");
    lines.push(`Wrote ${files.length} YAML ${plural(files.length, "file")}${folders ? ` (${folders})` : ""}, ${GRAPH_FILE} and ${SUMMARY_FILE} to ${outDir}`);
    return lines;
}

function summaryMarkdown(run: OfflineRun, table: string, graph: string, files: readonly RenderedFile[], summary: readonly string[], report: string | undefined): string {
    const fence = (lang: string, body: string) => ["```" + lang, body.trimEnd(), "```"].join("\n");
    return [
        `# meshguard offline preview: ${run.project.name} (stack ${run.stack})`,
        "",
        "Rendered without a cluster or the Pulumi engine (the program ran under Pulumi's mock runtime).",
        "Helm charts appear as one component each; the objects they render exist only in a real `pulumi preview`.",
        "",
        summary.map((l) => `- ${l}`).join("\n"),
        "",
        "## Who may call whom",
        "",
        fence("mermaid", graph),
        "",
        "## Resources",
        "",
        fence("text", table),
        "",
        "## Kubernetes objects",
        "",
        files.length > 0 ? files.map((f) => `- [${f.path}](${f.path})`).join("\n") : "None.",
        "",
        "## Policy verdicts",
        "",
        report === undefined ? "Not run (--no-policy)." : fence("text", report),
        "",
    ].join("\n");
}

