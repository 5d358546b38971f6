import * as assert from "assert";
import * as path from "path";
import { ESLint } from "eslint";

// Proves each `no-restricted-imports` layer rule of eslint.config.mjs fires: a rule that can never
// fire is not a guard. Each probe lints one import line as if it were a file of the given layer.
const ROOT = path.resolve(__dirname, "../..");

interface Probe {
    readonly file: string;
    readonly source: string;
    /** The rule's message, or undefined when the import is allowed. */
    readonly message: string | undefined;
}

const NO_PULUMI = "the pure core never imports Pulumi: do it in a component shell (components/*.ts) or the pack.";
const GROUND = "the ground floor (kube, validation, constants, errors) imports no layer above it.";
const ISTIO = "components/istio sits on kube only: model, compile and the tools build on it, not the other way.";
const MODEL = "components/model (input schemas) imports only istio, kube and the ground floor.";
const COMPILE = "components/compile imports only model, istio, kube and the ground floor.";
const READERS = "the simulator and the renderer read manifests through istio and kube, never through the compiler or the tools.";
const ADOPT = "components/adopt is library code: it never imports the tools (analyzer, offline, cli).";
const NO_CLI = "library code never imports the CLI: move what both need below components/cli.";
const PACK = "the pack imports only the public Istio and Kubernetes semantics: components/istio, components/kube, components/constants, components/errors, components/validation.";

const PROBES: readonly Probe[] = [
    { file: "components/kube/probe.ts", source: "@pulumi/pulumi", message: NO_PULUMI },
    { file: "components/kube/probe.ts", source: "../istio", message: GROUND },
    { file: "components/validation/probe.ts", source: "../model/record", message: GROUND },
    { file: "components/constants.ts", source: "./compile", message: GROUND },
    { file: "components/istio/probe.ts", source: "../kube", message: undefined },
    { file: "components/istio/probe.ts", source: "../model", message: ISTIO },
    { file: "components/istio/schema/probe.ts", source: "../../model/mesh-policy", message: ISTIO },
    { file: "components/istio/probe.ts", source: "@pulumi/kubernetes", message: NO_PULUMI },
    { file: "components/model/probe.ts", source: "../istio", message: undefined },
    { file: "components/model/probe.ts", source: "../compile/naming", message: MODEL },
    { file: "components/model/probe.ts", source: "@pulumi/pulumi", message: NO_PULUMI },
    { file: "components/compile/probe.ts", source: "../model", message: undefined },
    { file: "components/compile/probe.ts", source: "../simulate", message: COMPILE },
    { file: "components/compile/probe.ts", source: "@pulumi/pulumi", message: NO_PULUMI },
    { file: "components/simulate/probe.ts", source: "../istio", message: undefined },
    { file: "components/simulate/probe.ts", source: "../compile", message: READERS },
    { file: "components/render/probe.ts", source: "../cli/text", message: READERS },
    { file: "components/render/probe.ts", source: "@pulumi/pulumi", message: NO_PULUMI },
    { file: "components/adopt/probe.ts", source: "../offline", message: ADOPT },
    { file: "components/adopt/probe.ts", source: "@pulumi/pulumi", message: NO_PULUMI },
    { file: "components/probe.ts", source: "@pulumi/pulumi", message: undefined },
    { file: "components/probe.ts", source: "./cli/main", message: NO_CLI },
    { file: "components/analyzer/probe.ts", source: "../cli/package-root", message: NO_CLI },
    { file: "components/offline/probe.ts", source: "../cli", message: NO_CLI },
    { file: "components/cli/probe.ts", source: "./text", message: undefined },
    { file: "policy-pack/policies/probe.ts", source: "../../components/istio", message: undefined },
    { file: "policy-pack/policies/probe.ts", source: "../../components/kube", message: undefined },
    { file: "policy-pack/policies/probe.ts", source: "../../components/constants", message: undefined },
    { file: "policy-pack/policies/probe.ts", source: "../../components/compile/security-manifests", message: PACK },
    { file: "policy-pack/policies/probe.ts", source: "../../components/model/mesh-policy", message: PACK },
    { file: "policy-pack/lib/probe.ts", source: "../../components", message: PACK },
    { file: "policy-pack/index.ts", source: "../components/mesh-policy", message: PACK },
];

async function restrictedImportMessages(eslint: ESLint, probe: Probe): Promise<string[]> {
    const code = `import * as probe from "${probe.source}";\nexport const used = probe;\n`;
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, probe.file) });
    return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("import layers (eslint no-restricted-imports)", function () {
    this.timeout(60_000);
    const eslint = new ESLint({ cwd: ROOT });

    for (const probe of PROBES) {
        const verdict = probe.message === undefined ? "allows" : "refuses";
        it(`${verdict} ${probe.source} in ${probe.file}`, async () => {
            const expected = probe.message === undefined ? [] : [`'${probe.source}' import is restricted from being used by a pattern. ${probe.message}`];
            assert.deepStrictEqual(await restrictedImportMessages(eslint, probe), expected);
        });
    }
});
