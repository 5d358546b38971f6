import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IstioMesh } from "meshguard";
import { byName, outputValue, plainInputs, recorder, registered, settle, urnOf, useMocks } from "../harness/mocks";
import { failedRegistrations } from "../harness/deferred-errors";

const MESH = "meshguard:install:IstioMesh";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const CHART = "kubernetes:helm.sh/v4:Chart";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const PEER_AUTHENTICATION = "kubernetes:security.istio.io/v1:PeerAuthentication";
const REPO = "https://istio-release.storage.googleapis.com/charts";
const MANAGED = { "app.kubernetes.io/managed-by": "meshguard" };
const FAIL_OPEN_FIX = { validationFailurePolicy: "Fail" };
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
/** istiod's debug hardening (components/compile/control-plane-network.ts). */
const HARDENED_ENV = { ENABLE_DEBUG_ON_HTTP: "false", ENABLE_DEBUG_ENDPOINT_AUTH: "true", UNSAFE_ENABLE_ADMIN_ENDPOINTS: "false" };
const XDS_RULE = { from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 15012 }] };
const WEBHOOK_RULE = { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }], ports: [{ protocol: "TCP", port: 15017 }] };

const meshUrn = (name = "istio") => urnOf(MESH, name);
const childUrn = (type: string, name: string, parent = "istio") => urnOf(type, name, meshUrn(parent));

/** Type::name of every registration, sorted (registration order follows input resolution). */
function inventory(): string[] {
    return recorder.resources.map((r) => `${r.type}::${r.name}`).sort();
}

function chartInputs(name: string): Record<string, unknown> {
    const inputs = plainInputs(byName(name));
    delete inputs["compat"]; // helm.v3.Release adds its own compatibility marker
    return inputs;
}

