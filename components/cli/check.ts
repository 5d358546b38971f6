import { parseArgs, stringOption } from "./args";
import { Command } from "./command";
import { loadManifests, ManifestLoadError } from "./manifest-files";
import { verdictFailsRun } from "../analyzer";
import { K8sManifest } from "../manifest";
import { analyzeObjects } from "./policy-gate";
import { readPolicyConfig } from "./policy-config";
import { TerminalIO } from "./progress";
import { plural } from "./text";
import { EXIT, UsageError } from "./usage-error";
import { verdictReport } from "./verdict-report";

const USAGE = `Usage: meshguard check FILE.yaml|DIR... [options]

Runs the meshguard policy pack over plain Kubernetes YAML: multi-document files, and directories
(recursively, *.yaml and *.yml). Prints the verdicts grouped by policy, as \`meshguard preview\`
does. A CI gate for manifests that do not come from Pulumi.

Options:
  --policy-config FILE   policy configuration JSON, as for pulumi --policy-pack-config
  -h, --help             show this help

Exit status: 0 no mandatory violation, 1 a mandatory policy failed, 2 usage error or
unreadable input (invalid YAML, an object without apiVersion or kind).`;

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
    let loaded: ReturnType<typeof loadManifests>;
    try {
        loaded = loadManifests(parsed.positionals, io.cwd);
    } catch (err) {
        if (!(err instanceof ManifestLoadError)) throw err;
        io.stderr(`meshguard check: cannot read the manifests:\n${err.problems.map((p) => `  ${p}\n`).join("")}`);
        return EXIT.usage;
    }
    const { manifests, files } = loaded;
    const scope = `${manifests.length} Kubernetes ${plural(manifests.length, "object")} from ${files.length === 1 ? files[0] : `${files.length} files`}`;
    const run = await analyzeObjects(manifests.map((m) => m.object as K8sManifest), { config, io });
    io.stdout(verdictReport(run, scope));
    return run.verdicts.some(verdictFailsRun) ? EXIT.policyFailed : EXIT.ok;
}
