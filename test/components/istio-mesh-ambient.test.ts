import * as assert from "assert";
import { IstioMesh } from "meshguard";
import { byName, plainInputs, recorder, registered, settle, urnOf, useMocks } from "../harness/mocks";

const MESH = "meshguard:install:IstioMesh";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const CHART = "kubernetes:helm.sh/v4:Chart";
const CONFIG_FILE = "kubernetes:yaml/v2:ConfigFile";
const PEER_AUTHENTICATION = "kubernetes:security.istio.io/v1:PeerAuthentication";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const REPO = "https://istio-release.storage.googleapis.com/charts";
const CRDS = "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml";

const childUrn = (type: string, name: string) => urnOf(type, name, urnOf(MESH, "istio"));

describe("IstioMesh dataplane ambient (component, mock runtime)", () => {
    before(async () => {
        await useMocks();
    });
    beforeEach(() => recorder.reset());

    it("registers base → Gateway API CRDs → istiod → cni → ztunnel, each after the one before", async () => {
        const mesh = new IstioMesh("istio", { dataplane: "ambient", gatewayApi: "install" });
        await registered(mesh);
        assert.strictEqual(mesh.dataplane, "ambient");
        assert.deepStrictEqual(recorder.resources.map((r) => `${r.type}::${r.name}`).sort(), [
            `${NAMESPACE}::istio-namespace`,
            `${NETWORK_POLICY}::istio-istiod-network-policy`,
            `${PEER_AUTHENTICATION}::istio-mesh-mtls`,
            `${CHART}::istio-base`,
            `${CHART}::istio-cni`,
            `${CHART}::istio-istiod`,
            `${CHART}::istio-ztunnel`,
            `${MESH}::istio`,
            `${CONFIG_FILE}::istio-gateway-api-crds`,
        ].sort());
        assert.deepStrictEqual(plainInputs(byName("istio-gateway-api-crds")), { file: CRDS });
        assert.strictEqual(byName("istio-gateway-api-crds").parent, urnOf(MESH, "istio"));
        assert.deepStrictEqual(byName("istio-gateway-api-crds").dependencies, []);
        assert.deepStrictEqual(byName("istio-istiod").dependencies, [childUrn(CHART, "istio-base"), childUrn(CONFIG_FILE, "istio-gateway-api-crds")]);
        assert.deepStrictEqual(byName("istio-cni").dependencies, [childUrn(CHART, "istio-istiod")]);
        assert.deepStrictEqual(byName("istio-ztunnel").dependencies, [childUrn(CHART, "istio-istiod"), childUrn(CHART, "istio-cni")]);
        assert.deepStrictEqual(plainInputs(byName("istio-ztunnel")), {
            chart: "ztunnel",
            version: "1.30.3",
            namespace: "istio-system",
            name: "ztunnel",
            repositoryOpts: { repo: REPO },
            values: { istioNamespace: "istio-system" },
        });
        assert.deepStrictEqual(plainInputs(byName("istio-cni")), {
            chart: "cni",
            version: "1.30.3",
            namespace: "istio-system",
            name: "istio-cni",
            repositoryOpts: { repo: REPO },
            values: { profile: "ambient" },
        });
        assert.strictEqual((plainInputs(byName("istio-istiod"))["values"] as Record<string, unknown>)["profile"], "ambient");
        // Namespaces and policies wait for the whole data plane.
        assert.deepStrictEqual(
            mesh.ready.map((r) => r === mesh.resources.gatewayApi ? "gatewayApi" : r === mesh.resources.istiod ? "istiod" : r === mesh.resources.cni ? "cni" : r === mesh.resources.ztunnel ? "ztunnel" : r === mesh.resources.meshMtls ? "meshMtls" : "?"),
            ["gatewayApi", "istiod", "cni", "ztunnel", "meshMtls"],
        );
    });

    it("assume-present registers no CRDs", async () => {
        const mesh = new IstioMesh("istio", { dataplane: "ambient", gatewayApi: "assume-present" });
        await registered(mesh);
        assert.strictEqual(recorder.resources.filter((r) => r.type === CONFIG_FILE).length, 0);
        assert.deepStrictEqual(byName("istio-istiod").dependencies, [childUrn(CHART, "istio-base")]);
    });

    const cases: [string, unknown, string[]][] = [
        ["an unknown dataplane", { dataplane: "ebpf" }, ['dataplane: must be "sidecar" (sidecar injection, the default) or "ambient" (istio-cni and ztunnel, no sidecars)']],
        [
            "ambient without gatewayApi",
            { dataplane: "ambient" },
            ['gatewayApi: must be set with dataplane "ambient" (waypoints are Gateway API Gateways): "install" to install the Gateway API v1.5.1 standard CRDs, or "assume-present" when the cluster already has them'],
        ],
        [
            "ambient with cni off",
            { dataplane: "ambient", gatewayApi: "install", cni: false },
            ['cni: must not be false with dataplane "ambient": ambient mode needs the istio-cni node agent, which redirects pod traffic to ztunnel. Fix: remove cni or set it to true'],
        ],
    ];
    for (const [what, args, lines] of cases) {
        it(`throws synchronously and registers nothing for ${what}`, async () => {
            assert.throws(() => new IstioMesh("istio", args as never), {
                name: "MeshguardValidationError",
                message: [`invalid IstioMesh "istio" args:`, ...lines.map((l) => `  - ${l}`)].join("\n"),
            });
            await settle();
            assert.deepStrictEqual(recorder.resources, []);
        });
    }

    it("refuses a canary of an ambient mesh before registering it", async () => {
        const mesh = new IstioMesh("istio", { dataplane: "ambient", gatewayApi: "assume-present" });
        await registered(mesh);
        const before = recorder.resources.length;
        assert.throws(() => new IstioMesh("istio-1-30-3", { version: "1.30.3", revision: "1-30-3", canaryOf: mesh }), {
            name: "MeshguardValidationError",
            message:
                'invalid IstioMesh "istio-1-30-3" args:\n  - canaryOf: is an ambient mesh (dataplane "ambient"); canary upgrades are supported for sidecar meshes only. Fix: upgrade the ambient mesh in place by changing its version',
        });
        await settle();
        assert.strictEqual(recorder.resources.length, before);
    });
});
