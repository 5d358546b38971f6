import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { parseMeshPolicy } from "../../components/model";
import { BOOKINFO_IMPORTED } from "../adopt/bookinfo-import";
import { REPO_ROOT, runCli, tempDir } from "./run-cli";

const FIXTURES = path.join(REPO_ROOT, "test", "adopt", "fixtures", "import");
const WORKLOADS = "bookinfo/workloads.yaml";

const BOOKINFO_REPORT = `meshguard import: 10 objects translated, 0 objects kept as is → 5 services, 6 relationships, 1 deny rule (defaultDeny: true, mtls: STRICT, destinationRules: true)
Translated:
  = AuthorizationPolicy bookinfo/allow-nothing → defaultDeny (namespace bookinfo)
  = AuthorizationPolicy bookinfo/productpage-viewer → 2 relationships
  = AuthorizationPolicy bookinfo/details-viewer → 1 relationship
  = AuthorizationPolicy bookinfo/reviews-viewer → 1 relationship
  = AuthorizationPolicy bookinfo/ratings-viewer → 1 relationship
  = AuthorizationPolicy bookinfo/mysqldb-clients → 1 relationship
  = AuthorizationPolicy bookinfo/mysqldb-deny-others → 1 deny rule
  = RequestAuthentication bookinfo/productpage-jwt → end users' issuers
  = PeerAuthentication bookinfo/default → mtls: STRICT (namespace bookinfo)
  = DestinationRule bookinfo/ratings-mtls → destinationRules: true (ratings)
Equivalence (simulated over 8 workloads, kept objects applied unchanged):
  identical reachability and mTLS
EQUIVALENT: the imported input allows exactly what the original objects allow.
`;

const PARTIAL_REPORT = `meshguard import: 2 objects translated, 2 objects kept as is → 5 services, 1 relationship, 0 deny rules (defaultDeny: true, mtls: inherit)
Translated:
  = AuthorizationPolicy bookinfo/allow-nothing → defaultDeny (namespace bookinfo)
  = AuthorizationPolicy bookinfo/productpage-viewer → 1 relationship
Kept as is, not expressible (keep these objects applied):
  - AuthorizationPolicy bookinfo/details-viewer: spec.rules[0].to[0].operation.notPaths: notPaths (negative match) is not expressible: a MeshPolicy allows listed paths only
  - AuthorizationPolicy bookinfo/productpage-ext-authz: spec.action: CUSTOM is not expressible (a MeshPolicy emits ALLOW and DENY policies only)
Equivalence (simulated over 8 workloads, kept objects applied unchanged):
  identical reachability and mTLS
PARTIAL (exit 4): equivalent only with the objects listed as kept applied unchanged next to the compiled input.
`;

/** Evaluates the TypeScript module `--format ts` prints and returns its default export. */
function evaluateModule(source: string): unknown {
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
    const module = { exports: {} as Record<string, unknown> };
    new Function("module", "exports", "require", js)(module, module.exports, () => ({}));
    return module.exports["default"];
}

