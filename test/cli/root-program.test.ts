import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { FIXTURES, listFiles, REPO_ROOT, reportedPolicies, runCli, tempDir } from "./run-cli";

const HELM_NOTE = "Helm chart: its objects render only in a real preview";

describe("meshguard preview of the root (flagship) program", () => {
    let work: ReturnType<typeof tempDir>;
    beforeEach(() => { work = tempDir("root"); });
    afterEach(() => work.cleanup());

    it("runs the root Pulumi.yaml by default: banner, tree, YAML files, no violations", async () => {
        const { code, stdout, stderr } = await runCli(["preview", "--out", work.dir], REPO_ROOT);
        assert.strictEqual(stderr, "");
        assert.strictEqual(code, 0, stdout);
        assert.ok(stdout.startsWith([
            "meshguard preview: OFFLINE preview of project meshguard, stack dev (index.ts)",
            "  No cluster and no Pulumi engine: the program ran in this process under Pulumi's mock runtime.",
            "  Helm charts appear as one component each; the objects they render exist only in a real `pulumi preview`.",
            "",
        ].join("\n")), stdout);
        const rows = stdout.split("\n").filter((l) => l.startsWith(" +   ")).map((l) => l.trim().replace(/\s+/g, " "));
        assert.deepStrictEqual(rows, [
            "+ pulumi:pulumi:Stack meshguard-dev",
            "+ ├─ meshguard:install:IstioMesh mesh meshguard-dev",
            "+ │ ├─ kubernetes:core/v1:Namespace mesh-namespace mesh",
            "+ │ ├─ kubernetes:core/v1:Namespace mesh-gateway-namespace mesh",
            "+ │ ├─ kubernetes:networking.k8s.io/v1:NetworkPolicy mesh-istiod-network-policy mesh",
            `+ │ ├─ kubernetes:helm.sh/v4:Chart mesh-base mesh ${HELM_NOTE}`,
            `+ │ ├─ kubernetes:helm.sh/v4:Chart mesh-istiod mesh ${HELM_NOTE}`,
            "+ │ ├─ kubernetes:security.istio.io/v1:PeerAuthentication mesh-mesh-mtls mesh",
            `+ │ └─ kubernetes:helm.sh/v4:Chart mesh-gateway mesh ${HELM_NOTE}`,
            "+ ├─ meshguard:namespace:MeshNamespace shop meshguard-dev",
            "+ │ ├─ kubernetes:core/v1:Namespace shop-namespace shop",
            "+ │ ├─ kubernetes:security.istio.io/v1:AuthorizationPolicy shop-default-deny shop",
            "+ │ └─ kubernetes:security.istio.io/v1:PeerAuthentication shop-mtls shop",
            "+ ├─ meshguard:namespace:MeshNamespace payments meshguard-dev",
            "+ │ ├─ kubernetes:core/v1:Namespace payments-namespace payments",
            "+ │ ├─ kubernetes:security.istio.io/v1:AuthorizationPolicy payments-default-deny payments",
            "+ │ └─ kubernetes:security.istio.io/v1:PeerAuthentication payments-mtls payments",
            "+ ├─ meshguard:policy:MeshPolicy access meshguard-dev",
            "+ │ ├─ kubernetes:networking.k8s.io/v1:NetworkPolicy access-shop/default-deny-ingress access",
            "+ │ ├─ kubernetes:networking.k8s.io/v1:NetworkPolicy access-payments/default-deny-ingress access",
            "+ │ ├─ kubernetes:security.istio.io/v1:AuthorizationPolicy access-shop/storefront-allow access",
            "+ │ ├─ kubernetes:security.istio.io/v1:AuthorizationPolicy access-payments/payments-allow access",
            "+ │ ├─ kubernetes:networking.k8s.io/v1:NetworkPolicy access-shop/allow-ingress-to-orders access",
            "+ │ ├─ kubernetes:networking.k8s.io/v1:NetworkPolicy access-shop/allow-ingress-to-storefront access",
            "+ │ ├─ kubernetes:networking.k8s.io/v1:NetworkPolicy access-payments/allow-ingress-to-payments access",
            "+ │ └─ kubernetes:security.istio.io/v1:AuthorizationPolicy access-shop/orders-allow access",
            "+ ├─ kubernetes:core/v1:ServiceAccount storefront meshguard-dev",
            "+ ├─ kubernetes:core/v1:ServiceAccount orders meshguard-dev",
            "+ ├─ kubernetes:core/v1:ServiceAccount payments meshguard-dev",
            "+ ├─ kubernetes:core/v1:Service storefront meshguard-dev",
            "+ ├─ kubernetes:core/v1:Service orders meshguard-dev",
            "+ ├─ kubernetes:core/v1:Service payments meshguard-dev",
            "+ ├─ kubernetes:apps/v1:Deployment storefront meshguard-dev",
            "+ ├─ kubernetes:apps/v1:Deployment orders meshguard-dev",
            "+ └─ kubernetes:apps/v1:Deployment payments meshguard-dev",
        ]);
        assert.ok(stdout.includes("\nResources: 35 (1 stack, 4 components, 3 Helm installs, 27 Kubernetes objects)\n"), stdout);
        assert.deepStrictEqual(listFiles(work.dir), [
            "1-manifest/apps_v1-deployment-payments-payments.yaml",
            "1-manifest/apps_v1-deployment-shop-orders.yaml",
            "1-manifest/apps_v1-deployment-shop-storefront.yaml",
            "1-manifest/networking.k8s.io_v1-networkpolicy-istio-system-istiod-ingress.yaml",
            "1-manifest/networking.k8s.io_v1-networkpolicy-payments-allow-ingress-to-payments.yaml",
            "1-manifest/networking.k8s.io_v1-networkpolicy-payments-default-deny-ingress.yaml",
            "1-manifest/networking.k8s.io_v1-networkpolicy-shop-allow-ingress-to-orders.yaml",
            "1-manifest/networking.k8s.io_v1-networkpolicy-shop-allow-ingress-to-storefront.yaml",
            "1-manifest/networking.k8s.io_v1-networkpolicy-shop-default-deny-ingress.yaml",
            "1-manifest/security.istio.io_v1-authorizationpolicy-payments-allow-nothing.yaml",
            "1-manifest/security.istio.io_v1-authorizationpolicy-payments-payments-allow.yaml",
            "1-manifest/security.istio.io_v1-authorizationpolicy-shop-allow-nothing.yaml",
            "1-manifest/security.istio.io_v1-authorizationpolicy-shop-orders-allow.yaml",
            "1-manifest/security.istio.io_v1-authorizationpolicy-shop-storefront-allow.yaml",
            "1-manifest/security.istio.io_v1-peerauthentication-istio-system-default.yaml",
            "1-manifest/security.istio.io_v1-peerauthentication-payments-default.yaml",
            "1-manifest/security.istio.io_v1-peerauthentication-shop-default.yaml",
            "1-manifest/v1-namespace-default-istio-ingress.yaml",
            "1-manifest/v1-namespace-default-istio-system.yaml",
            "1-manifest/v1-namespace-default-payments.yaml",
            "1-manifest/v1-namespace-default-shop.yaml",
            "1-manifest/v1-service-payments-payments.yaml",
            "1-manifest/v1-service-shop-orders.yaml",
            "1-manifest/v1-service-shop-storefront.yaml",
            "1-manifest/v1-serviceaccount-payments-payments.yaml",
            "1-manifest/v1-serviceaccount-shop-orders.yaml",
            "1-manifest/v1-serviceaccount-shop-storefront.yaml",
            "mesh.mmd",
            "summary.md",
        ]);
        assert.deepStrictEqual(reportedPolicies(stdout), []);
        assert.ok(stdout.endsWith("\nPASSED: no policy violations.\n"), stdout);
    });

    it("works as the real command: node bin/meshguard.js preview (what npm start runs), from any directory", () => {
        const result = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "meshguard.js"), "preview", "--quiet", "--out", work.dir], { cwd: work.dir, encoding: "utf8" });
        assert.strictEqual(result.status, 0, result.stderr);
        assert.ok(result.stdout.startsWith(`meshguard preview: OFFLINE preview of project meshguard, stack dev (${path.join(REPO_ROOT, "index.ts")})\n`), result.stdout);
        assert.ok(result.stdout.endsWith("\nPASSED: no policy violations.\n"), result.stdout);
        assert.ok(listFiles(work.dir).includes("1-manifest/v1-namespace-default-shop.yaml"));
    });

    it("real command: exits 3 with the program's error when it throws", () => {
        const bin = path.join(REPO_ROOT, "bin", "meshguard.js");
        const result = spawnSync(process.execPath, [bin, "preview", path.join(FIXTURES, "projects", "throws")], { cwd: work.dir, encoding: "utf8" });
        assert.strictEqual(result.status, 3, result.stderr);
        assert.match(result.stderr, /^meshguard preview: program throws \(.*index\.ts\) failed: database password is not set \(config key throws:dbPassword\)\n {4}at Object\.<anonymous> \(index\.ts:4:7\)\n {4}\(meshguard preview --verbose shows the full stack\)\n$/);
    });
});
