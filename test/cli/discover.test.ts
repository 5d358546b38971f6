import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { parseMeshPolicy } from "../../components/model";
import { BOOKINFO_DISCOVERED } from "../adopt/bookinfo";
import { REPO_ROOT, runCli, tempDir } from "./run-cli";

const FIXTURES = path.join(REPO_ROOT, "test", "adopt", "fixtures");
const BOOKINFO = ["--prometheus", "bookinfo-requests.json", "--prometheus", "bookinfo-tcp.json"];

const BOOKINFO_REPORT = `meshguard discover: 32 series (2 without traffic, ignored) → 5 services, 5 relationships
Relationships:
  + productpage → details :9080 http, 48190 requests (bookinfo/productpage-v1 → bookinfo/details-v1)
  + ratings → mysqldb :3306 tcp, 412 connections (bookinfo/ratings-v1 → bookinfo/mysqldb-v1)
  + ingress gateway → productpage :9080 http, 48267 requests (istio-ingress/istio-ingressgateway → bookinfo/productpage-v1)
  + reviews → ratings :9080 http, 32118 requests (bookinfo/reviews-v2 → bookinfo/ratings-v1, bookinfo/reviews-v3 → bookinfo/ratings-v1)
  + productpage → reviews :9080 http, 48202 requests (bookinfo/productpage-v1 → bookinfo/reviews-v1, bookinfo/productpage-v1 → bookinfo/reviews-v2, bookinfo/productpage-v1 → bookinfo/reviews-v3)
Check before use:
  - service details (bookinfo): selector {app: details} is assumed: Istio metrics name workloads (details-v1), not pod labels. Check that it selects exactly their pods
  - service mysqldb (bookinfo): selector {app: mysqldb} is assumed: Istio metrics name workloads (mysqldb-v1), not pod labels. Check that it selects exactly their pods
  - service productpage (bookinfo): selector {app: productpage} is assumed: Istio metrics name workloads (productpage-v1), not pod labels. Check that it selects exactly their pods
  - service ratings (bookinfo): selector {app: ratings} is assumed: Istio metrics name workloads (ratings-v1), not pod labels. Check that it selects exactly their pods
  - service reviews (bookinfo): selector {app: reviews} is assumed: Istio metrics name workloads (reviews-v1, reviews-v2, reviews-v3), not pod labels. Check that it selects exactly their pods
  - ports are the workload ports Istio observed (destination_port), which AuthorizationPolicies match; where a Kubernetes Service exposes another port, set port to the Service port and targetPort to the observed one
Not turned into relationships (5):
  plaintext callers (source_principal="unknown"):
    - monitoring/prober → bookinfo/details-v1 :9080 http, 2016 requests: the caller is known but sent plaintext (source_principal="unknown"): with STRICT mTLS it will be refused. Fix: let the caller use mTLS (remove a DestinationRule with tls.mode DISABLE), then discover again
  callers outside the mesh:
    - unknown/unknown → bookinfo/productpage-v1 :9080 http, 87 requests: the caller has no sidecar (no workload name, no identity): with STRICT mTLS it will be refused. Fix: inject a sidecar into the caller, or route it through the ingress gateway
  callees without a service account (destination_principal="unknown"):
    - bookinfo/ratings-v1 → bookinfo/mongodb-v1 :27017 tcp, 96 connections: the callee presented no mTLS identity (destination_principal="unknown"): it has no sidecar or does not accept mTLS, so its policies cannot be checked. Fix: inject a sidecar into the callee
  reporter="source" and reporter="destination" disagree:
    - bookinfo/reviews-v1 → bookinfo/ratings-v1 :9080 http, 25 requests: the caller's proxy saw spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews → spiffe://cluster.local/ns/bookinfo/sa/bookinfo-ratings, the callee's proxy saw unknown → spiffe://cluster.local/ns/bookinfo/sa/bookinfo-ratings: the identity the callee will check is not certain
  callers never seen as callees (ports unknown):
    - bookinfo/traffic-generator → bookinfo/productpage-v1 :9080 http, 2016 requests: the caller (service account bookinfo/bookinfo-loadgen) was never seen as a callee, so its ports are unknown and it cannot be declared (a MeshPolicy service needs at least one port). Fix: declare it in an existing input and run with --merge
Not allowed by default, review them (1):
  only errors:
    - bookinfo/productpage-v1 → bookinfo/ratings-v1 :9080 http, 311 requests: every response was an error (response_code 403): not allowed by default. Fix: if the caller needs it, add the relationship by hand
`;

