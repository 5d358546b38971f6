import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { runCli, tempDir } from "./run-cli";

const MESH = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {serviceAccountName: web, containers: [{name: web, image: x, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {serviceAccountName: api, containers: [{name: api, image: x, ports: [{containerPort: 9090}]}]}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: shop}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}]
    to: [{operation: {methods: [GET]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/api]}}]
`;

describe("cli: meshguard reachability", () => {
    let dir: string;
    let cleanup: () => void;
    before(() => {
        ({ dir, cleanup } = tempDir("reachability"));
        fs.writeFileSync(path.join(dir, "mesh.yaml"), MESH);
    });
    after(() => cleanup());

    it("prints the matrix as a text table, with what partially reachable pairs may do", async () => {
        assert.deepStrictEqual(await runCli(["reachability", "mesh.yaml"], dir), {
            code: 0,
            stderr: "",
            stdout: [
                "Reachability: 3 callers × 2 callees, 24 probes.",
                "",
                "FROM \\ TO             shop/web  shop/api",
                "shop/web              none      some",
                "shop/api              all       none",
                "(external plaintext)  none      none",
                "",
                "shop/web → shop/api: allowed GET /meshguard-probe-undeclared :9090; 3 denied",
                "",
            ].join("\n"),
        });
    });

    it("prints Markdown", async () => {
        const r = await runCli(["reachability", "mesh.yaml", "--format", "markdown", "--methods", "GET,POST"], dir);
        assert.strictEqual(r.code, 0);
        assert.strictEqual(
            r.stdout,
            [
                "**Reachability**: 3 callers × 2 callees, 12 probes.",
                "",
                "| from ↓ to → | `shop/web` | `shop/api` |",
                "| --- | --- | --- |",
                "| `shop/web` | none | some |",
                "| `shop/api` | all | none |",
                "| `(external plaintext)` | none | none |",
                "",
                "- shop/web → shop/api: allowed GET /meshguard-probe-undeclared :9090; 1 denied",
                "",
            ].join("\n"),
        );
    });

    it("prints JSON: the matrix and every pair's allowed probes with the deciding policy", async () => {
        const r = await runCli(["reachability", "mesh.yaml", "--format=json", "--methods", "GET"], dir);
        assert.strictEqual(r.code, 0);
        const policy = (name: string) => ({ kind: "AuthorizationPolicy", action: "ALLOW", namespace: "shop", name, rule: 0 });
        const probe = (port: number, name: string) => ({ port, protocol: "http", method: "GET", path: "/meshguard-probe-undeclared", verdict: "allowed", policy: policy(name) });
        assert.deepStrictEqual(JSON.parse(r.stdout), {
            callers: ["shop/web", "shop/api", "(external plaintext)"],
            callees: ["shop/web", "shop/api"],
            probes: 6,
            matrix: {
                "shop/web": { "shop/web": "none", "shop/api": "all" },
                "shop/api": { "shop/web": "all", "shop/api": "none" },
                "(external plaintext)": { "shop/web": "none", "shop/api": "none" },
            },
            pairs: [
                { from: "shop/api", to: "shop/web", allowed: [probe(8080, "web")], unknown: [], denied: 0 },
                { from: "shop/web", to: "shop/api", allowed: [probe(9090, "api")], unknown: [], denied: 0 },
            ],
        });
    });

    it("runs a Pulumi program offline with --program, probing the paths its policies name", async () => {
        const program = path.join(__dirname, "..", "simulate", "explain-program");
        const r = await runCli(["reachability", "--program", program, "--methods", "GET"], dir);
        assert.deepStrictEqual(r, {
            code: 0,
            stderr: "",
            stdout: [
                "Reachability: 3 callers × 2 callees, 9 probes.",
                "",
                "FROM \\ TO             demo/web  demo/api",
                "demo/web              all       some",
                "demo/api              all       none",
                "(external plaintext)  all       none",
                "",
                "demo/web → demo/api: allowed GET /api/meshguard-probe :8080; 1 denied",
                "",
            ].join("\n"),
        });
    });

    it("exits 2 on a usage error and when the YAML cannot be read (documented exit codes)", async () => {
        const format = await runCli(["reachability", "mesh.yaml", "--format", "html"], dir);
        assert.strictEqual(format.code, 2);
        assert.ok(format.stderr.startsWith("meshguard reachability: --format must be text, json or markdown (got html)\n"), format.stderr);
        const none = await runCli(["reachability"], dir);
        assert.strictEqual(none.code, 2);
        assert.ok(none.stderr.startsWith("meshguard reachability: expected YAML files or directories, or --program DIR\n"), none.stderr);
        const both = await runCli(["reachability", "mesh.yaml", "--program", "."], dir);
        assert.strictEqual(both.code, 2);
        const methods = await runCli(["reachability", "mesh.yaml", "--methods", "get"], dir);
        assert.strictEqual(methods.code, 2);
        assert.ok(methods.stderr.startsWith("meshguard reachability: --methods must be upper-case HTTP methods separated by commas (got get)\n"), methods.stderr);
        const missing = await runCli(["reachability", "missing.yaml"], dir);
        assert.strictEqual(missing.code, 2);
        assert.strictEqual(missing.stdout, "");
        assert.match(missing.stderr, /^meshguard reachability: cannot read the manifests:\n {2}.*missing\.yaml/);
    });
});
