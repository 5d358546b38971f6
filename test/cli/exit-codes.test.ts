import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { IMPORT_EXIT } from "../../components/cli/import-run";
import { EXIT } from "../../components/cli/usage-error";
import { REPO_ROOT, runCli } from "./run-cli";

// docs/cli.md's exit status table names an example for each code: run each, from the repository root.
const DOC = fs.readFileSync(path.join(REPO_ROOT, "docs", "cli.md"), "utf8");
const section = DOC.slice(DOC.indexOf("## Exit status"), DOC.indexOf("\n## ", DOC.indexOf("## Exit status") + 1));
const rows = [...section.matchAll(/^\| (\d) \| .* \| `meshguard ([^`]+)` \|$/gm)].map((m) => ({ code: Number(m[1]), argv: m[2].split(" ") }));

describe("cli: documented exit codes (docs/cli.md) are the codes the documented cases produce", () => {
    it("documents exactly the codes the CLI uses, each with one example", () => {
        assert.deepStrictEqual(rows.map((r) => r.code), [EXIT.ok, EXIT.policyFailed, EXIT.usage, EXIT.failed, IMPORT_EXIT.narrower]);
    });

    for (const { code, argv } of rows) {
        it(`exit ${code}: meshguard ${argv.join(" ")}`, async () => {
            const result = await runCli(argv, REPO_ROOT);
            assert.strictEqual(result.code, code, result.stdout + result.stderr);
        });
    }
});
