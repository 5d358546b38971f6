import * as assert from "assert";
import { IstioMesh, MeshNamespace } from "meshguard";
import { byName, outputValue, plainInputs, recorder, registered, settle, urnOf, useMocks } from "../harness/mocks";

const COMPONENT = "meshguard:namespace:MeshNamespace";
const MESH = "meshguard:install:IstioMesh";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const PEER_AUTHENTICATION = "kubernetes:security.istio.io/v1:PeerAuthentication";
const AUTHORIZATION_POLICY = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
const CHART = "kubernetes:helm.sh/v4:Chart";
const MANAGED = { "app.kubernetes.io/managed-by": "meshguard" };

const childUrn = (type: string, name: string, parent = "shop") => urnOf(type, name, urnOf(COMPONENT, parent));

describe("MeshNamespace dataplane ambient (component, mock runtime)", () => {
    before(async () => {
        await useMocks();
    });
    beforeEach(() => recorder.reset());

    it("registers the ambient namespace, its policies and the waypoint Gateway after it", async () => {
        const ns = new MeshNamespace("shop", { name: "shop", dataplane: "ambient", waypoint: true });
        await registered(ns);
        assert.deepStrictEqual(recorder.resources.map((r) => `${r.type}::${r.name}`).sort(), [
            `${NAMESPACE}::shop-namespace`,
            `${GATEWAY}::shop-waypoint`,
            `${AUTHORIZATION_POLICY}::shop-default-deny`,
            `${PEER_AUTHENTICATION}::shop-mtls`,
            `${COMPONENT}::shop`,
        ].sort());
        assert.deepStrictEqual(plainInputs(byName("shop-namespace")), {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: "shop", labels: { ...MANAGED, "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint" } },
        });
        assert.deepStrictEqual(plainInputs(byName("shop-waypoint")), {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "Gateway",
            metadata: { name: "waypoint", namespace: "shop", labels: { ...MANAGED, "istio.io/waypoint-for": "service" } },
            spec: { gatewayClassName: "istio-waypoint", listeners: [{ name: "mesh", port: 15008, protocol: "HBONE" }] },
        });
        assert.strictEqual(byName("shop-waypoint").parent, urnOf(COMPONENT, "shop"));
        assert.deepStrictEqual(byName("shop-waypoint").dependencies, [childUrn(NAMESPACE, "shop-namespace")]);
        assert.deepStrictEqual(await outputValue(ns.meshPolicyNamespace), { dataplane: "ambient", waypoint: "waypoint" });
        assert.strictEqual(ns.ready.length, 4);
        assert.ok(ns.ready.includes(ns.resources.waypoint!));
    });

    it("takes the data plane of an ambient mesh, waits for its ztunnel, and lets a sidecar namespace join it", async () => {
        const mesh = new IstioMesh("istio", { dataplane: "ambient", gatewayApi: "assume-present" });
        const shop = new MeshNamespace("shop", { name: "shop", mesh, waypoint: { name: "shop-waypoint" } });
        const legacy = new MeshNamespace("legacy", { name: "legacy", mesh, dataplane: "sidecar" });
        await registered(shop);
        await registered(legacy);
        assert.deepStrictEqual(await outputValue(shop.labels), { "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "shop-waypoint" });
        assert.deepStrictEqual(await outputValue(shop.meshPolicyNamespace), { dataplane: "ambient", waypoint: "shop-waypoint" });
        assert.deepStrictEqual(await outputValue(legacy.labels), { "istio-injection": "enabled" });
        assert.deepStrictEqual(await outputValue(legacy.meshPolicyNamespace), { dataplane: "sidecar" });
        const meshChild = (name: string) => urnOf(CHART, name, urnOf(MESH, "istio"));
        assert.deepStrictEqual(byName("shop-namespace").dependencies, [
            meshChild("istio-istiod"),
            meshChild("istio-cni"),
            meshChild("istio-ztunnel"),
            urnOf(PEER_AUTHENTICATION, "istio-mesh-mtls", urnOf(MESH, "istio")),
        ]);
    });

    const cases: [string, () => unknown, string[]][] = [
        [
            "an ambient namespace in a sidecar mesh",
            () => new MeshNamespace("shop", { name: "shop", dataplane: "ambient", mesh: new IstioMesh("istio") }),
            ['dataplane: is "ambient" but `mesh` is installed with dataplane "sidecar" (no ztunnel captures the pods). Fix: set dataplane: "ambient" on the IstioMesh, or remove dataplane here'],
        ],
        [
            "a waypoint on a sidecar namespace",
            () => new MeshNamespace("shop", { name: "shop", waypoint: true }),
            ['waypoint: needs dataplane "ambient": a waypoint serves ambient workloads, sidecars enforce L7 policy themselves. Fix: set dataplane: "ambient" or remove waypoint'],
        ],
        [
            "an injection label on an ambient namespace",
            () => new MeshNamespace("shop", { name: "shop", dataplane: "ambient", injection: { revision: "canary" } }),
            ['injection: must be omitted with dataplane "ambient": the namespace is labelled istio.io/dataplane-mode=ambient and never also for sidecar injection'],
        ],
        [
            "an injection mode in a namespace that takes ambient from its mesh",
            () => new MeshNamespace("shop", { name: "shop", mesh: new IstioMesh("istio", { dataplane: "ambient", gatewayApi: "assume-present" }), injection: "disabled", mtls: true, defaultDeny: true }),
            ['injection: must be omitted: the namespace takes dataplane "ambient" from `mesh` (no injection label). Fix: remove injection, or set dataplane: "sidecar" for a sidecar namespace in this mesh'],
        ],
        [
            "an unknown dataplane",
            () => new MeshNamespace("shop", { name: "shop", dataplane: "Ambient" as never }),
            ['dataplane: must be "sidecar" (sidecar injection) or "ambient" (istio.io/dataplane-mode=ambient: ztunnel, no sidecars)'],
        ],
    ];
    for (const [what, build, lines] of cases) {
        it(`throws synchronously and registers no namespace for ${what}`, async () => {
            assert.throws(build, {
                name: "MeshguardValidationError",
                message: ['invalid MeshNamespace "shop" args:', ...lines.map((l) => `  - ${l}`)].join("\n"),
            });
            await settle();
            assert.deepStrictEqual(recorder.resources.filter((r) => r.type === COMPONENT || r.name.startsWith("shop")), []);
        });
    }
});
