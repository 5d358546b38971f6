import * as assert from "assert";
import { manifestResources, PolicyPackSession, startPolicyPack } from "../../components/analyzer";
import { waypointGateway } from "../../components/compile/waypoint";
import { K8sManifest } from "../../components/manifest";

const AMBIENT = { "istio.io/dataplane-mode": "ambient" };
const base: K8sManifest[] = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "istio-system" } },
    { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "istio-system" }, spec: { mtls: { mode: "STRICT" } } },
    { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "allow-nothing", namespace: "istio-system" }, spec: {} },
    { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny-ingress", namespace: "shop" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } },
    {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "api", namespace: "shop" },
        spec: { selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", image: "nginx:1.27", ports: [{ containerPort: 8080 }] }] } } },
    },
    {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "shop" },
        spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { serviceAccountName: "web", containers: [{ name: "web", image: "nginx:1.27" }] } } },
    },
    { apiVersion: "v1", kind: "Service", metadata: { name: "api", namespace: "shop" }, spec: { selector: { app: "api" }, ports: [{ name: "http", port: 8080 }] } },
];
const namespace = (labels: Record<string, string>): K8sManifest => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels } });
const l7Allow: K8sManifest = {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name: "api", namespace: "shop" },
    spec: { selector: { matchLabels: { app: "api" } }, rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/web"] } }], to: [{ operation: { methods: ["GET"] } }] }] },
};
const l7AtWaypoint: K8sManifest = {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name: "api-l7", namespace: "shop" },
    spec: { targetRefs: [{ kind: "Service", group: "", name: "api" }], rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/web"] } }], to: [{ operation: { methods: ["GET"] } }] }] },
};

describe("ambient policies over the wire (analyzer gRPC)", function () {
    this.timeout(180_000);
    let session: PolicyPackSession;

    before(async () => {
        session = await startPolicyPack({ stack: "dev", project: "wire" });
        await session.configure();
    });
    after(async () => {
        await session?.close();
    });

    it("AnalyzeStack refuses the ambient mistakes, each once, on the resource it concerns", async () => {
        const disable: K8sManifest = { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "api", namespace: "shop" }, spec: { selector: { matchLabels: { app: "api" } }, mtls: { mode: "DISABLE" } } };
        const both = await session.analyzeStack(manifestResources([...base, namespace({ "istio-injection": "enabled", ...AMBIENT }), { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "allow-nothing", namespace: "shop" }, spec: {} }]));
        assert.deepStrictEqual(both.verdicts.map((v) => [v.policyName, v.enforcementLevel, v.resourceName]), [["namespace-one-dataplane", "mandatory", "shop"]]);

        const ambient = await session.analyzeStack(manifestResources([...base, namespace(AMBIENT), disable, l7Allow, l7AtWaypoint]));
        assert.deepStrictEqual(
            ambient.verdicts.map((v) => [v.policyName, v.enforcementLevel, v.resourceName]).sort(),
            [
                ["authorization-policy-target-exists", "mandatory", "shop/api-l7"],
                ["authorization-policy-ztunnel-http", "mandatory", "shop/api"],
                ["peer-authentication-ambient", "mandatory", "shop/api"],
            ],
        );
        const ztunnel = ambient.verdicts.find((v) => v.policyName === "authorization-policy-ztunnel-http");
        assert.match(ztunnel?.message ?? "", /\nAuthorizationPolicy shop\/api: spec\.rules: ztunnel enforces this ALLOW policy \(it selects Deployment shop\/api, which runs in ambient mode\) but cannot see methods: rules\[0\] \(methods\) is dropped and never matches; ztunnel enforces it as allow-nothing for these pods\. Fix: /);
    });

    it("AnalyzeStack passes an ambient namespace whose L7 rules sit on its waypoint", async () => {
        const l4: K8sManifest = {
            ...l7Allow,
            spec: { selector: { matchLabels: { app: "api" } }, rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/waypoint"] } }], to: [{ operation: { ports: ["8080"] } }] }] },
        };
        const resources = manifestResources([...base, namespace({ ...AMBIENT, "istio.io/use-waypoint": "waypoint" }), waypointGateway("shop", "waypoint"), l4, l7AtWaypoint]);
        assert.deepStrictEqual((await session.analyzeStack(resources)).verdicts.map((v) => [v.policyName, v.resourceName]), []);
    });
});
