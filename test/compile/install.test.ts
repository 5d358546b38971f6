import * as assert from "assert";
import { compileIstioInstall, istioInstallLayout, mergeHelmValues } from "../../components/compile/install";
import { istioMeshArgsSchema, IstioMeshSettings } from "../../components/model/install";
import { parseOrThrow } from "../../components/validation/validate";

const REPO = "https://istio-release.storage.googleapis.com/charts";
const MANAGED = { "app.kubernetes.io/managed-by": "meshguard" };
/** istiod's debug hardening (components/compile/control-plane-network.ts). */
const HARDENED_ENV = { ENABLE_DEBUG_ON_HTTP: "false", ENABLE_DEBUG_ENDPOINT_AUTH: "true", UNSAFE_ENABLE_ADMIN_ENDPOINTS: "false" };

function settings(args: unknown): IstioMeshSettings {
    return parseOrThrow(istioMeshArgsSchema, args, "IstioMesh args");
}

describe("install model (IstioMesh args)", () => {
    it("applies the documented defaults", () => {
        assert.deepStrictEqual(settings({}), {
            version: "1.30.3",
            dataplane: "sidecar",
            installer: "chart",
            namespace: "istio-system",
            createNamespace: true,
            meshConfig: { trustDomain: "cluster.local", accessLogFile: "/dev/stdout" },
            values: {},
            mtls: true,
            controlPlaneNetworkPolicies: {},
        });
    });

    it("normalises gateway and cni switches", () => {
        const s = settings({ gateway: true, cni: true });
        assert.deepStrictEqual(s.gateway, { namespace: "istio-ingress", createNamespace: true, name: "istio-ingressgateway" });
        assert.deepStrictEqual(s.cni, {});
        const off = settings({ gateway: false, cni: false });
        assert.strictEqual(off.gateway, undefined);
        assert.strictEqual(off.cni, undefined);
    });

    it("accepts the typed meshConfig subset and an explicit access-log opt-out", () => {
        const s = settings({
            meshConfig: {
                trustDomain: "example.org",
                accessLogFile: "",
                outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
                pathNormalization: { normalization: "MERGE_SLASHES" },
            },
        });
        assert.deepStrictEqual(s.meshConfig, {
            trustDomain: "example.org",
            accessLogFile: "",
            outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
            pathNormalization: { normalization: "MERGE_SLASHES" },
        });
    });

    const VERSION = 'must be an exact Istio version "x.y.z" such as "1.30.3" (ranges, "latest", pre-releases and a "v" prefix are rejected)';
    const NAMESPACE = 'must be a valid namespace name (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)';
    const REVISION = 'must be a revision name (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters); omit it for the default control plane';
    const cases: [string, unknown, string[]][] = [
        ["a version range", { version: "^1.30.0" }, [`version: ${VERSION}`]],
        ["latest", { version: "latest" }, [`version: ${VERSION}`]],
        ["a v prefix", { version: "v1.30.3" }, [`version: ${VERSION}`]],
        ["a pre-release", { version: "1.30.0-beta.1" }, [`version: ${VERSION}`]],
        ["a partial version", { version: "1.30" }, [`version: ${VERSION}`]],
        ["a numeric version", { version: 1.3 }, [`version: ${VERSION}`]],
        ["an unknown installer", { installer: "helm" }, ['installer: must be "chart" (helm.v4.Chart, the default) or "release" (helm.v3.Release)']],
        ["an uppercase revision", { revision: "Canary" }, [`revision: ${REVISION}`]],
        ["the reserved revision name", { revision: "default" }, ['revision: "default" is reserved for the unrevisioned control plane: omit revision instead']],
        ["an invalid namespace", { namespace: "istio_system" }, [`namespace: ${NAMESPACE}`]],
        ["a too long namespace", { namespace: "a".repeat(64) }, [`namespace: ${NAMESPACE}`]],
        ["an unknown meshConfig field", { meshConfig: { accessLogEncoding: "JSON" } }, ["meshConfig.accessLogEncoding: unknown field (not part of the schema; check its spelling)"]],
        [
            "an unknown outbound mode",
            { meshConfig: { outboundTrafficPolicy: { mode: "DENY" } } },
            ['meshConfig.outboundTrafficPolicy.mode: must be one of "REGISTRY_ONLY", "ALLOW_ANY"'],
        ],
        [
            "an unknown path normalization",
            { meshConfig: { pathNormalization: { normalization: "LOWERCASE" } } },
            ['meshConfig.pathNormalization.normalization: must be one of "DEFAULT", "NONE", "BASE", "MERGE_SLASHES", "DECODE_AND_MERGE_SLASHES"'],
        ],
        [
            "a relative access log path",
            { meshConfig: { accessLogFile: "access.log" } },
            ['meshConfig.accessLogFile: must be an absolute file path such as "/dev/stdout", or "" to turn access logs off explicitly'],
        ],
        [
            "an invalid trust domain",
            { meshConfig: { trustDomain: "Example.ORG" } },
            ['meshConfig.trustDomain: must be a trust domain: lowercase letters, digits, ".", "-" and "_", at most 255 characters (e.g. "cluster.local")'],
        ],
        ["an unknown top-level field", { profile: "demo" }, ["profile: unknown field (not part of the schema; check its spelling)"]],
        ["a non-boolean mtls", { mtls: "STRICT" }, ["mtls: must be true or false (mesh-wide STRICT PeerAuthentication in the root namespace)"]],
        ["a gateway string", { gateway: "yes" }, ["gateway: must be true, false or an object {namespace?, createNamespace?, name?, revision?}"]],
        ["an invalid gateway namespace", { gateway: { namespace: "Ingress" } }, [`gateway.namespace: ${NAMESPACE}`]],
        ["a cni number", { cni: 1 }, ["cni: must be true, false or an object {namespace?}"]],
        ["values for an unknown chart", { values: { ambient: {} } }, ["values.ambient: unknown field (not part of the schema; check its spelling)"]],
        [
            "issue 10 item 4: Helm value keys a plain object loses, at any depth",
            JSON.parse('{"values":{"istiod":{"__proto__":{"pilot":{}},"meshConfig":{"defaultConfig":{"constructor":1}},"list":[{"prototype":2}]}}}'),
            [
                'values.istiod.__proto__: the key "__proto__" is not allowed: it names a JavaScript object built-in and would be dropped or misread when copied into a plain object (rename it)',
                'values.istiod.meshConfig.defaultConfig.constructor: the key "constructor" is not allowed: it names a JavaScript object built-in and would be dropped or misread when copied into a plain object (rename it)',
                'values.istiod.list[0].prototype: the key "prototype" is not allowed: it names a JavaScript object built-in and would be dropped or misread when copied into a plain object (rename it)',
            ],
        ],
        ["gateway values without a gateway", { values: { gateway: { replicaCount: 2 } } }, ["values.gateway: is set but gateway is not enabled; enable gateway or remove these values"]],
        ["cni values without cni", { values: { cni: { logLevel: "info" } } }, ["values.cni: is set but cni is not enabled; enable cni or remove these values"]],
        [
            "values overriding what the typed args set",
            {
                gateway: true,
                values: {
                    base: { defaultRevision: "x", base: { validationFailurePolicy: "Ignore" } },
                    istiod: { revision: "x", global: { istioNamespace: "x" }, meshConfig: { trustDomain: "x", rootNamespace: "x" }, pilot: { cni: { enabled: true } } },
                    gateway: { name: "x" },
                },
            },
            [
                "values.base.defaultRevision: is set by meshguard from `revision`; use that argument instead",
                'values.base.base.validationFailurePolicy: is set by meshguard to "Fail" (the value istiod converges to, so there is no perpetual diff); remove it',
                "values.istiod.revision: is set by meshguard from `revision`; use that argument instead",
                "values.istiod.global.istioNamespace: is set by meshguard from `namespace`; use that argument instead",
                "values.istiod.meshConfig.trustDomain: is set by meshguard from `meshConfig.trustDomain`; use that argument instead",
                "values.istiod.meshConfig.rootNamespace: must stay the install namespace, where meshguard puts the mesh-wide policies; remove it",
                "values.istiod.pilot.cni.enabled: is set by meshguard from `cni`; use that argument instead",
                "values.gateway.name: is set by meshguard from `gateway.name`; use that argument instead",
            ],
        ],
    ];
    for (const [what, args, lines] of cases) {
        it(`rejects ${what}`, () => {
            assert.throws(() => settings(args), {
                name: "MeshguardValidationError",
                message: ["invalid IstioMesh args:", ...lines.map((l) => `  - ${l}`)].join("\n"),
            });
        });
    }
});

