import * as assert from "assert";
import { runCli, REPO_ROOT } from "./run-cli";
import { version } from "../../package.json";

describe("cli: meshguard dispatcher", () => {
    it("lists every command in help and exits 0", async () => {
        const { code, stdout } = await runCli(["help"], REPO_ROOT);
        assert.strictEqual(code, 0);
        assert.match(stdout, new RegExp(`^meshguard ${version.replace(/\./g, "\\.")}: `));
        assert.match(stdout, /\n {2}preview {7}run a Pulumi program offline/);
        assert.match(stdout, /\n {2}check {9}run the policy pack over Kubernetes YAML/);
        assert.match(stdout, /\n {2}reachability {2}print the matrix of who may call whom \(text, JSON or Markdown\), offline\n/);
        assert.match(stdout, /\n {2}discover {6}write MeshPolicy relationships learnt from Istio's Prometheus metrics/);
        assert.strictEqual((await runCli(["--help"], REPO_ROOT)).stdout, stdout);
    });

    it("prints a command's usage for help COMMAND and COMMAND --help", async () => {
        const viaHelp = await runCli(["help", "check"], REPO_ROOT);
        const viaFlag = await runCli(["check", "--help"], REPO_ROOT);
        assert.strictEqual(viaHelp.code, 0);
        assert.ok(viaHelp.stdout.startsWith("Usage: meshguard check FILE.yaml|DIR... [options]\n"));
        assert.strictEqual(viaFlag.stdout, viaHelp.stdout);
    });

    it("prints the package version", async () => {
        assert.deepStrictEqual(await runCli(["--version"], REPO_ROOT), { code: 0, stdout: `${version}\n`, stderr: "" });
    });

    it("exits 2 for no command or an unknown one", async () => {
        const none = await runCli([], REPO_ROOT);
        assert.strictEqual(none.code, 2);
        assert.match(none.stderr, /Usage: meshguard <command> \[options\]/);
        const unknown = await runCli(["deploy"], REPO_ROOT);
        assert.strictEqual(unknown.code, 2);
        assert.strictEqual(unknown.stderr, 'meshguard: unknown command "deploy"; commands: preview, check, explain, reachability, discover, diff, import, help\nRun "meshguard --help" for the commands.\n');
        const helpUnknown = await runCli(["help", "deploy"], REPO_ROOT);
        assert.strictEqual(helpUnknown.code, 2);
        assert.ok(helpUnknown.stderr.startsWith('meshguard help: unknown command "deploy"\n'));
    });
});
