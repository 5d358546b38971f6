import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { FIXTURES, listFiles, runCli, tempDir } from "./run-cli";

const PLAIN = path.join(FIXTURES, "projects", "plain-k8s");

describe("cli: meshguard preview (plain @pulumi/kubernetes program)", () => {
    let work: ReturnType<typeof tempDir>;
    beforeEach(() => { work = tempDir("preview"); });
    afterEach(() => work.cleanup());

    it("prints the offline banner and a tree of every registration in registration order", async () => {
        const { code, stdout, stderr } = await runCli(["preview", PLAIN, "--no-policy"], work.dir);
        assert.strictEqual(stderr, "");
        assert.strictEqual(code, 0);
        const [banner, table, summary] = stdout.split("\n\n");
        assert.strictEqual(banner, [
            `meshguard preview: OFFLINE preview of project plain-k8s, stack dev (${path.join(PLAIN, "index.ts")})`,
            "  No cluster and no Pulumi engine: the program ran in this process under Pulumi's mock runtime.",
            "  Helm charts appear as one component each; the objects they render exist only in a real `pulumi preview`.",
            '  Values known only after deployment are written as "<unknown until deployed>".',
        ].join("\n"));
        assert.deepStrictEqual(table.split("\n").map((l) => l.trim().replace(/\s+/g, " ")), [
            "Type Name Parent Info",
            "+ pulumi:pulumi:Stack plain-k8s-dev",
            "+ ├─ fixture:index:App frontend plain-k8s-dev",
            "+ │ ├─ kubernetes:core/v1:ServiceAccount frontend-sa frontend",
            "+ │ ├─ kubernetes:core/v1:Service frontend-service frontend",
            "+ │ └─ kubernetes:apps/v1:Deployment frontend-deployment frontend",
            "+ ├─ fixture:index:App backend plain-k8s-dev",
            "+ │ ├─ kubernetes:core/v1:ServiceAccount backend-sa backend",
            "+ │ ├─ kubernetes:core/v1:Service backend-service backend",
            "+ │ └─ kubernetes:apps/v1:Deployment backend-deployment backend",
            "+ ├─ kubernetes:core/v1:Namespace shop plain-k8s-dev",
            "+ ├─ kubernetes:core/v1:ConfigMap feature-flags plain-k8s-dev auto-named (random suffix when deployed)",
            "+ ├─ kubernetes:security.istio.io/v1:AuthorizationPolicy shop-allow-nothing plain-k8s-dev",
            "+ ├─ kubernetes:core/v1:ConfigMap endpoints plain-k8s-dev unknown values",
            "+ └─ kubernetes:security.istio.io/v1:AuthorizationPolicy backend-callers plain-k8s-dev",
        ]);
        assert.strictEqual(summary, [
            "Resources: 14 (1 stack, 2 components, 11 Kubernetes objects)",
            '1 object holds values unknown until deployment (written as "<unknown until deployed>"): ConfigMap endpoints',
            "1 object has no metadata.name, written under the resource name (the provider adds a random suffix when deployed): ConfigMap feature-flags",
            `Wrote 11 YAML files (1-manifest/), mesh.mmd and summary.md to ${path.join("meshguard-out", "plain-k8s")}`,
            "",
        ].join("\n"));
    });

    it("writes one YAML file per object, mesh.mmd and summary.md under meshguard-out/<project>", async () => {
        await runCli(["preview", PLAIN, "--no-policy", "--quiet"], work.dir);
        const out = path.join(work.dir, "meshguard-out", "plain-k8s");
        assert.deepStrictEqual(listFiles(out), [
            "1-manifest/apps_v1-deployment-shop-backend.yaml",
            "1-manifest/apps_v1-deployment-shop-frontend.yaml",
            "1-manifest/security.istio.io_v1-authorizationpolicy-shop-allow-nothing.yaml",
            "1-manifest/security.istio.io_v1-authorizationpolicy-shop-backend.yaml",
            "1-manifest/v1-configmap-shop-endpoints.yaml",
            "1-manifest/v1-configmap-shop-feature-flags.yaml",
            "1-manifest/v1-namespace-default-shop.yaml",
            "1-manifest/v1-service-shop-backend.yaml",
            "1-manifest/v1-service-shop-frontend.yaml",
            "1-manifest/v1-serviceaccount-shop-backend.yaml",
            "1-manifest/v1-serviceaccount-shop-frontend.yaml",
            "mesh.mmd",
            "summary.md",
        ]);
        assert.strictEqual(fs.readFileSync(path.join(out, "1-manifest/v1-configmap-shop-endpoints.yaml"), "utf8"), [
            "apiVersion: v1",
            "kind: ConfigMap",
            "metadata:",
            "  name: endpoints",
            "  namespace: shop",
            "data:",
            "  gatewayIp: <unknown until deployed>",
            "",
        ].join("\n"));
        assert.strictEqual(fs.readFileSync(path.join(out, "1-manifest/v1-configmap-shop-feature-flags.yaml"), "utf8"), [
            "apiVersion: v1",
            "kind: ConfigMap",
            "metadata:",
            "  namespace: shop",
            "  name: feature-flags",
            "data:",
            "  checkout: \"on\"",
            "",
        ].join("\n"));
        assert.strictEqual(fs.readFileSync(path.join(out, "mesh.mmd"), "utf8"), [
            "flowchart LR",
            '  subgraph ns_shop["namespace shop (default deny)"]',
            '    workload_shop_frontend["frontend"]',
            '    workload_shop_backend["backend"]',
            "  end",
            '  workload_shop_frontend -->|"GET /api/*"| workload_shop_backend',
            "",
        ].join("\n"));
        const summary = fs.readFileSync(path.join(out, "summary.md"), "utf8");
        assert.ok(summary.startsWith("# meshguard offline preview: plain-k8s (stack dev)\n"), summary);
        assert.ok(summary.includes("```mermaid\nflowchart LR\n"), summary);
        assert.ok(summary.includes("- [1-manifest/v1-namespace-default-shop.yaml](1-manifest/v1-namespace-default-shop.yaml)\n"), summary);
        assert.ok(summary.endsWith("## Policy verdicts\n\nNot run (--no-policy).\n"), summary);
    });

    it("reads the stack's configuration, and replaces only its own files of a previous run in --out", async () => {
        const out = path.join(work.dir, "rendered");
        fs.mkdirSync(path.join(out, "1-manifest"), { recursive: true });
        fs.writeFileSync(path.join(out, "1-manifest", "stale.yaml"), "stale");
        fs.writeFileSync(path.join(out, "keep.txt"), "not ours");
        const { code, stdout } = await runCli(["preview", PLAIN, "--stack", "staging", "--out", "rendered", "--no-policy", "--quiet"], work.dir);
        assert.strictEqual(code, 0);
        assert.ok(stdout.startsWith("meshguard preview: OFFLINE preview of project plain-k8s, stack staging"), stdout);
        const files = listFiles(out);
        assert.ok(!files.includes("1-manifest/stale.yaml"), files.join("\n"));
        assert.ok(files.includes("keep.txt"));
        assert.ok(files.includes("1-manifest/v1-namespace-default-shop-staging.yaml"), files.join("\n"));
    });

    it("defaults to the nearest Pulumi.yaml above the working directory", async () => {
        const { code, stdout } = await runCli(["preview", "--no-policy", "--quiet", "--out", path.join(work.dir, "out")], path.join(PLAIN, "..", "plain-k8s"));
        assert.strictEqual(code, 0);
        assert.match(stdout, /^meshguard preview: OFFLINE preview of project plain-k8s, stack dev \(index\.ts\)\n/);
    });
});