describe("install layout", () => {
    it("orders namespace → base → cni → istiod → mesh mTLS → gateway namespace → gateway", () => {
        const layout = istioInstallLayout({ createNamespace: true, mtls: true, cni: {}, gateway: { createNamespace: true } });
        assert.deepStrictEqual(
            layout.map((s) => [s.key, s.suffix, s.dependsOn]),
            [
                ["namespace", "namespace", []],
                ["base", "base", ["namespace"]],
                ["cni", "cni", ["base"]],
                ["istiod", "istiod", ["base", "cni"]],
                ["meshMtls", "mesh-mtls", ["istiod"]],
                ["gatewayNamespace", "gateway-namespace", []],
                ["gateway", "gateway", ["gatewayNamespace", "istiod"]],
            ],
        );
    });

    it("leaves out what is not asked for", () => {
        const layout = istioInstallLayout({ createNamespace: false, mtls: false, gateway: { createNamespace: false } });
        assert.deepStrictEqual(
            layout.map((s) => [s.key, s.dependsOn]),
            [
                ["base", []],
                ["istiod", ["base"]],
                ["gateway", ["istiod"]],
            ],
        );
    });
});

describe("compileIstioInstall", () => {
    it("compiles the default install", () => {
        const plan = compileIstioInstall(settings({}));
        assert.deepStrictEqual(plan, {
            installer: "chart",
            version: "1.30.3",
            namespace: "istio-system",
            revision: undefined,
            trustDomain: "cluster.local",
            injectionLabels: { "istio-injection": "enabled" },
            gateway: undefined,
            steps: [
                {
                    key: "namespace",
                    kind: "namespace",
                    suffix: "namespace",
                    dependsOn: [],
                    manifest: { apiVersion: "v1", kind: "Namespace", metadata: { name: "istio-system", labels: MANAGED } },
                },
                {
                    key: "base",
                    kind: "chart",
                    suffix: "base",
                    dependsOn: ["namespace"],
                    chart: {
                        releaseName: "istio-base",
                        chart: "base",
                        repo: REPO,
                        version: "1.30.3",
                        namespace: "istio-system",
                        values: {
                            defaultRevision: "default",
                            global: { istioNamespace: "istio-system" },
                            base: { validationFailurePolicy: "Fail" },
                        },
                    },
                },
                {
                    key: "istiod",
                    kind: "chart",
                    suffix: "istiod",
                    dependsOn: ["base"],
                    chart: {
                        releaseName: "istiod",
                        chart: "istiod",
                        repo: REPO,
                        version: "1.30.3",
                        namespace: "istio-system",
                        values: {
                            global: { istioNamespace: "istio-system" },
                            meshConfig: { trustDomain: "cluster.local", accessLogFile: "/dev/stdout" },
                            base: { validationFailurePolicy: "Fail" },
                            pilot: { env: HARDENED_ENV },
                        },
                    },
                },
                {
                    key: "istiodNetworkPolicy",
                    kind: "networkPolicy",
                    suffix: "istiod-network-policy",
                    dependsOn: ["namespace"],
                    manifest: {
                        apiVersion: "networking.k8s.io/v1",
                        kind: "NetworkPolicy",
                        metadata: { name: "istiod-ingress", namespace: "istio-system", labels: MANAGED },
                        spec: {
                            podSelector: { matchLabels: { app: "istiod", "istio.io/rev": "default" } },
                            policyTypes: ["Ingress"],
                            ingress: [
                                { from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 15012 }] },
                                { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }], ports: [{ protocol: "TCP", port: 15017 }] },
                            ],
                        },
                    },
                },
                {
                    key: "meshMtls",
                    kind: "manifest",
                    suffix: "mesh-mtls",
                    dependsOn: ["istiod"],
                    apiVersion: "security.istio.io/v1",
                    manifestKind: "PeerAuthentication",
                    manifest: {
                        apiVersion: "security.istio.io/v1",
                        kind: "PeerAuthentication",
                        metadata: { name: "default", namespace: "istio-system", labels: MANAGED },
                        spec: { mtls: { mode: "STRICT" } },
                    },
                },
            ],
        });
    });

    it("threads a revision through base, istiod, gateway and the injection label", () => {
        const plan = compileIstioInstall(settings({ revision: "1-30-3", namespace: "mesh", gateway: true, version: "1.29.2" }));
        assert.strictEqual(plan.revision, "1-30-3");
        assert.deepStrictEqual(plan.injectionLabels, { "istio.io/rev": "1-30-3" });
        const charts = plan.steps.flatMap((s) => (s.kind === "chart" ? [s.chart] : []));
        assert.deepStrictEqual(
            charts.map((c) => [c.chart, c.releaseName, c.namespace, c.version]),
            [
                ["base", "istio-base", "mesh", "1.29.2"],
                ["istiod", "istiod-1-30-3", "mesh", "1.29.2"],
                ["gateway", "istio-ingressgateway", "istio-ingress", "1.29.2"],
            ],
        );
        assert.deepStrictEqual(charts[0].values, {
            defaultRevision: "1-30-3",
            global: { istioNamespace: "mesh" },
            base: { validationFailurePolicy: "Fail" },
        });
        assert.strictEqual(charts[1].values["revision"], "1-30-3");
        assert.deepStrictEqual(charts[2].values, { revision: "1-30-3" });
        assert.deepStrictEqual(plan.gateway, { namespace: "istio-ingress", serviceAccount: "istio-ingressgateway" });
    });

    it("installs the CNI agent before istiod and tells istiod about it", () => {
        const plan = compileIstioInstall(settings({ cni: { namespace: "kube-system" } }));
        const cni = plan.steps.find((s) => s.key === "cni");
        const istiod = plan.steps.find((s) => s.key === "istiod");
        assert.ok(cni?.kind === "chart" && istiod?.kind === "chart");
        assert.deepStrictEqual(cni.chart, { releaseName: "istio-cni", chart: "cni", repo: REPO, version: "1.30.3", namespace: "kube-system", values: {} });
        assert.deepStrictEqual(istiod.dependsOn, ["base", "cni"]);
        assert.deepStrictEqual(istiod.chart.values["pilot"], { cni: { enabled: true }, env: HARDENED_ENV });
    });

    it("passes the typed meshConfig to istiod", () => {
        const plan = compileIstioInstall(
            settings({ meshConfig: { trustDomain: "corp.example", outboundTrafficPolicy: { mode: "REGISTRY_ONLY" }, pathNormalization: { normalization: "BASE" } } }),
        );
        const istiod = plan.steps.find((s) => s.key === "istiod");
        assert.ok(istiod?.kind === "chart");
        assert.deepStrictEqual(istiod.chart.values["meshConfig"], {
            trustDomain: "corp.example",
            accessLogFile: "/dev/stdout",
            outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
            pathNormalization: { normalization: "BASE" },
        });
        assert.strictEqual(plan.trustDomain, "corp.example");
    });

    it("deep-merges raw values last", () => {
        const plan = compileIstioInstall(
            settings({
                gateway: { namespace: "edge", createNamespace: false, name: "edge-gw" },
                values: {
                    istiod: { meshConfig: { accessLogEncoding: "JSON", accessLogFile: "/dev/stderr" }, pilot: { resources: { requests: { cpu: "1" } } } },
                    gateway: { service: { type: "ClusterIP" } },
                },
            }),
        );
        const byKey = Object.fromEntries(plan.steps.flatMap((s) => (s.kind === "chart" ? [[s.key, s.chart.values]] : [])));
        assert.deepStrictEqual(byKey["istiod"], {
            global: { istioNamespace: "istio-system" },
            meshConfig: { trustDomain: "cluster.local", accessLogFile: "/dev/stderr", accessLogEncoding: "JSON" },
            base: { validationFailurePolicy: "Fail" },
            pilot: { env: HARDENED_ENV, resources: { requests: { cpu: "1" } } },
        });
        assert.deepStrictEqual(byKey["gateway"], { service: { type: "ClusterIP" } });
        assert.deepStrictEqual(plan.gateway, { namespace: "edge", serviceAccount: "edge-gw" });
        assert.deepStrictEqual(
            plan.steps.map((s) => s.key),
            ["namespace", "base", "istiod", "istiodNetworkPolicy", "meshMtls", "gateway"],
        );
    });
});

describe("mergeHelmValues", () => {
    it("merges objects recursively and lets scalars, arrays and null replace", () => {
        const base = { a: { b: 1, c: [1, 2] }, d: "x", e: { f: 1 } };
        const merged = mergeHelmValues(base, { a: { c: [3], g: true }, d: null, e: "flat" });
        assert.deepStrictEqual(merged, { a: { b: 1, c: [3], g: true }, d: null, e: "flat" });
        assert.deepStrictEqual(base, { a: { b: 1, c: [1, 2] }, d: "x", e: { f: 1 } });
    });
});
