import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT, runCli, tempDir } from "./run-cli";

const FIXTURES = path.join(REPO_ROOT, "test", "adopt", "fixtures");

const TEXT = `meshguard diff: diff/before (7 objects) → diff/after (7 objects), 3 workloads compared
Newly allowed (1):
  + bookinfo/productpage-v1 → bookinfo/ratings-v1 :9080 http GET on /ratings/*
Newly denied (1):
  - bookinfo/productpage-v1 → bookinfo/reviews-v1 :9080 http GET on (any path)
mTLS changes (1):
  bookinfo/ratings-v1 :9080 STRICT → PERMISSIVE (weaker: plaintext accepted)
Objects (3):
  + PeerAuthentication bookinfo/ratings-permissive (security.istio.io/v1)
  - AuthorizationPolicy bookinfo/reviews-allow (security.istio.io/v1)
  ~ AuthorizationPolicy bookinfo/ratings-allow (security.istio.io/v1)
WIDENING: 1 newly allowed, 1 mTLS weakened (exit 1; --allow-widening accepts it).
`;

const MARKDOWN = `### meshguard diff

\`diff/before (7 objects)\` → \`diff/after (7 objects)\`, 3 workloads compared.

**WIDENING: 1 newly allowed, 1 mTLS weakened (exit 1; --allow-widening accepts it).**

| Change | From | To | Port | Requests |
| --- | --- | --- | --- | --- |
| newly allowed | \`bookinfo/productpage-v1\` | \`bookinfo/ratings-v1\` | 9080/http | GET on \`/ratings/*\` |
| newly denied | \`bookinfo/productpage-v1\` | \`bookinfo/reviews-v1\` | 9080/http | GET on \`(any path)\` |

| Workload | Port | mTLS before | mTLS after |
| --- | --- | --- | --- |
| \`bookinfo/ratings-v1\` | 9080 | STRICT | PERMISSIVE (weaker) |

Objects:
- added \`PeerAuthentication bookinfo/ratings-permissive (security.istio.io/v1)\`
- removed \`AuthorizationPolicy bookinfo/reviews-allow (security.istio.io/v1)\`
- changed \`AuthorizationPolicy bookinfo/ratings-allow (security.istio.io/v1)\`
`;

describe("meshguard diff", () => {
    it("prints the changes and exits 1 when something is newly allowed", async () => {
        assert.deepStrictEqual(await runCli(["diff", "diff/before", "diff/after"], FIXTURES), { code: 1, stdout: TEXT, stderr: "" });
    });

    it("--format markdown prints a pull-request comment", async () => {
        assert.deepStrictEqual(await runCli(["diff", "diff/before", "diff/after", "--format", "markdown"], FIXTURES), { code: 1, stdout: MARKDOWN, stderr: "" });
    });

    it("--json prints { allowed, denied, mtls, objects, workloads }", async () => {
        const r = await runCli(["diff", "diff/before", "diff/after", "--json"], FIXTURES);
        assert.strictEqual(r.code, 1);
        const out = JSON.parse(r.stdout);
        assert.deepStrictEqual(Object.keys(out), ["allowed", "denied", "mtls", "objects", "workloads"]);
        assert.deepStrictEqual(out.allowed, [{ from: "bookinfo/productpage-v1", to: "bookinfo/ratings-v1", port: 9080, protocol: "http", methods: ["GET"], paths: ["/ratings/*"] }]);
    });

    it("--allow-widening exits 0; a narrowing alone exits 0", async () => {
        const accepted = await runCli(["diff", "diff/before", "diff/after", "--allow-widening"], FIXTURES);
        assert.strictEqual(accepted.code, 0);
        assert.ok(accepted.stdout.endsWith("WIDENING: 1 newly allowed, 1 mTLS weakened (accepted with --allow-widening).\n"));
        const { dir, cleanup } = tempDir("diff");
        try {
            const policies = fs.readFileSync(path.join(FIXTURES, "diff/before/policies.yaml"), "utf8");
            fs.copyFileSync(path.join(FIXTURES, "diff/before/workloads.yaml"), path.join(dir, "workloads.yaml"));
            fs.writeFileSync(path.join(dir, "policies.yaml"), policies.split("\n---\n").filter((d) => !d.includes("name: ratings-allow")).join("\n---\n"));
            const narrowed = await runCli(["diff", path.join(FIXTURES, "diff/before"), dir], FIXTURES);
            assert.strictEqual(narrowed.code, 0);
            assert.ok(narrowed.stdout.includes("Newly denied (1):\n  - bookinfo/reviews-v1 → bookinfo/ratings-v1 :9080 http GET on (any path)\n"));
            assert.ok(narrowed.stdout.endsWith("No widening: nothing newly allowed, no mTLS weakened.\n"));
        } finally {
            cleanup();
        }
    });

    it("finds nothing between a side and itself", async () => {
        assert.deepStrictEqual(await runCli(["diff", "diff/before", "diff/before"], FIXTURES), {
            code: 0,
            stdout: "meshguard diff: diff/before (7 objects) → diff/before (7 objects), 3 workloads compared\nNo change in who may call whom, mTLS or objects.\n",
            stderr: "",
        });
    });

    it("runs a Pulumi program offline on either side (examples/bookinfo against itself)", async () => {
        const r = await runCli(["diff", "examples/bookinfo", "examples/bookinfo"], REPO_ROOT);
        assert.strictEqual(r.stderr, "");
        assert.strictEqual(r.code, 0);
        assert.match(r.stdout, /^meshguard diff: examples\/bookinfo \(Pulumi program, \d+ objects\) → examples\/bookinfo \(Pulumi program, \d+ objects\), 6 workloads compared\nNo change in who may call whom, mTLS or objects\.\n$/);
    });

    it("bad input: exit 2 naming the file and the document, nothing on stdout", async () => {
        const { dir, cleanup } = tempDir("diff");
        try {
            fs.writeFileSync(path.join(dir, "bad.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\nkey: [unclosed\n");
            fs.writeFileSync(path.join(dir, "notk8s.yaml"), "just: a mapping\n");
            const r = await runCli(["diff", "bad.yaml", "notk8s.yaml"], dir);
            assert.strictEqual(r.code, 2);
            assert.strictEqual(r.stdout, "");
            assert.match(r.stderr, /^meshguard diff: cannot read the manifests:\n {2}bad\.yaml: document 2: invalid YAML at line 6, column 1: .*\n {6}5 \| key: \[unclosed\n/);
            const other = await runCli(["diff", path.join(FIXTURES, "diff/before"), "notk8s.yaml"], dir);
            assert.deepStrictEqual(other, { code: 2, stdout: "", stderr: 'meshguard diff: cannot read the manifests:\n  notk8s.yaml: document 1: not a Kubernetes object: missing "apiVersion" and "kind"\n' });
        } finally {
            cleanup();
        }
    });

    it("usage errors exit 2", async () => {
        const one = await runCli(["diff", "diff/before"], FIXTURES);
        assert.strictEqual(one.code, 2);
        assert.match(one.stderr, /^meshguard diff: expected BEFORE and AFTER \(got 1 argument\)\nRun "meshguard diff --help" for usage\.\n$/);
        const both = await runCli(["diff", "diff/before", "diff/after", "--json", "--format", "markdown"], FIXTURES);
        assert.strictEqual(both.code, 2);
        assert.match(both.stderr, /^meshguard diff: give either --json or --format, not both/);
    });
});