describe("IstioMesh (component, mock runtime)", () => {
    before(async () => {
        await useMocks();
    });
    beforeEach(() => recorder.reset());

    it("installs base → istiod from the official repo with helm.v4.Chart and a mesh-wide STRICT policy", async () => {
        const mesh = new IstioMesh("istio");
        await registered(mesh);
        assert.deepStrictEqual(inventory(), [
            `${NAMESPACE}::istio-namespace`,
            `${CHART}::istio-base`,
            `${CHART}::istio-istiod`,
            `${NETWORK_POLICY}::istio-istiod-network-policy`,
            `${PEER_AUTHENTICATION}::istio-mesh-mtls`,
            `${MESH}::istio`,
        ]);
        const component = byName("istio");
        assert.strictEqual(component.parent, undefined);
        assert.strictEqual(component.custom, false);
        for (const child of ["istio-namespace", "istio-base", "istio-istiod", "istio-istiod-network-policy", "istio-mesh-mtls"]) {
            assert.strictEqual(byName(child).parent, meshUrn(), child);
        }
        assert.deepStrictEqual(plainInputs(byName("istio-namespace")), {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: "istio-system", labels: MANAGED },
        });
        assert.deepStrictEqual(chartInputs("istio-base"), {
            chart: "base",
            version: "1.30.3",
            namespace: "istio-system",
            name: "istio-base",
            repositoryOpts: { repo: REPO },
            values: { defaultRevision: "default", global: { istioNamespace: "istio-system" }, base: FAIL_OPEN_FIX },
        });
        assert.deepStrictEqual(chartInputs("istio-istiod"), {
            chart: "istiod",
            version: "1.30.3",
            namespace: "istio-system",
            name: "istiod",
            repositoryOpts: { repo: REPO },
            values: {
                global: { istioNamespace: "istio-system" },
                meshConfig: { trustDomain: "cluster.local", accessLogFile: "/dev/stdout" },
                base: FAIL_OPEN_FIX,
                pilot: { env: HARDENED_ENV },
            },
        });
        assert.deepStrictEqual(plainInputs(byName("istio-istiod-network-policy")), {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "istiod-ingress", namespace: "istio-system", labels: MANAGED },
            spec: {
                podSelector: { matchLabels: { app: "istiod", "istio.io/rev": "default" } },
                policyTypes: ["Ingress"],
                ingress: [XDS_RULE, WEBHOOK_RULE],
            },
        });
        assert.deepStrictEqual(plainInputs(byName("istio-mesh-mtls")), {
            apiVersion: "security.istio.io/v1",
            kind: "PeerAuthentication",
            metadata: { name: "default", namespace: "istio-system", labels: MANAGED },
            spec: { mtls: { mode: "STRICT" } },
        });
        assert.strictEqual(byName("istio-base").remote, true);
    });

    it("orders namespace → base → istiod → STRICT PeerAuthentication with dependsOn", async () => {
        await registered(new IstioMesh("istio"));
        assert.deepStrictEqual(byName("istio-namespace").dependencies, []);
        assert.deepStrictEqual(byName("istio-base").dependencies, [childUrn(NAMESPACE, "istio-namespace")]);
        assert.deepStrictEqual(byName("istio-istiod").dependencies, [childUrn(CHART, "istio-base")]);
        assert.deepStrictEqual(byName("istio-mesh-mtls").dependencies, [childUrn(CHART, "istio-istiod")]);
        assert.deepStrictEqual(byName("istio-istiod-network-policy").dependencies, [childUrn(NAMESPACE, "istio-namespace")]);
    });

    it("reports the outputs a namespace needs, and what to depend on", async () => {
        const mesh = new IstioMesh("istio");
        await registered(mesh);
        assert.strictEqual(await outputValue(mesh.namespace), "istio-system");
        assert.strictEqual(await outputValue(mesh.revision), undefined);
        assert.deepStrictEqual(await outputValue(mesh.injectionLabels), { "istio-injection": "enabled" });
        assert.strictEqual(await outputValue(mesh.trustDomain), "cluster.local");
        assert.strictEqual(await outputValue(mesh.version), "1.30.3");
        assert.strictEqual(await outputValue(mesh.gateway), undefined);
        assert.deepStrictEqual(
            await Promise.all(mesh.ready.map((r) => outputValue(r.urn))),
            [childUrn(CHART, "istio-istiod"), childUrn(PEER_AUTHENTICATION, "istio-mesh-mtls")],
        );
    });

    it("installs with helm.v3.Release when asked, without letting Helm create namespaces", async () => {
        await registered(new IstioMesh("istio", { installer: "release", version: "1.29.2" }));
        assert.deepStrictEqual(inventory(), [
            `${NAMESPACE}::istio-namespace`,
            `${RELEASE}::istio-base`,
            `${RELEASE}::istio-istiod`,
            `${NETWORK_POLICY}::istio-istiod-network-policy`,
            `${PEER_AUTHENTICATION}::istio-mesh-mtls`,
            `${MESH}::istio`,
        ]);
        assert.deepStrictEqual(chartInputs("istio-base"), {
            chart: "base",
            version: "1.29.2",
            namespace: "istio-system",
            name: "istio-base",
            createNamespace: false,
            repositoryOpts: { repo: REPO },
            values: { defaultRevision: "default", global: { istioNamespace: "istio-system" }, base: FAIL_OPEN_FIX },
        });
        assert.deepStrictEqual((chartInputs("istio-istiod")["values"] as Record<string, unknown>)["base"], FAIL_OPEN_FIX);
        assert.deepStrictEqual(byName("istio-base").dependencies, [childUrn(NAMESPACE, "istio-namespace")]);
        assert.deepStrictEqual(byName("istio-istiod").dependencies, [childUrn(RELEASE, "istio-base")]);
        assert.deepStrictEqual(byName("istio-mesh-mtls").dependencies, [childUrn(RELEASE, "istio-istiod")]);
        assert.strictEqual(byName("istio-base").custom, true);
    });

    it("installs a revisioned control plane with a gateway and the CNI agent in the documented order", async () => {
        const mesh = new IstioMesh("mesh", { revision: "canary", namespace: "istio-canary", gateway: true, cni: true });
        await registered(mesh);
        assert.deepStrictEqual(inventory(), [
            `${NAMESPACE}::mesh-gateway-namespace`,
            `${NAMESPACE}::mesh-namespace`,
            `${CHART}::mesh-base`,
            `${CHART}::mesh-cni`,
            `${CHART}::mesh-gateway`,
            `${CHART}::mesh-istiod`,
            `${NETWORK_POLICY}::mesh-istiod-network-policy`,
            `${PEER_AUTHENTICATION}::mesh-mesh-mtls`,
            `${MESH}::mesh`,
        ]);
        const urn = (type: string, name: string) => childUrn(type, name, "mesh");
        assert.deepStrictEqual(byName("mesh-base").dependencies, [urn(NAMESPACE, "mesh-namespace")]);
        assert.deepStrictEqual(byName("mesh-cni").dependencies, [urn(CHART, "mesh-base")]);
        assert.deepStrictEqual(byName("mesh-istiod").dependencies, [urn(CHART, "mesh-base"), urn(CHART, "mesh-cni")]);
        assert.deepStrictEqual(byName("mesh-gateway-namespace").dependencies, []);
        assert.deepStrictEqual(byName("mesh-gateway").dependencies, [urn(NAMESPACE, "mesh-gateway-namespace"), urn(CHART, "mesh-istiod")]);
        assert.deepStrictEqual(byName("mesh-mesh-mtls").dependencies, [urn(CHART, "mesh-istiod")]);

        assert.deepStrictEqual(chartInputs("mesh-base")["values"], {
            defaultRevision: "canary",
            global: { istioNamespace: "istio-canary" },
            base: FAIL_OPEN_FIX,
        });
        assert.deepStrictEqual(chartInputs("mesh-istiod"), {
            chart: "istiod",
            version: "1.30.3",
            namespace: "istio-canary",
            name: "istiod-canary",
            repositoryOpts: { repo: REPO },
            values: {
                revision: "canary",
                global: { istioNamespace: "istio-canary" },
                meshConfig: { trustDomain: "cluster.local", accessLogFile: "/dev/stdout" },
                base: FAIL_OPEN_FIX,
                pilot: { cni: { enabled: true }, env: HARDENED_ENV },
            },
        });
        assert.deepStrictEqual(chartInputs("mesh-cni"), {
            chart: "cni",
            version: "1.30.3",
            namespace: "istio-canary",
            name: "istio-cni",
            repositoryOpts: { repo: REPO },
            values: {},
        });
        assert.deepStrictEqual(chartInputs("mesh-gateway"), {
            chart: "gateway",
            version: "1.30.3",
            namespace: "istio-ingress",
            name: "istio-ingressgateway",
            repositoryOpts: { repo: REPO },
            values: { revision: "canary" },
        });
        // The gateway namespace carries no injection label: the gateway chart is injected through its
        // pod labels, and istio-injection=disabled on its namespace would leave it uninjected.
        assert.deepStrictEqual(plainInputs(byName("mesh-gateway-namespace"))["metadata"], { name: "istio-ingress", labels: MANAGED });

        assert.strictEqual(await outputValue(mesh.revision), "canary");
        assert.deepStrictEqual(await outputValue(mesh.injectionLabels), { "istio.io/rev": "canary" });
        assert.deepStrictEqual(await outputValue(mesh.gateway), { namespace: "istio-ingress", serviceAccount: "istio-ingressgateway" });
        assert.deepStrictEqual(
            await Promise.all(mesh.ready.map((r) => outputValue(r.urn))),
            [urn(CHART, "mesh-istiod"), urn(CHART, "mesh-cni"), urn(PEER_AUTHENTICATION, "mesh-mesh-mtls")],
        );
    });

    it("uses existing namespaces when told and omits the mesh-wide policy only when opted out", async () => {
        await registered(
            new IstioMesh("istio", { createNamespace: false, mtls: false, gateway: { namespace: "edge", createNamespace: false, name: "edge-gateway" } }),
        );
        assert.deepStrictEqual(inventory(), [
            `${CHART}::istio-base`,
            `${CHART}::istio-gateway`,
            `${CHART}::istio-istiod`,
            `${NETWORK_POLICY}::istio-istiod-network-policy`,
            `${MESH}::istio`,
        ]);
        assert.deepStrictEqual(byName("istio-base").dependencies, []);
        assert.deepStrictEqual(byName("istio-istiod-network-policy").dependencies, []);
        assert.deepStrictEqual(byName("istio-gateway").dependencies, [childUrn(CHART, "istio-istiod")]);
        assert.strictEqual(chartInputs("istio-gateway")["namespace"], "edge");
        assert.strictEqual(chartInputs("istio-gateway")["name"], "edge-gateway");
    });

    it("passes the typed meshConfig and merges raw values last", async () => {
        await registered(
            new IstioMesh("istio", {
                meshConfig: { trustDomain: "corp.example", outboundTrafficPolicy: { mode: "REGISTRY_ONLY" }, pathNormalization: { normalization: "MERGE_SLASHES" } },
                values: { istiod: { pilot: { autoscaleMin: 2 }, meshConfig: { accessLogEncoding: "JSON" } } },
            }),
        );
        assert.deepStrictEqual(chartInputs("istio-istiod")["values"], {
            global: { istioNamespace: "istio-system" },
            meshConfig: {
                trustDomain: "corp.example",
                accessLogFile: "/dev/stdout",
                outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
                pathNormalization: { normalization: "MERGE_SLASHES" },
                accessLogEncoding: "JSON",
            },
            base: FAIL_OPEN_FIX,
            pilot: { env: HARDENED_ENV, autoscaleMin: 2 },
        });
    });

    it("guards a revision's istiod with its own NetworkPolicy and opens 15014 only to the monitoring namespace", async () => {
        await registered(new IstioMesh("mesh", { revision: "canary", namespace: "istio-canary", controlPlaneNetworkPolicies: { monitoringNamespace: "monitoring" } }));
        assert.deepStrictEqual(plainInputs(byName("mesh-istiod-network-policy")), {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "istiod-canary-ingress", namespace: "istio-canary", labels: MANAGED },
            spec: {
                podSelector: { matchLabels: { app: "istiod", "istio.io/rev": "canary" } },
                policyTypes: ["Ingress"],
                ingress: [
                    XDS_RULE,
                    WEBHOOK_RULE,
                    { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 15014 }] },
                ],
            },
        });
        assert.strictEqual(byName("mesh-istiod-network-policy").parent, meshUrn("mesh"));
        assert.deepStrictEqual(byName("mesh-istiod-network-policy").dependencies, [childUrn(NAMESPACE, "mesh-namespace", "mesh")]);
    });

    it("takes the monitoring namespace as an output", async () => {
        await registered(new IstioMesh("istio", { controlPlaneNetworkPolicies: { monitoringNamespace: pulumi.output("prometheus") } }));
        const spec = plainInputs(byName("istio-istiod-network-policy"))["spec"] as { ingress: unknown[] };
        assert.deepStrictEqual(spec.ingress[2], {
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "prometheus" } } }],
            ports: [{ protocol: "TCP", port: 15014 }],
        });
    });

    it("leaves istiod's NetworkPolicy out only when opted out", async () => {
        await registered(new IstioMesh("istio", { controlPlaneNetworkPolicies: false }));
        assert.deepStrictEqual(inventory(), [
            `${NAMESPACE}::istio-namespace`,
            `${CHART}::istio-base`,
            `${CHART}::istio-istiod`,
            `${PEER_AUTHENTICATION}::istio-mesh-mtls`,
            `${MESH}::istio`,
        ]);
    });

    it("hands the caller's provider down to every child", async () => {
        const provider = new k8s.Provider("cluster", {});
        const mesh = new IstioMesh("istio", {}, { providers: { kubernetes: provider } });
        await registered(mesh);
        const providerRef = `${await outputValue(provider.urn)}::${await outputValue(provider.id)}`;
        for (const child of ["istio-namespace", "istio-base", "istio-istiod", "istio-istiod-network-policy", "istio-mesh-mtls"]) {
            assert.strictEqual(byName(child).provider, providerRef, child);
        }
    });

    describe("rejected input", () => {
        const cases: [string, Record<string, unknown>, string[]][] = [
            [
                "a version range",
                { version: "~1.30" },
                ['version: must be an exact Istio version "x.y.z" such as "1.30.3" (ranges, "latest", pre-releases and a "v" prefix are rejected)'],
            ],
            ["an unknown installer", { installer: "kustomize" }, ['installer: must be "chart" (helm.v4.Chart, the default) or "release" (helm.v3.Release)']],
            [
                "an invalid namespace name",
                { namespace: "Istio-System" },
                ['namespace: must be a valid namespace name (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)'],
            ],
            ["an unknown meshConfig field", { meshConfig: { trustDomian: "corp.example" } }, ["meshConfig.trustDomian: unknown field (not part of the schema; check its spelling)"]],
            ["a revision smuggled through values", { values: { istiod: { revision: "x" } } }, ["values.istiod.revision: is set by meshguard from `revision`; use that argument instead"]],
            [
                "a malformed monitoring namespace",
                { controlPlaneNetworkPolicies: { monitoringNamespace: "Monitoring" } },
                [
                    'controlPlaneNetworkPolicies.monitoringNamespace: must be a valid namespace name (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)',
                ],
            ],
            ["a null control-plane switch", { controlPlaneNetworkPolicies: null }, ["controlPlaneNetworkPolicies: must be true, false or an object {monitoringNamespace?}"]],
            [
                "the chart's own istiod NetworkPolicy next to meshguard's",
                { values: { istiod: { global: { networkPolicy: { enabled: true } } } } },
                [
                    "values.istiod.global.networkPolicy.enabled: turns on the chart's own NetworkPolicy, which opens 15010 (plaintext xDS), 8080 (debug) and 15014 to every source alongside meshguard's; remove it (meshguard's controlPlaneNetworkPolicies guards istiod) or set controlPlaneNetworkPolicies: false",
                ],
            ],
            [
                "the control-plane switch given as an output",
                { controlPlaneNetworkPolicies: pulumi.output(true) },
                ["controlPlaneNetworkPolicies: must be a plain value, not a Pulumi output or promise: it decides which resources are registered"],
            ],
            [
                "a structural field given as an output",
                { installer: pulumi.output("release"), gateway: pulumi.output(true) },
                [
                    "installer: must be a plain value, not a Pulumi output or promise: it decides which resources are registered",
                    "gateway: must be a plain value, not a Pulumi output or promise: it decides which resources are registered",
                ],
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

        it("validates plain values even when other values are outputs", async () => {
            assert.throws(() => new IstioMesh("istio", { namespace: pulumi.output("istio-system"), version: "latest" }), {
                message: 'invalid IstioMesh "istio" args:\n  - version: must be an exact Istio version "x.y.z" such as "1.30.3" (ranges, "latest", pre-releases and a "v" prefix are rejected)',
            });
            await settle();
            assert.deepStrictEqual(recorder.resources, []);
        });
    });

    describe("args given as Pulumi outputs", () => {
        it("uses them once known", async () => {
            const mesh = new IstioMesh("istio", {
                version: pulumi.output("1.29.2"),
                namespace: Promise.resolve("mesh-system"),
                revision: pulumi.output("blue"),
                meshConfig: { trustDomain: pulumi.output("corp.example") },
            });
            await registered(mesh);
            assert.deepStrictEqual(chartInputs("istio-istiod"), {
                chart: "istiod",
                version: "1.29.2",
                namespace: "mesh-system",
                name: "istiod-blue",
                repositoryOpts: { repo: REPO },
                values: {
                    revision: "blue",
                    global: { istioNamespace: "mesh-system" },
                    meshConfig: { trustDomain: "corp.example", accessLogFile: "/dev/stdout" },
                    base: FAIL_OPEN_FIX,
                    pilot: { env: HARDENED_ENV },
                },
            });
            assert.deepStrictEqual(plainInputs(byName("istio-namespace"))["metadata"], { name: "mesh-system", labels: MANAGED });
            assert.deepStrictEqual(await outputValue(mesh.injectionLabels), { "istio.io/rev": "blue" });
            assert.strictEqual(await outputValue(mesh.trustDomain), "corp.example");
        });

        it("rejects a bad value once known, with the same message, from the registrations", async () => {
            const expected = 'invalid IstioMesh "istio" args:\n  - version: must be an exact Istio version "x.y.z" such as "1.30.3" (ranges, "latest", pre-releases and a "v" prefix are rejected)';
            const failures = await failedRegistrations(() => new IstioMesh("istio", { version: pulumi.output("latest") }));
            assert.ok(failures.length > 0, "expected failed registrations");
            for (const message of failures) assert.ok(message.endsWith(expected), message);
            assert.deepStrictEqual(inventory(), [`${MESH}::istio`]);
        });
    });
});
