import { parseArgs, stringOption } from "./args";
import { Command } from "./command";
import { LoadedManifests } from "./manifest-files";
import { verdictFailsRun } from "../analyzer/types";
import { K8sManifest } from "../manifest";
import { analyzeObjects, launchPackEarly } from "./policy-gate";
import { readPolicyConfig } from "./policy-config";
import { TerminalIO } from "./progress";
import { plural } from "./text";
import { timing } from "../timings";
import { EXIT, UsageError } from "./usage-error";
import { verdictReport } from "./verdict-report";
import { YAML_LIMITS } from "./yaml-limits";

const USAGE = `Usage: meshguard check FILE.yaml|DIR... [options]

Runs the meshguard policy pack over plain Kubernetes YAML: multi-document files, and directories
(recursively, *.yaml and *.yml, following symbolic links). Prints the verdicts grouped by policy,
as \`meshguard preview\` does. A CI gate for manifests that do not come from Pulumi.

Options:
  --policy-config FILE   policy configuration JSON, as for pulumi --policy-pack-config
  -h, --help             show this help

Limits per file: ${YAML_LIMITS.bytesPerFile} bytes, ${YAML_LIMITS.objectsPerFile} objects, ${YAML_LIMITS.keysPerMapping} keys per mapping,
${YAML_LIMITS.depth} levels of nesting, ${YAML_LIMITS.anchorsAndAliases} anchors and aliases per document.

Exit status: 0 every object was checked and no mandatory policy failed, 1 a mandatory policy
failed, 2 usage error or unreadable input (a missing or unreadable file, invalid YAML, a document
that is not a Kubernetes object, a limit exceeded, no object at all).`;

export const checkCommand: Command = {
    name: "check",
    summary: "run the policy pack over Kubernetes YAML files and directories",
    usage: USAGE,
    run: runCheck,
};

async function runCheck(args: readonly string[], io: TerminalIO): Promise<number> {
    const parsed = parseArgs(args, { "policy-config": "string" });
    if (parsed.positionals.length === 0) throw new UsageError("expected at least one YAML file or directory");
    const configFile = stringOption(parsed, "policy-config");
    const config = configFile === undefined ? undefined : readPolicyConfig(configFile, io.cwd);
    // The pack starts (Node, the Pulumi SDKs, the policies) while the YAML is read.
    const pack = launchPackEarly();
    try {
        return await checkWith(parsed.positionals, config, io, pack.launched);
    } finally {
        await pack.stop();
    }
}

async function checkWith(paths: readonly string[], config: Record<string, unknown> | undefined, io: TerminalIO, launched: ReturnType<typeof launchPackEarly>["launched"]): Promise<number> {
    // Loaded after the pack was started: the YAML parser takes a while to load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadManifests, ManifestLoadError, manifestProblemsText } = require("./manifest-files") as typeof import("./manifest-files");
    let loaded: LoadedManifests;
    try {
        loaded = loadManifests(paths, io.cwd);
    } catch (err) {
        if (!(err instanceof ManifestLoadError)) throw err;
        io.stderr(`meshguard check: ${manifestProblemsText(err)}`);
        return EXIT.usage;
    }
    timing("input read");
    const { manifests, files, emptyFiles } = loaded;
    if (manifests.length === 0) {
        io.stderr(`meshguard check: nothing to check: ${files.length === 1 ? files[0] : `the ${files.length} files`} hold no Kubernetes object (only empty documents). Fix: name the files that hold the manifests\n`);
        return EXIT.usage;
    }
    for (const file of emptyFiles) io.stderr(`meshguard check: note: ${file} holds no Kubernetes object (only empty documents)\n`);
    const scope = `${manifests.length} Kubernetes ${plural(manifests.length, "object")} from ${files.length === 1 ? files[0] : `${files.length} files`}`;
    const run = await analyzeObjects(manifests.map((m) => m.object as K8sManifest), { config, io, launched });
    io.stdout(verdictReport(run, scope, "meshguard check refuses these manifests"));
    timing("report written");
    return run.verdicts.some(verdictFailsRun) ? EXIT.policyFailed : EXIT.ok;
}
