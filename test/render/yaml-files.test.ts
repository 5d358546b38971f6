import * as assert from "assert";
import { KubeObject, kubernetesYaml, kubernetesYamlFiles, kubernetesYamlPath } from "../../components/render";
import { compileMeshPolicy, strictPeerAuthentication } from "../../components/compile";

describe("render: Kubernetes YAML files", () => {
    it("names files like renderYamlToDirectory: <apiVersion>-<kind>-<namespace>-<name>.yaml", () => {
        assert.strictEqual(
            kubernetesYamlPath({ apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "backend", namespace: "shop" } }),
            "1-manifest/security.istio.io_v1-authorizationpolicy-shop-backend.yaml",
        );
        assert.strictEqual(kubernetesYamlPath({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" } }), "1-manifest/apps_v1-deployment-shop-web.yaml");
    });

    it("uses the namespace \"default\" for cluster-scoped and unnamespaced objects", () => {
        assert.strictEqual(kubernetesYamlPath({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }), "1-manifest/v1-namespace-default-shop.yaml");
    });

    it("puts CustomResourceDefinitions in 0-crd/", () => {
        assert.strictEqual(
            kubernetesYamlPath({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "gateways.networking.istio.io" } }),
            "0-crd/apiextensions.k8s.io_v1-customresourcedefinition-default-gateways.networking.istio.io.yaml",
        );
    });

    it("replaces characters a file name cannot hold (an unknown value's placeholder)", () => {
        assert.strictEqual(
            kubernetesYamlPath({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "<unknown until deployed>", namespace: "shop" } }),
            "1-manifest/v1-configmap-shop-_unknown_until_deployed_.yaml",
        );
    });

    it("writes apiVersion, kind and metadata first, then the other fields in their order", () => {
        const yaml = kubernetesYaml({ spec: { mtls: { mode: "STRICT" } }, metadata: { name: "default", namespace: "shop" }, kind: "PeerAuthentication", apiVersion: "security.istio.io/v1" });
        assert.strictEqual(yaml, [
            "apiVersion: security.istio.io/v1",
            "kind: PeerAuthentication",
            "metadata:",
            "  name: default",
            "  namespace: shop",
            "spec:",
            "  mtls:",
            "    mode: STRICT",
            "",
        ].join("\n"));
    });

    it("quotes strings Kubernetes (YAML 1.1) would read as numbers or booleans, and never folds long lines", () => {
        const long = "x".repeat(120);
        const yaml = kubernetesYaml({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { uid: "1337", inject: "false", flag: "on", mode: "0755", n: "yes", long } });
        assert.strictEqual(yaml, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  uid: "1337"\n  inject: "false"\n  flag: "on"\n  mode: "0755"\n  "n": "yes"\n  long: ${long}\n`);
    });

    it("renders one file per object and refuses two objects with the same identity", () => {
        const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } };
        assert.deepStrictEqual(kubernetesYamlFiles([ns]), [{ path: "1-manifest/v1-namespace-default-shop.yaml", content: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n" }]);
        assert.throws(() => kubernetesYamlFiles([ns, { ...ns }]), {
            message: 'two objects render to 1-manifest/v1-namespace-default-shop.yaml: Namespace "shop" is declared twice in namespace "default"',
        });
    });

    it("says how to keep one owner when MeshNamespace and MeshPolicy both emit a namespace baseline", () => {
        const baseline = compileMeshPolicy({ services: [{ id: "web", namespace: "shop", serviceAccount: "web", ports: [{ port: 8080, protocol: "http" }] }] })
            .filter((m) => m.kind === "PeerAuthentication");
        assert.throws(() => kubernetesYamlFiles([strictPeerAuthentication("shop"), ...baseline] as KubeObject[]), {
            message: 'two objects render to 1-manifest/security.istio.io_v1-peerauthentication-shop-default.yaml: PeerAuthentication "default" is declared twice in namespace "shop"'
                + ' (a MeshNamespace and a MeshPolicy both emit the namespace baseline: give MeshPolicy `mtls: "inherit", defaultDeny: false`, or MeshNamespace `mtls: false, defaultDeny: false`)',
        });
    });
});