/** Evaluates the TypeScript module `--format ts` prints and returns its default export. */
function evaluateModule(source: string): unknown {
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
    const module = { exports: {} as Record<string, unknown> };
    new Function("module", "exports", "require", js)(module, module.exports, () => ({}));
    return module.exports["default"];
}

describe("meshguard discover", () => {
    it("prints the MeshPolicy input as JSON on stdout and the report on stderr (Bookinfo)", async () => {
        const r = await runCli(["discover", ...BOOKINFO], FIXTURES);
        assert.strictEqual(r.code, 0);
        assert.deepStrictEqual(JSON.parse(r.stdout), BOOKINFO_DISCOVERED);
        assert.strictEqual(r.stdout, `${JSON.stringify(BOOKINFO_DISCOVERED, null, 2)}\n`);
        assert.strictEqual(r.stderr, BOOKINFO_REPORT);
    });

    it("accepts several files after one --prometheus", async () => {
        const r = await runCli(["discover", "--prometheus", "bookinfo-requests.json", "bookinfo-tcp.json"], FIXTURES);
        assert.strictEqual(r.code, 0);
        assert.deepStrictEqual(JSON.parse(r.stdout), BOOKINFO_DISCOVERED);
    });

    it("--format ts prints a module whose export passes parseMeshPolicy", async () => {
        const r = await runCli(["discover", ...BOOKINFO, "--format", "ts"], FIXTURES);
        assert.strictEqual(r.code, 0);
        assert.match(r.stdout, /^\/\/ Discovered by `meshguard discover`/);
        assert.match(r.stdout, /import type \{ MeshPolicyInput \} from "meshguard";/);
        const exported = evaluateModule(r.stdout);
        assert.deepStrictEqual(exported, BOOKINFO_DISCOVERED);
        parseMeshPolicy(exported);
    });

    it("--merge adds to an existing input and lists what is new and what was already allowed", async () => {
        const { dir, cleanup } = tempDir("discover");
        try {
            const existing = { services: [{ id: "details", namespace: "bookinfo", serviceAccount: "bookinfo-details", ports: [{ port: 9080, protocol: "http" }] }, { id: "productpage", namespace: "bookinfo", serviceAccount: "bookinfo-productpage", ports: [{ port: 9080, protocol: "http" }] }], allow: [{ from: { service: "productpage" }, to: "details" }] };
            fs.writeFileSync(path.join(dir, "existing.json"), JSON.stringify(existing));
            const r = await runCli(["discover", "--prometheus", path.join(FIXTURES, "bookinfo-requests.json"), "--merge", "existing.json"], dir);
            assert.strictEqual(r.code, 0);
            const out = JSON.parse(r.stdout);
            assert.deepStrictEqual(out.services.slice(0, 2), existing.services);
            assert.deepStrictEqual(out.allow.slice(0, 1), existing.allow);
            assert.deepStrictEqual(r.stderr.split("\n").slice(0, 7), [
                "meshguard discover: 29 series (2 without traffic, ignored) → 2 services, 3 relationships added to existing.json",
                "New relationships:",
                "  + ingress gateway → productpage :9080 http, 48267 requests (istio-ingress/istio-ingressgateway → bookinfo/productpage-v1)",
                "  + reviews → ratings :9080 http, 32118 requests (bookinfo/reviews-v2 → bookinfo/ratings-v1, bookinfo/reviews-v3 → bookinfo/ratings-v1)",
                "  + productpage → reviews :9080 http, 48202 requests (bookinfo/productpage-v1 → bookinfo/reviews-v1, bookinfo/productpage-v1 → bookinfo/reviews-v2, bookinfo/productpage-v1 → bookinfo/reviews-v3)",
                "Already allowed by existing.json:",
                "  = allow[0]: bookinfo/productpage-v1 → bookinfo/details-v1 :9080",
            ]);
        } finally {
            cleanup();
        }
    });

    describe("bad input: exit 2, a message naming the file, nothing on stdout", () => {
        const cases: [string, string, string][] = [
            ["malformed JSON", '{\n  "status": "success",\n  "data": {"resultType": "vector", "result": [}\n}\n', 'meshguard discover: bad.json: line 3, column 47: invalid JSON: unexpected "}\\n}\\n". Fix: save the body of the Prometheus answer as it is (curl -s ... > bad.json)\n'],
            ["a Prometheus error answer", '{"status":"error","errorType":"bad_data","error":"1:14: parse error: unexpected \\"(\\""}', 'meshguard discover: bad.json: Prometheus answered with an error (bad_data): "1:14: parse error: unexpected \\"(\\"". Fix: correct the query and save a successful answer\n'],
            ["a file that is not a Prometheus answer", '{"apiVersion": "v1", "kind": "ConfigMap"}', 'meshguard discover: bad.json: not a Prometheus API answer (expected an object with "status" and "data", found an object). Fix: save the answer of /api/v1/query, see docs/adoption.md\n'],
            ["a scalar answer", '{"status":"success","data":{"resultType":"scalar","result":[1764676800,"3"]}}', 'meshguard discover: bad.json: data.resultType: expected "vector" or "matrix", found the string "scalar". Fix: query a metric with its labels, e.g. sum by (...) (increase(istio_requests_total[7d]))\n'],
            ["a series without Istio labels", '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"x"},"value":[1764676800,"1"]}]}}', "meshguard discover: bad.json: data.result[0].metric: missing Istio labels reporter, source_workload, source_workload_namespace, source_principal, destination_workload, destination_workload_namespace, destination_principal, request_protocol. Fix: group the query by the labels listed in docs/adoption.md (sum by (...))\n"],
        ];
        for (const [name, text, message] of cases) {
            it(name, async () => {
                const { dir, cleanup } = tempDir("discover");
                try {
                    fs.writeFileSync(path.join(dir, "bad.json"), text);
                    const r = await runCli(["discover", "--prometheus", path.join(FIXTURES, "bookinfo-tcp.json"), "--prometheus", "bad.json"], dir);
                    assert.deepStrictEqual(r, { code: 2, stdout: "", stderr: message });
                } finally {
                    cleanup();
                }
            });
        }

        it("a missing file and an invalid --merge input", async () => {
            const missing = await runCli(["discover", "--prometheus", "nope.json"], FIXTURES);
            assert.deepStrictEqual(missing, { code: 2, stdout: "", stderr: "meshguard discover: nope.json: no such file\n" });
            const { dir, cleanup } = tempDir("discover");
            try {
                fs.writeFileSync(path.join(dir, "existing.json"), JSON.stringify({ services: [] }));
                const r = await runCli(["discover", "--prometheus", path.join(FIXTURES, "bookinfo-tcp.json"), "--merge", "existing.json"], dir);
                assert.deepStrictEqual(r, { code: 2, stdout: "", stderr: "meshguard discover: invalid existing.json:\n  - services: must declare at least one service\n" });
            } finally {
                cleanup();
            }
        });

        it("usage errors", async () => {
            const r = await runCli(["discover", "--format", "yaml", "--prometheus", "x.json"], FIXTURES);
            assert.strictEqual(r.code, 2);
            assert.strictEqual(r.stdout, "");
            assert.match(r.stderr, /^meshguard discover: --format must be json or ts \(got yaml\)\nRun "meshguard discover --help" for usage\.\n$/);
            const none = await runCli(["discover"], FIXTURES);
            assert.strictEqual(none.code, 2);
            assert.match(none.stderr, /^meshguard discover: expected --prometheus FILE/);
        });
    });
});

