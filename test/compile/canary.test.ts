import * as assert from "assert";
import { compileIstioCanary, istioCanaryLayout } from "../../components/compile/canary";
import { compileIstioInstall, promotedIstiodPrefix } from "../../components/compile/install";
import { checkCanaryAgainstPrimary, checkCanaryFields, IstioControlPlaneSettings, istioCanaryArgsSchema, primaryControlPlane } from "../../components/model/canary";
import { istioMeshArgsSchema } from "../../components/model/install";
import { compareVersions } from "../../components/model/version";

// istiod debug hardening every control plane gets (docs/install.md, "Protecting the control plane").
const HARDENED_ENV = { ENABLE_DEBUG_ON_HTTP: "false", ENABLE_DEBUG_ENDPOINT_AUTH: "true", UNSAFE_ENABLE_ADMIN_ENDPOINTS: "false" };

const REPO = "https://istio-release.storage.googleapis.com/charts";

function primarySettings(args: Record<string, unknown> = {}): IstioControlPlaneSettings {
    return primaryControlPlane(istioMeshArgsSchema.parse({ version: "1.29.2", baseVersion: "1.30.3", revision: "1-29-2", ...args }));
}

describe("canary control plane (pure plan)", () => {
    it("a canary registers istiod and, when its primary guards istiod, its own istiod NetworkPolicy, depending on no step of its own", () => {
        assert.deepStrictEqual(istioCanaryLayout(false), [{ key: "istiod", kind: "chart", suffix: "istiod", dependsOn: [] }]);
        assert.deepStrictEqual(istioCanaryLayout(true), [
            { key: "istiod", kind: "chart", suffix: "istiod", dependsOn: [] },
            { key: "istiodNetworkPolicy", kind: "networkPolicy", suffix: "istiod-network-policy", dependsOn: [] },
        ]);
    });

    it("the canary's istiod NetworkPolicy selects the canary's revision only, with the primary's monitoring namespace; none when the primary opted out", () => {
        const canary = istioCanaryArgsSchema.parse({ version: "1.30.3", revision: "1-30-3" });
        const guarded = compileIstioCanary(canary, primarySettings({ controlPlaneNetworkPolicies: { monitoringNamespace: "monitoring" } }));
        assert.deepStrictEqual(guarded.steps.find((s) => s.key === "istiodNetworkPolicy"), {
            key: "istiodNetworkPolicy",
            kind: "networkPolicy",
            suffix: "istiod-network-policy",
            dependsOn: [],
            manifest: {
                apiVersion: "networking.k8s.io/v1",
                kind: "NetworkPolicy",
                metadata: { name: "istiod-1-30-3-ingress", namespace: "istio-system", labels: { "app.kubernetes.io/managed-by": "meshguard" } },
                spec: {
                    podSelector: { matchLabels: { app: "istiod", "istio.io/rev": "1-30-3" } },
                    policyTypes: ["Ingress"],
                    ingress: [
                        { from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 15012 }] },
                        { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }], ports: [{ protocol: "TCP", port: 15017 }] },
                        { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 15014 }] },
                    ],
                },
            },
        });
        // The primary's own policy selects its revision: the two never select each other's pods.
        const primaryPolicy = compileIstioInstall(istioMeshArgsSchema.parse({ version: "1.29.2", baseVersion: "1.30.3", revision: "1-29-2" })).steps.find((s) => s.key === "istiodNetworkPolicy");
        assert.deepStrictEqual(primaryPolicy && "manifest" in primaryPolicy ? (primaryPolicy.manifest.spec as { podSelector: unknown }).podSelector : undefined, { matchLabels: { app: "istiod", "istio.io/rev": "1-29-2" } });
        const open = compileIstioCanary(canary, primarySettings({ controlPlaneNetworkPolicies: false }));
        assert.deepStrictEqual(open.steps.map((s) => s.key), ["istiod"]);
    });

    it("compiles istiod-<revision> in the primary's root namespace with its meshConfig, CNI and the canary's own values", () => {
        const primary = primarySettings({
            namespace: "mesh-system",
            cni: true,
            meshConfig: { trustDomain: "corp.example", accessLogFile: "", pathNormalization: { normalization: "MERGE_SLASHES" } },
            values: { istiod: { meshConfig: { enableTracing: false }, pilot: { resources: { requests: { cpu: "1" } } } } },
        });
        const canary = istioCanaryArgsSchema.parse({ version: "1.30.3", revision: "1-30-3", values: { istiod: { pilot: { replicaCount: 2 } } } });
        assert.deepStrictEqual(compileIstioCanary(canary, primary), {
            installer: "chart",
            version: "1.30.3",
            namespace: "mesh-system",
            revision: "1-30-3",
            trustDomain: "corp.example",
            injectionLabels: { "istio.io/rev": "1-30-3" },
            gateway: undefined,
            steps: [
                {
                    key: "istiod",
                    kind: "chart",
                    suffix: "istiod",
                    dependsOn: [],
                    chart: {
                        releaseName: "istiod-1-30-3",
                        chart: "istiod",
                        repo: REPO,
                        version: "1.30.3",
                        namespace: "mesh-system",
                        // The primary's meshConfig values come along; its other istiod values (pilot.resources) do not.
                        values: {
                            revision: "1-30-3",
                            global: { istioNamespace: "mesh-system" },
                            meshConfig: { trustDomain: "corp.example", accessLogFile: "", pathNormalization: { normalization: "MERGE_SLASHES" }, enableTracing: false },
                            base: { validationFailurePolicy: "Fail" },
                            pilot: { cni: { enabled: true }, env: HARDENED_ENV, replicaCount: 2 },
                        },
                    },
                },
                {
                    key: "istiodNetworkPolicy",
                    kind: "networkPolicy",
                    suffix: "istiod-network-policy",
                    dependsOn: [],
                    manifest: {
                        apiVersion: "networking.k8s.io/v1",
                        kind: "NetworkPolicy",
                        metadata: { name: "istiod-1-30-3-ingress", namespace: "mesh-system", labels: { "app.kubernetes.io/managed-by": "meshguard" } },
                        spec: {
                            podSelector: { matchLabels: { app: "istiod", "istio.io/rev": "1-30-3" } },
                            policyTypes: ["Ingress"],
                            ingress: [
                                { from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 15012 }] },
                                { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }], ports: [{ protocol: "TCP", port: 15017 }] },
                            ],
                        },
                    },
                },
            ],
        });
    });

    it("the primary's base chart takes baseVersion, its istiod keeps version", () => {
        const plan = compileIstioInstall(istioMeshArgsSchema.parse({ version: "1.29.2", baseVersion: "1.30.3" }));
        assert.deepStrictEqual(plan.steps.map((s) => ("chart" in s ? [s.key, s.chart.version] : [s.key])), [["namespace"], ["base", "1.30.3"], ["istiod", "1.29.2"], ["istiodNetworkPolicy"], ["meshMtls"]]);
        assert.strictEqual(plan.version, "1.29.2");
    });

    it("promotedCanary gives the primary's istiod chart the canary's object prefix and nothing else", () => {
        const plain = compileIstioInstall(istioMeshArgsSchema.parse({ version: "1.30.3", revision: "1-30-3" }));
        const promoted = compileIstioInstall(istioMeshArgsSchema.parse({ version: "1.30.3", revision: "1-30-3", promotedCanary: "mesh-1-30-3" }));
        const istiod = (plan: typeof plain) => {
            const step = plan.steps.find((s) => s.key === "istiod");
            if (step === undefined || !("chart" in step)) throw new Error("no istiod chart step");
            return step;
        };
        assert.strictEqual(promotedIstiodPrefix("mesh-1-30-3"), "mesh-1-30-3-istiod");
        assert.deepStrictEqual(istiod(promoted), { ...istiod(plain), chart: { ...istiod(plain).chart, resourcePrefix: "mesh-1-30-3-istiod" } });
        assert.deepStrictEqual(promoted.steps.filter((s) => s.key !== "istiod"), plain.steps.filter((s) => s.key !== "istiod"));
    });

    it("the primary's control-plane settings carry what a canary inherits", () => {
        assert.deepStrictEqual(primarySettings({ cni: true }), {
            canary: false,
            installer: "chart",
            version: "1.29.2",
            baseVersion: "1.30.3",
            revision: "1-29-2",
            namespace: "istio-system",
            meshConfig: { trustDomain: "cluster.local", accessLogFile: "/dev/stdout" },
            meshConfigValues: undefined,
            cni: true,
            controlPlaneNetworkPolicies: {},
        });
        assert.strictEqual(primaryControlPlane(istioMeshArgsSchema.parse({ version: "1.29.2" })).baseVersion, "1.29.2");
    });

    it("refuses a canary against its primary: same revision, downgrade, ahead of the CRDs, canary of a canary", () => {
        const canary = (version: string, revision: string) => istioCanaryArgsSchema.parse({ version, revision });
        assert.deepStrictEqual(checkCanaryAgainstPrimary(canary("1.30.3", "1-30-3"), primarySettings()), []);
        assert.deepStrictEqual(checkCanaryAgainstPrimary(canary("1.29.2", "1-29-2b"), primarySettings()), []); // a same-version canary (config change) is fine
        assert.deepStrictEqual(checkCanaryAgainstPrimary(canary("1.31.0", "1-29-2"), primarySettings()), [
            { path: "revision", message: '"1-29-2" is the primary\'s revision; two control planes cannot share one. Fix: name the canary after its version, e.g. "1-31-0"' },
            { path: "version", message: '"1.31.0" is newer than the CRDs the primary installs (base chart "1.30.3"); Istio upgrades the CRDs first. Fix: set baseVersion: "1.31.0" on the primary IstioMesh' },
        ]);
        assert.deepStrictEqual(checkCanaryAgainstPrimary(canary("1.29.1", "1-29-1"), primarySettings()), [
            { path: "version", message: '"1.29.1" is older than the primary\'s "1.29.2"; a canary upgrades, downgrades are a separate procedure. Fix: use a version >= "1.29.2"' },
        ]);
        assert.deepStrictEqual(checkCanaryAgainstPrimary(canary("1.30.3", "x"), { ...primarySettings(), canary: true }), [
            { path: "canaryOf", message: "is itself a canary. Fix: pass the primary IstioMesh (the one that owns the base chart and the root namespace)" },
        ]);
        // An unrevisioned primary: any canary revision differs from it.
        assert.deepStrictEqual(checkCanaryAgainstPrimary(canary("1.30.3", "1-30-3"), primarySettings({ revision: undefined })), []);
    });

    it("refuses the primary's fields and reserved istiod values on a canary", () => {
        assert.deepStrictEqual(checkCanaryFields({ version: "1.30.3", mtls: false, cni: true, namespace: undefined }).map((i) => i.path), ["mtls", "cni"]);
        assert.deepStrictEqual(checkCanaryFields({ controlPlaneNetworkPolicies: false }), [
            {
                path: "controlPlaneNetworkPolicies",
                message:
                    "is not allowed with canaryOf: the canary's istiod is guarded like the primary's (canaryOf), by a NetworkPolicy selecting the canary's revision; change it on the primary. Fix: remove it",
            },
        ]);
        const result = istioCanaryArgsSchema.safeParse({ version: "1.30.3", revision: "1-30-3", values: { istiod: { meshConfig: { trustDomain: "x" } }, base: {} } });
        assert.strictEqual(result.success, false);
        assert.deepStrictEqual(result.error!.issues.map((i) => [i.path.join("."), i.message]), [
            ["values", "must be an object {istiod?}: a canary installs only the istiod chart"],
            ["values.istiod.meshConfig.trustDomain", "is set by meshguard from the canary's `revision` and the primary's settings. Fix: remove it"],
        ]);
        const reserved = istioCanaryArgsSchema.safeParse({ version: "1.30.3", revision: "1-30-3", values: { istiod: { meshConfig: { trustDomain: "x" } } } });
        assert.deepStrictEqual(reserved.error!.issues.map((i) => [i.path.join("."), i.message]), [
            ["values.istiod.meshConfig.trustDomain", "is set by meshguard from the canary's `revision` and the primary's settings. Fix: remove it"],
        ]);
    });

    it("gateway.revision hands the gateway to a canary's revision; by default it follows the mesh's", () => {
        const gateway = (args: Record<string, unknown>) => {
            const step = compileIstioInstall(istioMeshArgsSchema.parse(args)).steps.find((s) => s.key === "gateway");
            if (step === undefined || !("chart" in step)) throw new Error("no gateway chart step");
            return step.chart.values;
        };
        assert.deepStrictEqual(gateway({ revision: "1-29-2", gateway: true }), { revision: "1-29-2" });
        assert.deepStrictEqual(gateway({ revision: "1-29-2", gateway: { revision: "1-30-3" } }), { revision: "1-30-3" });
        assert.deepStrictEqual(gateway({ gateway: { revision: "1-30-3" } }), { revision: "1-30-3" });
        assert.deepStrictEqual(gateway({ gateway: true }), {});
    });

    it("compares versions numerically", () => {
        assert.strictEqual(compareVersions("1.30.3", "1.9.10"), 1);
        assert.strictEqual(compareVersions("1.29.2", "1.29.10"), -1);
        assert.strictEqual(compareVersions("1.30.3", "1.30.3"), 0);
    });
});