describe("cli: meshguard preview errors", () => {
    let work: ReturnType<typeof tempDir>;
    beforeEach(() => { work = tempDir("preview-errors"); });
    afterEach(() => work.cleanup());

    it("exits 3 with the program's own error when the program throws, writing nothing", async () => {
        const dir = path.join(FIXTURES, "projects", "throws");
        const { code, stdout, stderr } = await runCli(["preview", dir], work.dir);
        assert.strictEqual(code, 3);
        assert.strictEqual(stdout, "");
        assert.strictEqual(stderr, [
            `meshguard preview: program throws (${path.join(dir, "index.ts")}) failed: database password is not set (config key throws:dbPassword)`,
            "    at Object.<anonymous> (index.ts:4:7)",
            "    (meshguard preview --verbose shows the full stack)",
            "",
        ].join("\n"));
        assert.deepStrictEqual(fs.readdirSync(work.dir), []);
    });

    it("shows the program's own frames, source-mapped to its .ts lines, and the full stack with --verbose (issue 12 item 5)", async () => {
        const dir = path.join(FIXTURES, "projects", "null-deref");
        const short = await runCli(["preview", dir], work.dir);
        assert.strictEqual(short.code, 3);
        assert.strictEqual(short.stderr, [
            `meshguard preview: program null-deref (${path.join(dir, "index.ts")}) failed: Cannot read properties of null (reading 'boom')`,
            "    at readSettings (settings.ts:6:30)",
            "    at Object.<anonymous> (index.ts:3:35)",
            "    (meshguard preview --verbose shows the full stack)",
            "",
        ].join("\n"));
        const verbose = await runCli(["preview", dir, "--verbose"], work.dir);
        assert.strictEqual(verbose.code, 3);
        const lines = verbose.stderr.split("\n");
        assert.deepStrictEqual(lines.slice(1, 3), [
            `    at readSettings (${path.join(dir, "settings.ts")}:6:30)`,
            `    at Object.<anonymous> (${path.join(dir, "index.ts")}:3:35)`,
        ]);
        assert.ok(lines.length > 5 && lines.slice(3).some((line) => line.includes("node_modules")), verbose.stderr);
        assert.ok(!verbose.stderr.includes("--verbose shows"), verbose.stderr);
    });

    it("exits 3 naming the directory when there is no Pulumi project", async () => {
        const { code, stderr } = await runCli(["preview", "nowhere"], work.dir);
        assert.strictEqual(code, 3);
        const dir = path.join(work.dir, "nowhere");
        assert.strictEqual(stderr, `meshguard preview: no Pulumi project at ${dir}: ${path.join(dir, "Pulumi.yaml")} does not exist\n`);
    });

    it("exits 2 with the usage on unknown options, extra arguments and unreadable policy config", async () => {
        const unknown = await runCli(["preview", "--stak", "dev"], work.dir);
        assert.strictEqual(unknown.code, 2);
        assert.strictEqual(unknown.stderr, 'meshguard preview: unknown option --stak\nRun "meshguard preview --help" for usage.\n');
        const extra = await runCli(["preview", "a", "b"], work.dir);
        assert.strictEqual(extra.code, 2);
        assert.ok(extra.stderr.startsWith("meshguard preview: expected at most one project directory, got 2: a b\n"), extra.stderr);
        fs.writeFileSync(path.join(work.dir, "policy.json"), "{ nope");
        const config = await runCli(["preview", PLAIN, "--policy-config", "policy.json"], work.dir);
        assert.strictEqual(config.code, 2);
        assert.match(config.stderr, /^meshguard preview: --policy-config policy.json: invalid JSON: /);
    });
});