describe("meshguard discover --check", () => {
    const DIFF = path.join(FIXTURES, "diff");

    it("lists the observed calls the declared policies would deny and exits 1", async () => {
        const r = await runCli(["discover", ...BOOKINFO, "--check", path.join(DIFF, "before")], FIXTURES);
        assert.strictEqual(r.code, 1);
        assert.strictEqual(r.stderr, "");
        const lines = r.stdout.split("\n");
        assert.strictEqual(lines[0], `meshguard discover --check: 13 observed calls replayed against ${path.join(DIFF, "before")} (7 objects)`);
        assert.strictEqual(lines[1], "Assumed (not among the objects; labels app=<Service name>, service account from the principal): bookinfo/details-v1, bookinfo/mongodb-v1, bookinfo/mysqldb-v1, bookinfo/reviews-v2, bookinfo/reviews-v3");
        assert.ok(r.stdout.includes("\n  - monitoring/prober → bookinfo/details-v1 :9080 http, 2016 requests (plaintext, no identity): GET /meshguard-probe-undeclared is denied: STRICT mTLS on bookinfo/details-v1 port 9080 rejects the plaintext connection of a plaintext caller outside the mesh (PeerAuthentication bookinfo/default)\n"));
        assert.strictEqual(lines[lines.length - 2], "FAILED: 12 observed calls would or might be denied.");
    });

    it("exits 0 when every observed call is still allowed", async () => {
        const { dir, cleanup } = tempDir("check");
        try {
            const answer = { status: "success", data: { resultType: "vector", result: JSON.parse(fs.readFileSync(path.join(FIXTURES, "bookinfo-requests.json"), "utf8")).data.result.filter((s: { metric: Record<string, string> }) => s.metric["destination_workload"] === "reviews-v1" && s.metric["source_workload"] === "productpage-v1") } };
            fs.writeFileSync(path.join(dir, "m.json"), JSON.stringify(answer));
            fs.writeFileSync(path.join(dir, "open.yaml"), fs.readFileSync(path.join(DIFF, "before", "workloads.yaml"), "utf8"));
            const r = await runCli(["discover", "--prometheus", "m.json", "--check", "open.yaml"], dir);
            assert.deepStrictEqual(r, { code: 0, stdout: "meshguard discover --check: 1 observed call replayed against open.yaml (3 objects)\nOK: all 1 replayed calls would still be allowed.\n", stderr: "" });
        } finally {
            cleanup();
        }
    });

    it("refuses unreadable YAML (exit 2) and --check with --merge (usage)", async () => {
        const { dir, cleanup } = tempDir("check");
        try {
            fs.writeFileSync(path.join(dir, "bad.yaml"), "kind: [\n");
            const r = await runCli(["discover", "--prometheus", path.join(FIXTURES, "bookinfo-tcp.json"), "--check", "bad.yaml"], dir);
            assert.strictEqual(r.code, 2);
            assert.strictEqual(r.stdout, "");
            assert.match(r.stderr, /^meshguard discover: cannot read the manifests:\n {2}bad\.yaml: document 1: invalid YAML at line 2, column 1: .*\n {6}1 \| kind: \[\n/);
            const both = await runCli(["discover", "--prometheus", path.join(FIXTURES, "bookinfo-tcp.json"), "--check", "bad.yaml", "--merge", "x.json"], dir);
            assert.strictEqual(both.code, 2);
            assert.match(both.stderr, /^meshguard discover: --check writes no input: it cannot be combined with --merge or --format/);
        } finally {
            cleanup();
        }
    });
});
