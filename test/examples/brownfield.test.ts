import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { compileMeshPolicy } from "../../components/compile";
import { REPO_ROOT, reportedPolicies, runCli, tempDir } from "../cli/run-cli";

// examples/brownfield: a running Bookinfo mesh as files (saved Prometheus answers, hand-written
// policies) and the program that adopts it with staged enforcement (docs/adoption.md, "Walkthrough").
const EXAMPLE = path.join(REPO_ROOT, "examples", "brownfield");
const METRICS = ["--prometheus", path.join(EXAMPLE, "metrics", "requests.json"), path.join(EXAMPLE, "metrics", "tcp.json")];

describe("examples/brownfield: discover → staged enforcement", () => {
    it("discover on the saved metrics writes exactly the committed discovered.json", async () => {
        const { code, stdout } = await runCli(["discover", ...METRICS], REPO_ROOT);
        assert.strictEqual(code, 0);
        assert.strictEqual(stdout, fs.readFileSync(path.join(EXAMPLE, "discovered.json"), "utf8"));
    });

    it("discover --check against the program's output: no observed call would break, now or once enforced (exit 0)", async () => {
        const { code, stdout } = await runCli(["discover", ...METRICS, "--check", EXAMPLE], REPO_ROOT);
        assert.strictEqual(code, 0, stdout);
        assert.ok(stdout.startsWith("meshguard discover --check: 9 observed calls replayed against "), stdout);
        assert.ok(stdout.endsWith("\nOK: all 9 replayed calls would still be allowed.\n"), stdout);
    });

    it("discover --check fails (exit 1) when a shadow destination's dry-run policies deny an observed call", async () => {
        const work = tempDir("brownfield-check");
        try {
            const input = JSON.parse(fs.readFileSync(path.join(EXAMPLE, "discovered.json"), "utf8"));
            // Without reviews → ratings, the dry-run ratings policy would deny reviews' calls.
            input.allow = input.allow.filter((r: { from: { service?: string }; to: string }) => !(r.from.service === "reviews" && r.to === "ratings"));
            const manifests = compileMeshPolicy({ ...input, networkPolicies: false, dryRunServices: ["mysqldb", "productpage", "ratings", "reviews"] });
            fs.writeFileSync(path.join(work.dir, "staged.yaml"), manifests.map((m) => stringify(m)).join("---\n"));
            const { code, stdout } = await runCli(["discover", ...METRICS, "--check", path.join(work.dir, "staged.yaml")], REPO_ROOT);
            assert.strictEqual(code, 1, stdout);
            assert.match(stdout, /\nWould break once enforced \(dry-run now\) \(2\):\n {2}- bookinfo\/reviews-v2 → bookinfo\/ratings-v1 :9080 http, 16051 requests \(identity spiffe:\/\/cluster\.local\/ns\/bookinfo\/sa\/bookinfo-reviews\): GET \/meshguard-probe-undeclared is allowed now only because the callee's policies run in dry-run \(bookinfo\/ratings-allow\); enforced, they deny it\n/);
            assert.ok(stdout.endsWith("\nFAILED: 2 observed calls would or might be denied.\n"), stdout);
        } finally {
            work.cleanup();
        }
    });

    it("the offline preview passes the pack; the four shadow destinations are reported as dry-run, not enforced", async () => {
        const work = tempDir("brownfield");
        try {
            const { code, stdout, stderr } = await runCli(["preview", EXAMPLE, "--out", work.dir, "--quiet"], REPO_ROOT);
            assert.strictEqual(stderr, "");
            assert.strictEqual(code, 0, stdout);
            assert.ok(stdout.includes("\nResources: 15 (1 stack, 2 components, 12 Kubernetes objects)\n"), stdout);
            // The gateway's namespace is not part of this stack: its principal is reported (advisory).
            assert.deepStrictEqual(reportedPolicies(stdout), ["advisory policy-references-exist", "advisory authorization-policy-staged-enforcement"]);
            const staged = [...stdout.matchAll(/AuthorizationPolicy bookinfo\/(\w+)\.staged-allow: spec\.rules\[0\]: dry-run, not enforced: workloads app=\w+ accept any caller on ports (\d+);/g)].map((m) => `${m[1]}:${m[2]}`);
            assert.deepStrictEqual(staged, ["mysqldb:3306", "productpage:9080", "ratings:9080", "reviews:9080"]);
            assert.ok(stdout.endsWith("\nPASSED with 5 advisory violations of 2 policies (not blocking).\n"), stdout);
            const written = fs.readdirSync(path.join(work.dir, "1-manifest")).filter((f) => f.includes("authorizationpolicy")).sort();
            assert.deepStrictEqual(written, [
                "security.istio.io_v1-authorizationpolicy-bookinfo-allow-nothing.yaml",
                "security.istio.io_v1-authorizationpolicy-bookinfo-details-allow.yaml",
                "security.istio.io_v1-authorizationpolicy-bookinfo-mysqldb-allow.yaml",
                "security.istio.io_v1-authorizationpolicy-bookinfo-mysqldb.staged-allow.yaml",
                "security.istio.io_v1-authorizationpolicy-bookinfo-productpage-allow.yaml",
                "security.istio.io_v1-authorizationpolicy-bookinfo-productpage.staged-allow.yaml",
                "security.istio.io_v1-authorizationpolicy-bookinfo-ratings-allow.yaml",
                "security.istio.io_v1-authorizationpolicy-bookinfo-ratings.staged-allow.yaml",
                "security.istio.io_v1-authorizationpolicy-bookinfo-reviews-allow.yaml",
                "security.istio.io_v1-authorizationpolicy-bookinfo-reviews.staged-allow.yaml",
            ]);
        } finally {
            work.cleanup();
        }
    });

    it("the running state under existing/ (hand-written policies, workloads) is refused by the pack for the mistakes it carries", async () => {
        const { code, stdout } = await runCli(["check", path.join(EXAMPLE, "existing")], REPO_ROOT);
        assert.strictEqual(code, 1, stdout);
        assert.deepStrictEqual(reportedPolicies(stdout).filter((p) => p.startsWith("mandatory")), [
            "mandatory authorization-policy-no-allow-all",
            "mandatory authorization-policy-safe-patterns",
            "mandatory istio-resource-schema",
            "mandatory workload-no-injection-opt-out",
            "mandatory mesh-default-deny",
            "mandatory mesh-strict-mtls-coverage",
        ]);
    });
});
