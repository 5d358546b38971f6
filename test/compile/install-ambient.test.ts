import * as assert from "assert";
import fc from "fast-check";
import "../harness/property-seed";
import { compileIstioInstall, istioInstallLayout } from "../../components/compile/install";
import { istioMeshArgsSchema, istioMeshLayoutSchema, IstioMeshSettings } from "../../components/model/install";
import { parseOrThrow } from "../../components/validation/validate";

const REPO = "https://istio-release.storage.googleapis.com/charts";
const CRDS = "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml";
const HARDENED_ENV = { ENABLE_DEBUG_ON_HTTP: "false", ENABLE_DEBUG_ENDPOINT_AUTH: "true", UNSAFE_ENABLE_ADMIN_ENDPOINTS: "false" };

function settings(args: unknown): IstioMeshSettings {
    return parseOrThrow(istioMeshArgsSchema, args, "IstioMesh args");
}

function chart(key: string, releaseName: string, values: Record<string, unknown>, namespace = "istio-system") {
    return { releaseName, chart: key, repo: REPO, version: "1.30.3", namespace, values };
}

describe("install model: dataplane and gatewayApi", () => {
    it("ambient turns the CNI agent on and keeps gatewayApi as given", () => {
        const s = settings({ dataplane: "ambient", gatewayApi: "install" });
        assert.strictEqual(s.dataplane, "ambient");
        assert.strictEqual(s.gatewayApi, "install");
        assert.deepStrictEqual(s.cni, {});
        assert.deepStrictEqual(settings({ dataplane: "ambient", gatewayApi: "assume-present", cni: { namespace: "kube-system" } }).cni, { namespace: "kube-system" });
        assert.deepStrictEqual(istioMeshLayoutSchema.parse({ dataplane: "ambient", gatewayApi: "install" }), {
            installer: "chart",
            dataplane: "ambient",
            gatewayApi: "install",
            createNamespace: true,
            mtls: true,
            cni: {},
            controlPlaneNetworkPolicies: {},
        });
    });

    it("sidecar stays the default and may install the Gateway API CRDs too", () => {
        const s = settings({ gatewayApi: "install" });
        assert.strictEqual(s.dataplane, "sidecar");
        assert.strictEqual(s.cni, undefined);
        assert.deepStrictEqual(
            istioInstallLayout(s).map((l) => [l.key, l.dependsOn]),
            [
                ["namespace", []],
                ["base", ["namespace"]],
                ["gatewayApi", []],
                ["istiod", ["base", "gatewayApi"]],
                ["istiodNetworkPolicy", ["namespace"]],
                ["meshMtls", ["istiod"]],
            ],
        );
    });

    const GATEWAY_API = 'must be "install" (meshguard installs the Gateway API v1.5.1 standard CRDs) or "assume-present" (the cluster already has them)';
    const cases: [string, unknown, string[]][] = [
        ["an unknown dataplane", { dataplane: "ztunnel" }, ['dataplane: must be "sidecar" (sidecar injection, the default) or "ambient" (istio-cni and ztunnel, no sidecars)']],
        ["a dataplane in capitals", { dataplane: "Ambient" }, ['dataplane: must be "sidecar" (sidecar injection, the default) or "ambient" (istio-cni and ztunnel, no sidecars)']],
        ["an unknown gatewayApi", { gatewayApi: true }, [`gatewayApi: ${GATEWAY_API}`]],
        [
            "ambient without gatewayApi",
            { dataplane: "ambient" },
            ['gatewayApi: must be set with dataplane "ambient" (waypoints are Gateway API Gateways): "install" to install the Gateway API v1.5.1 standard CRDs, or "assume-present" when the cluster already has them'],
        ],
        [
            "ambient without the CNI agent",
            { dataplane: "ambient", gatewayApi: "install", cni: false },
            ['cni: must not be false with dataplane "ambient": ambient mode needs the istio-cni node agent, which redirects pod traffic to ztunnel. Fix: remove cni or set it to true'],
        ],
        [
            "ztunnel values in sidecar mode",
            { values: { ztunnel: { logLevel: "debug" } } },
            ['values.ztunnel: is set but ztunnel is installed only with dataplane "ambient"; set dataplane: "ambient" or remove these values'],
        ],
        [
            "the ambient profile through raw values in sidecar mode",
            { cni: true, values: { istiod: { profile: "ambient" }, cni: { profile: "ambient" } } },
            [
                'values.istiod.profile: turns ambient mode on behind meshguard\'s back (no ztunnel, sidecar-mode policies). Fix: remove it and set dataplane: "ambient"',
                'values.cni.profile: turns ambient mode on behind meshguard\'s back (no ztunnel, sidecar-mode policies). Fix: remove it and set dataplane: "ambient"',
            ],
        ],
        [
            "values overriding what ambient sets",
            { dataplane: "ambient", gatewayApi: "install", values: { istiod: { profile: "demo" }, cni: { profile: "ambient" }, ztunnel: { profile: "ambient", revision: "x", istioNamespace: "x" } } },
            [
                'values.istiod.profile: is set by meshguard from `dataplane` ("ambient"); remove it',
                'values.cni.profile: is set by meshguard from `dataplane` ("ambient"); remove it',
                'values.ztunnel.profile: is set by meshguard from `dataplane` ("ambient"); remove it',
                "values.ztunnel.revision: is set by meshguard from `revision`; use that argument instead",
                "values.ztunnel.istioNamespace: is set by meshguard from `namespace`; use that argument instead",
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

    it("the layout schema rejects the structural mistakes alike", () => {
        assert.throws(() => istioMeshLayoutSchema.parse({ dataplane: "ambient", cni: false, gatewayApi: "install" }), /ambient mode needs the istio-cni node agent/);
        assert.throws(() => istioMeshLayoutSchema.parse({ dataplane: "ambient" }), /gatewayApi.*must be set with dataplane/s);
    });
});

describe("compileIstioInstall: ambient", () => {
    it("installs base → Gateway API CRDs → istiod → cni → ztunnel with the ambient profile", () => {
        const plan = compileIstioInstall(settings({ dataplane: "ambient", gatewayApi: "install", controlPlaneNetworkPolicies: false, mtls: false }));
        assert.deepStrictEqual(plan.injectionLabels, { "istio-injection": "enabled" });
        assert.deepStrictEqual(plan.steps.slice(1), [
            {
                key: "base",
                kind: "chart",
                suffix: "base",
                dependsOn: ["namespace"],
                chart: chart("base", "istio-base", { defaultRevision: "default", global: { istioNamespace: "istio-system" }, base: { validationFailurePolicy: "Fail" } }),
            },
            { key: "gatewayApi", kind: "configFile", suffix: "gateway-api-crds", dependsOn: [], configFile: { file: CRDS } },
            {
                key: "istiod",
                kind: "chart",
                suffix: "istiod",
                dependsOn: ["base", "gatewayApi"],
                chart: chart("istiod", "istiod", {
                    profile: "ambient",
                    global: { istioNamespace: "istio-system" },
                    meshConfig: { trustDomain: "cluster.local", accessLogFile: "/dev/stdout" },
                    base: { validationFailurePolicy: "Fail" },
                    pilot: { cni: { enabled: true }, env: HARDENED_ENV },
                }),
            },
            { key: "cni", kind: "chart", suffix: "cni", dependsOn: ["istiod"], chart: chart("cni", "istio-cni", { profile: "ambient" }) },
            { key: "ztunnel", kind: "chart", suffix: "ztunnel", dependsOn: ["istiod", "cni"], chart: chart("ztunnel", "ztunnel", { istioNamespace: "istio-system" }) },
        ]);
    });

    it("with assume-present registers no CRDs; a revision and namespace reach ztunnel; raw values merge last", () => {
        const plan = compileIstioInstall(
            settings({
                dataplane: "ambient",
                gatewayApi: "assume-present",
                revision: "1-30-3",
                namespace: "mesh",
                cni: { namespace: "kube-system" },
                gateway: true,
                values: { ztunnel: { logLevel: "debug" }, cni: { cni: { logLevel: "info" } } },
            }),
        );
        assert.deepStrictEqual(
            plan.steps.map((s) => [s.key, s.dependsOn]),
            [
                ["namespace", []],
                ["base", ["namespace"]],
                ["istiod", ["base"]],
                ["cni", ["istiod"]],
                ["ztunnel", ["istiod", "cni"]],
                ["istiodNetworkPolicy", ["namespace"]],
                ["meshMtls", ["istiod"]],
                ["gatewayNamespace", []],
                ["gateway", ["gatewayNamespace", "istiod"]],
            ],
        );
        const charts = Object.fromEntries(plan.steps.flatMap((s) => (s.kind === "chart" ? [[s.key, s.chart]] : [])));
        assert.deepStrictEqual(charts["ztunnel"], { ...chart("ztunnel", "ztunnel", { istioNamespace: "mesh", revision: "1-30-3", logLevel: "debug" }, "mesh"), version: "1.30.3" });
        assert.deepStrictEqual(charts["cni"], chart("cni", "istio-cni", { profile: "ambient", cni: { logLevel: "info" } }, "kube-system"));
        assert.strictEqual(charts["istiod"].values["profile"], "ambient");
        assert.strictEqual(charts["istiod"].releaseName, "istiod-1-30-3");
    });

    it("a sidecar mesh is unchanged: no profile, no ztunnel, cni before istiod", () => {
        const plan = compileIstioInstall(settings({ cni: true }));
        assert.deepStrictEqual(
            plan.steps.filter((s) => s.kind === "chart").map((s) => [s.key, s.dependsOn, s.kind === "chart" ? s.chart.values["profile"] : "?"]),
            [
                ["base", ["namespace"], undefined],
                ["cni", ["base"], undefined],
                ["istiod", ["base", "cni"], undefined],
            ],
        );
    });
});

describe("IstioMesh data plane: property", () => {
    it("whatever the args, a valid plan has one data plane: ambient charts in order with the profile, sidecar ones without", () => {
        const args = fc.record(
            {
                dataplane: fc.constantFrom("sidecar", "ambient", "Ambient", undefined),
                gatewayApi: fc.constantFrom("install", "assume-present", "yes", undefined),
                cni: fc.constantFrom(true, false, { namespace: "kube-system" }, undefined),
                revision: fc.constantFrom("canary", undefined),
                values: fc.record(
                    { istiod: fc.constantFrom({ profile: "ambient" }, { profile: "demo" }, { pilot: { resources: {} } }), ztunnel: fc.constantFrom({ logLevel: "debug" }, { profile: "ambient" }) },
                    { requiredKeys: [] },
                ),
            },
            { requiredKeys: [] },
        );
        fc.assert(
            fc.property(args, (raw) => {
                const parsed = istioMeshArgsSchema.safeParse(raw);
                if (!parsed.success) return;
                const plan = compileIstioInstall(parsed.data);
                const keys = plan.steps.map((s) => s.key);
                const profiles = plan.steps.flatMap((s) => (s.kind === "chart" && s.chart.values["profile"] !== undefined ? [`${s.key}:${String(s.chart.values["profile"])}`] : []));
                // Every step depends only on earlier ones.
                plan.steps.forEach((s, i) => s.dependsOn.forEach((d) => assert.ok(keys.indexOf(d) >= 0 && keys.indexOf(d) < i, `${s.key} after ${d}`)));
                if (parsed.data.dataplane === "ambient") {
                    assert.ok(keys.indexOf("istiod") < keys.indexOf("cni") && keys.indexOf("cni") < keys.indexOf("ztunnel"));
                    assert.deepStrictEqual(profiles, ["istiod:ambient", "cni:ambient"]);
                    assert.strictEqual(keys.includes("gatewayApi"), parsed.data.gatewayApi === "install");
                } else {
                    assert.ok(!keys.includes("ztunnel"));
                    assert.ok(!profiles.some((p) => p.endsWith(":ambient")), profiles.join());
                }
            }),
            { numRuns: 300 },
        );
    });
});
