import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { FIXTURES, INSECURE_EXAMPLE_POLICIES, REPO_ROOT, reportedPolicies, runCli, tempDir } from "./run-cli";

const MANIFESTS = path.join(FIXTURES, "manifests");

describe("cli: meshguard check (plain YAML through the policy pack)", () => {
    it("passes a secure set of files and directories (multi-document, kind: List)", async () => {
        const { code, stdout, stderr } = await runCli(["check", "secure"], MANIFESTS);
        assert.strictEqual(stderr, "");
        assert.strictEqual(code, 0, stdout);
        assert.strictEqual(stdout, "Policy verdicts: 29 policies over 14 Kubernetes objects from 4 files\n\nPASSED: no policy violations.\n");
    });

    it("refuses hand-written YAML with the policies it breaks, exit 1", async () => {
        const { code, stdout } = await runCli(["check", path.join("insecure", "mesh.yaml"), path.join("insecure", "workloads.yaml")], MANIFESTS);
        assert.strictEqual(code, 1, stdout);
        assert.ok(stdout.startsWith("Policy verdicts: 29 policies over 7 Kubernetes objects from 2 files\n"), stdout);
        assert.deepStrictEqual(reportedPolicies(stdout), [
            "mandatory destination-rule-tls-verified",
            "mandatory authorization-policy-no-allow-all",
            "mandatory istio-resource-schema",
            "mandatory workload-no-traffic-capture-bypass",
            "advisory mesh-namespace-network-default-deny",
        ]);
        assert.ok(stdout.includes([
            "  [mandatory] workload-no-traffic-capture-bypass (1 violation)",
            "      Workloads must not bypass the sidecar's traffic capture: traffic.sidecar.istio.io/exclude* annotations and containers running as UID 1337 (the proxy's UID) send or receive traffic that no mesh policy sees.",
            "    - kubernetes:apps/v1:Deployment billing/invoices",
            "        Deployment billing/invoices: spec.template.spec.containers[0].securityContext.runAsUser: container \"invoices\" runs as UID 1337",
        ].join("\n")), stdout);
        assert.ok(stdout.endsWith("\nFAILED: 4 mandatory violations of 4 policies (meshguard check refuses these manifests).\n"), stdout);
    });

    it("refuses the insecure example's rendered manifests, as preview refused the program", async () => {
        const work = tempDir("check-insecure");
        try {
            const preview = await runCli(["preview", path.join(REPO_ROOT, "examples", "insecure"), "--out", work.dir, "--no-policy", "--quiet"], REPO_ROOT);
            assert.strictEqual(preview.code, 0, preview.stderr);
            const { code, stdout } = await runCli(["check", "1-manifest"], work.dir);
            assert.strictEqual(code, 1, stdout);
            assert.ok(stdout.startsWith("Policy verdicts: 29 policies over 14 Kubernetes objects from 14 files\n"), stdout);
            assert.deepStrictEqual(reportedPolicies(stdout), INSECURE_EXAMPLE_POLICIES);
        } finally {
            work.cleanup();
        }
    });

    it("honours a policy configuration file (advisory does not fail the run)", async () => {
        const work = tempDir("check-config");
        try {
            const config = path.join(work.dir, "policy-config.json");
            fs.writeFileSync(config, JSON.stringify({ "workload-no-traffic-capture-bypass": "advisory" }));
            const { code, stdout } = await runCli(["check", path.join(MANIFESTS, "insecure", "workloads.yaml"), "--policy-config", config], work.dir);
            assert.strictEqual(code, 0, stdout);
            assert.deepStrictEqual(reportedPolicies(stdout), ["advisory workload-no-traffic-capture-bypass"]);
            assert.ok(stdout.endsWith("\nPASSED with 1 advisory violation of 1 policy (not blocking).\n"), stdout);
        } finally {
            work.cleanup();
        }
    });

    it("exits 2 naming each file and document that is not valid YAML or not a Kubernetes object", async () => {
        const { code, stdout, stderr } = await runCli(["check", "broken"], MANIFESTS);
        assert.strictEqual(code, 2);
        assert.strictEqual(stdout, "");
        const lines = stderr.split("\n");
        assert.strictEqual(lines[0], "meshguard check: cannot read the manifests:");
        assert.deepStrictEqual(lines.slice(1, 4), [
            "  broken/invalid-yaml.yaml: document 2: invalid YAML at line 11, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]",
            "        10 | data: [unclosed",
            "                            ^",
        ]);
        assert.deepStrictEqual(lines.slice(4), [
            '  broken/missing-kind.yaml: document 3: not a Kubernetes object: missing "kind"',
            "  broken/missing-kind.yaml: document 4: expected a Kubernetes object (a mapping with apiVersion and kind), found a list",
            "",
        ]);
    });

    it("exits 2 without arguments", async () => {
        const { code, stderr } = await runCli(["check"], MANIFESTS);
        assert.strictEqual(code, 2);
        assert.strictEqual(stderr, 'meshguard check: expected at least one YAML file or directory\nRun "meshguard check --help" for usage.\n');
    });
});
