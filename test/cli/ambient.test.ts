import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT, runCli, tempDir } from "./run-cli";

// A mixed mesh: shop ambient with waypoint "waypoint", web sidecar. explain names the proxy that
// decided and the identity it saw; reachability names each namespace's data plane.
const deployment = (ns: string, name: string, port: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      serviceAccountName: ${name}
      containers: [{name: app, image: "registry.example.com/${name}:1", ports: [{containerPort: ${port}}]}]
`;
const MESH = [
    `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}}
`,
    `apiVersion: v1
kind: Namespace
metadata: {name: web, labels: {istio-injection: enabled}}
`,
    `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop}
spec:
  gatewayClassName: istio-waypoint
  listeners: [{name: mesh, port: 15008, protocol: HBONE}]
`,
    `apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
`,
    deployment("shop", "reviews", 9080),
    deployment("shop", "productpage", 9080),
    deployment("web", "frontend", 8080),
    `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
`,
    `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: shop}
spec: {}
`,
    `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews, namespace: shop}
spec:
  targetRefs: [{kind: Service, group: "", name: reviews}]
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/productpage]}}]
    to: [{operation: {methods: [GET], paths: ["/reviews/*"]}}]
`,
    `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews-from-waypoint, namespace: shop}
spec:
  selector: {matchLabels: {app: reviews}}
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/waypoint]}}]
    to: [{operation: {ports: ["9080"]}}]
`,
].join("---\n");

describe("cli: ambient destinations", () => {
    let dir: string;
    let cleanup: () => void;
    before(() => {
        ({ dir, cleanup } = tempDir("ambient"));
        fs.writeFileSync(path.join(dir, "mesh.yaml"), MESH);
    });
    after(() => cleanup());

    it("explain names the waypoint that denied and the caller identity it saw", async () => {
        const r = await runCli(["explain", "mesh.yaml", "--to", "shop/reviews", "--from-workload", "shop/productpage", "--method", "POST", "--path", "/reviews/1"], dir);
        assert.strictEqual(r.code, 1);
        const lines = r.stdout.split("\n");
        assert.deepStrictEqual(lines.slice(0, 5), [
            "DENIED: waypoint shop/waypoint: 1 ALLOW policy selects Service shop/reviews (shop/reviews) and no rule of it matches the request.",
            "enforced by: waypoint shop/waypoint, seeing cluster.local/ns/shop/sa/productpage",
            "layer: Istio",
            "mTLS: STRICT, connection mTLS, peer cluster.local/ns/shop/sa/productpage",
            "trace:",
        ]);
    });

    it("explain --via pod-ip: the waypoint is bypassed and ztunnel decides on the caller's identity", async () => {
        const r = await runCli(["explain", "mesh.yaml", "--to", "shop/reviews", "--from-workload", "shop/productpage", "--path", "/reviews/1", "--via", "pod-ip"], dir);
        assert.strictEqual(r.code, 1);
        assert.deepStrictEqual(r.stdout.split("\n").slice(0, 3), [
            "DENIED: ztunnel of shop/reviews: 2 ALLOW policies select shop/reviews (shop/allow-nothing, shop/reviews-from-waypoint) and no rule of them matches the request.",
            "enforced by: ztunnel of shop/reviews, seeing cluster.local/ns/shop/sa/productpage",
            "layer: Istio",
        ]);
    });

    it("explain: an allowed request through the waypoint prints its path", async () => {
        const r = await runCli(["explain", "mesh.yaml", "--to", "shop/reviews", "--from-workload", "shop/productpage", "--path", "/reviews/1"], dir);
        assert.strictEqual(r.code, 0);
        assert.deepStrictEqual(r.stdout.split("\n").slice(0, 4), [
            "ALLOWED: ztunnel of shop/reviews: ALLOW policy shop/reviews-from-waypoint rule 0 matches the request.",
            "decided by: ALLOW AuthorizationPolicy shop/reviews-from-waypoint rule 0",
            "enforced by: ztunnel of shop/reviews, seeing cluster.local/ns/shop/sa/waypoint",
            "path: waypoint shop/waypoint allowed → ztunnel of shop/reviews allowed",
        ]);
    });

    it("explain rejects an unknown --via", async () => {
        const r = await runCli(["explain", "mesh.yaml", "--to", "shop/reviews", "--plaintext", "--via", "node"], dir);
        assert.deepStrictEqual([r.code, r.stderr.split("\n")[0]], [2, "meshguard explain: --via must be service or pod-ip (got node)"]);
    });

    it("reachability names each namespace's data plane and decides ambient callees at their waypoint", async () => {
        const r = await runCli(["reachability", "mesh.yaml", "--methods", "GET"], dir);
        assert.deepStrictEqual(r, {
            code: 0,
            stderr: "",
            stdout: [
                "Reachability: 4 callers × 3 callees, 16 probes.",
                "Data planes: shop ambient (waypoint shop/waypoint), web sidecar.",
                "",
                "FROM \\ TO             shop/reviews  shop/productpage  web/frontend",
                "shop/reviews          none          none              all",
                "shop/productpage      some          none              all",
                "web/frontend          none          none              all",
                "(external plaintext)  none          none              none",
                "",
                "shop/productpage → shop/reviews: allowed GET /reviews/meshguard-probe :9080; 1 denied",
                "",
            ].join("\n"),
        });
    });

    it("the ambient example (examples/ambient), run offline: data planes, and a waypoint that allows GET but not DELETE", async function () {
        this.timeout(120_000);
        const program = path.join(REPO_ROOT, "examples", "ambient");
        const r = await runCli(["reachability", "--program", program, "--methods", "GET", "--format", "json"], dir);
        assert.strictEqual(r.code, 0, r.stderr);
        const report = JSON.parse(r.stdout);
        assert.deepStrictEqual(report.dataplanes, [
            { namespace: "frontend", dataplane: "sidecar" },
            { namespace: "bookinfo", dataplane: "ambient", waypoint: "bookinfo/waypoint" },
        ]);
        assert.deepStrictEqual([report.matrix["bookinfo/reviews-v1"]["bookinfo/ratings-v1"], report.matrix["bookinfo/details-v1"]["bookinfo/ratings-v1"]], ["all", "none"]);
        const del = await runCli(["explain", "--program", program, "--to", "bookinfo/ratings-v1", "--from-workload", "bookinfo/reviews-v1", "--method", "DELETE", "--path", "/ratings/1"], dir);
        assert.deepStrictEqual([del.code, del.stdout.split("\n")[1]], [1, "enforced by: waypoint bookinfo/waypoint, seeing cluster.local/ns/bookinfo/sa/bookinfo-reviews"]);
    });

    it("reachability --format json adds the data planes", async () => {
        const r = await runCli(["reachability", "mesh.yaml", "--format", "json", "--methods", "GET"], dir);
        assert.deepStrictEqual(JSON.parse(r.stdout).dataplanes, [
            { namespace: "shop", dataplane: "ambient", waypoint: "shop/waypoint" },
            { namespace: "web", dataplane: "sidecar" },
        ]);
    });
});
