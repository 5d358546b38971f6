import * as fs from "fs";
import * as path from "path";
import { DEFAULT_TIMEOUT_SECONDS } from "../offline/settle";
import { nearestProjectDir, packageRoot } from "../package-root";
import { parseArgs, stringOption, timeoutOption } from "./args";
import { Command } from "./command";
import { readPolicyConfig } from "./policy-config";
import { launchPackEarly } from "./policy-gate";
import { TerminalIO } from "./progress";
import { EXIT, UsageError } from "./usage-error";

const USAGE = `Usage: meshguard preview [DIR] [options]

Runs the Pulumi program of the project in DIR offline (no cluster, no Pulumi engine: in this
process under Pulumi's mock runtime), then:
  - prints every resource it registers (type, name, parent) as a preview-like tree;
  - writes each Kubernetes object as YAML, one file per object, laid out like the Kubernetes
    provider's renderYamlToDirectory (0-crd/, 1-manifest/), plus mesh.mmd (a Mermaid diagram of
    who may call whom) and summary.md;
  - runs the meshguard policy pack over the analyzer gRPC protocol, as
    \`pulumi preview --policy-pack policy-pack\` would, and prints the verdicts.

DIR defaults to the nearest directory with a Pulumi.yaml (from the working directory upwards),
else, in a checkout of meshguard, its own flagship project.

Options:
  --stack NAME           stack name; Pulumi.NAME.yaml supplies configuration (default: dev)
  --out DIR              output directory (default: meshguard-out/<project>)
  --no-policy            skip the policy pack
  --policy-config FILE   policy configuration JSON, as for pulumi --policy-pack-config
  --quiet                print only the summary and the verdicts
  --timeout SECONDS      give up on a program that has not finished after this long
                         (default: ${DEFAULT_TIMEOUT_SECONDS})
  --verbose              when the program fails, show its error's full stack
  -h, --help             show this help

Exit status: 0 no mandatory violation, 1 a mandatory policy failed, 2 usage error,
3 the project is missing, or the program failed or did not finish.`;

export const previewCommand: Command = {
    name: "preview",
    summary: "run a Pulumi program offline: resources, YAML, access diagram, policy verdicts",
    usage: USAGE,
    run: runPreview,
};

async function runPreview(args: readonly string[], io: TerminalIO): Promise<number> {
    const parsed = parseArgs(args, { "stack": "string", "out": "string", "no-policy": "boolean", "policy-config": "string", "quiet": "boolean", "timeout": "string", "verbose": "boolean" });
    if (parsed.positionals.length > 1) throw new UsageError(`expected at most one project directory, got ${parsed.positionals.length}: ${parsed.positionals.join(" ")}`);
    const timeoutSeconds = timeoutOption(parsed, DEFAULT_TIMEOUT_SECONDS);
    const configFile = stringOption(parsed, "policy-config");
    const policyConfig = configFile === undefined ? undefined : readPolicyConfig(configFile, io.cwd);
    const dir = parsed.positionals[0] !== undefined ? path.resolve(io.cwd, parsed.positionals[0]) : defaultProjectDir(io.cwd, packageRoot());
    if (dir === undefined) {
        io.stderr(`meshguard preview: ${noProjectMessage(io.cwd)}\n`);
        return EXIT.failed;
    }
    // The pack starts (Node, the Pulumi SDKs, the policies) and connects while the program runs;
    // the rest of the command (the renderer, Pulumi.yaml's parser, the SDK) loads after it started.
    const pack = parsed.options["no-policy"] === true ? undefined : launchPackEarly(() => connectAs(dir, stringOption(parsed, "stack") ?? "dev"));
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { previewWith } = require("./preview-run") as typeof import("./preview-run");
        return await previewWith(parsed, dir, policyConfig, timeoutSeconds, io, pack);
    } finally {
        await pack?.stop();
    }
}

/** The stack and project the program will register under; undefined when Pulumi.yaml is unreadable (the run then says why). */
function connectAs(dir: string, stack: string): { stack: string; project: string } | undefined {
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { loadProject } = require("../offline/project") as typeof import("../offline/project");
        return { stack, project: loadProject(dir, stack).name };
    } catch {
        return undefined;
    }
}

/**
 * The project `meshguard preview` without DIR runs: the nearest Pulumi.yaml from `cwd` upwards,
 * else the flagship project when meshguard runs from a checkout (`packageDir` holds a Pulumi.yaml;
 * an installed package does not); undefined when there is neither.
 */
export function defaultProjectDir(cwd: string, packageDir: string): string | undefined {
    return nearestProjectDir(cwd) ?? (fs.existsSync(path.join(packageDir, "Pulumi.yaml")) ? packageDir : undefined);
}

/** Where preview looked and what it expected, when there is no project. */
export function noProjectMessage(cwd: string): string {
    return `no Pulumi project found: looked for a Pulumi.yaml in ${cwd} and every directory above it. Fix: run meshguard preview in a Pulumi project (a directory with a Pulumi.yaml naming the project, with runtime: nodejs), or give its directory: meshguard preview DIR`;
}