describe("meshguard import", () => {
    it("exit 0: prints the input as JSON on stdout and the report on stderr (Bookinfo, equivalent)", async () => {
        const r = await runCli(["import", "bookinfo"], FIXTURES);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(r.stdout, `${JSON.stringify(BOOKINFO_IMPORTED, null, 2)}\n`);
        assert.strictEqual(r.stderr, BOOKINFO_REPORT);
        parseMeshPolicy(JSON.parse(r.stdout));
    });

    it("--format ts: a module whose default export is the same input", async () => {
        const r = await runCli(["import", "bookinfo", "--format", "ts"], FIXTURES);
        assert.strictEqual(r.code, 0);
        assert.ok(r.stdout.includes('import type { MeshPolicyInput } from "meshguard";'));
        assert.deepStrictEqual(evaluateModule(r.stdout), BOOKINFO_IMPORTED);
    });

    it("--out FILE: writes the input there, nothing on stdout", async () => {
        const { dir, cleanup } = tempDir("import");
        try {
            const out = path.join(dir, "imported.json");
            const r = await runCli(["import", "bookinfo", "--out", out], FIXTURES);
            assert.strictEqual(r.code, 0);
            assert.strictEqual(r.stdout, "");
            assert.deepStrictEqual(JSON.parse(fs.readFileSync(out, "utf8")), BOOKINFO_IMPORTED);
        } finally {
            cleanup();
        }
    });

    it("exit 4: objects kept as is are listed; the input (valid) is still written", async () => {
        const r = await runCli(["import", WORKLOADS, "partial.yaml"], FIXTURES);
        assert.strictEqual(r.code, 4);
        assert.strictEqual(r.stderr, PARTIAL_REPORT);
        const input = JSON.parse(r.stdout);
        assert.deepStrictEqual(input.allow, [{ from: { ingressGateway: true }, to: "productpage", methods: ["GET"] }]);
        parseMeshPolicy(input);
    });

    it("exit 1: a result broader than the original is reported and nothing is written", async () => {
        const { dir, cleanup } = tempDir("import");
        try {
            const out = path.join(dir, "imported.json");
            const r = await runCli(["import", WORKLOADS, "broader.yaml", "--out", out], FIXTURES);
            assert.strictEqual(r.code, 1);
            assert.strictEqual(r.stdout, "");
            assert.ok(!fs.existsSync(out));
            assert.ok(r.stderr.includes("  + newly allowed: (external plaintext) → bookinfo/mysqldb-v1 :3306 tcp\n"), r.stderr);
            assert.ok(r.stderr.includes("  ~ mTLS bookinfo/mysqldb-v1 :3306 STRICT → PERMISSIVE (weaker: plaintext accepted)\n"), r.stderr);
            assert.ok(r.stderr.endsWith("BROADER than the original objects: nothing written (exit 1). Review the calls listed as newly allowed.\n"));
        } finally {
            cleanup();
        }
    });

    const inputErrors: [string, string[], string][] = [
        [
            "YAML that is not Istio (no Istio security object)",
            [WORKLOADS, "not-istio.yaml"],
            "meshguard import: bookinfo/workloads.yaml, not-istio.yaml: no Istio security object (AuthorizationPolicy, PeerAuthentication, RequestAuthentication, DestinationRule) among the input: nothing to import. Fix: give the files or directories that hold the mesh's policies\n",
        ],
        ["YAML that is not Kubernetes (a Helm values file)", [WORKLOADS, "helm-values.yaml"], 'meshguard import: cannot read the manifests:\n  helm-values.yaml: document 1: not a Kubernetes object: missing "apiVersion" and "kind"\n'],
        [
            "an Istio object istiod would reject (a misspelt field), with line and column",
            [WORKLOADS, "typo.yaml"],
            "meshguard import: invalid Istio objects (istiod would reject them; fix them first):\n  typo.yaml: document 1, line 9, column 26: AuthorizationPolicy bookinfo/details-viewer: spec.rules[0].from[0].source.principal: unknown field (not part of the schema; check its spelling)\n",
        ],
        [
            "malformed YAML, with line and column",
            ["malformed.yaml"],
            "meshguard import: cannot read the manifests:\n  malformed.yaml: document 1: invalid YAML at line 8, column 89: Flow sequence in block collection must be sufficiently indented and end with a ]\n        8 | …: [{ source: { principals: [cluster.local/ns/bookinfo/sa/bookinfo-productpage }]\n                                                                                           ^\n",
        ],
    ];
    for (const [name, files, stderr] of inputErrors) {
        it(`exit 2, nothing written: ${name}`, async () => {
            const { dir, cleanup } = tempDir("import");
            try {
                const out = path.join(dir, "imported.json");
                const r = await runCli(["import", ...files, "--out", out], FIXTURES);
                assert.strictEqual(r.code, 2);
                assert.strictEqual(r.stdout, "");
                assert.strictEqual(r.stderr, stderr);
                assert.ok(!fs.existsSync(out));
            } finally {
                cleanup();
            }
        });
    }

    it("exit 2 on usage errors", async () => {
        assert.deepStrictEqual(await runCli(["import"], FIXTURES), { code: 2, stdout: "", stderr: 'meshguard import: expected YAML files or directories holding the mesh\'s Istio policies\nRun "meshguard import --help" for usage.\n' });
        assert.deepStrictEqual(await runCli(["import", "bookinfo", "--format", "yaml"], FIXTURES), { code: 2, stdout: "", stderr: 'meshguard import: --format must be json or ts (got yaml)\nRun "meshguard import --help" for usage.\n' });
        assert.deepStrictEqual(await runCli(["import", "bookinfo", "--ingress-gateway", "gw"], FIXTURES), { code: 2, stdout: "", stderr: 'meshguard import: --ingress-gateway must be NAMESPACE/SERVICE_ACCOUNT (got gw)\nRun "meshguard import --help" for usage.\n' });
    });

    it("is listed by meshguard help", async () => {
        const r = await runCli(["help"], FIXTURES);
        assert.ok(r.stdout.includes("  import        write the MeshPolicy input that expresses existing Istio policies, proven equivalent by simulation\n"), r.stdout);
    });
});
