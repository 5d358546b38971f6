import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IstioMesh } from "../../components/istio-mesh";
import { MeshNamespace } from "../../components/mesh-namespace";
import { analyzeStackWith, PolicyPackSession, startPolicyPack } from "../../components/analyzer";
import { byName, captureError, outputValue, plainInputs, recorder, registered, settle, urnOf, useMocks } from "../harness/mocks";
import { failedRegistrations } from "../harness/deferred-errors";

// istiod debug hardening every control plane gets (docs/install.md, "Protecting the control plane").
const HARDENED_ENV = { ENABLE_DEBUG_ON_HTTP: "false", ENABLE_DEBUG_ENDPOINT_AUTH: "true", UNSAFE_ENABLE_ADMIN_ENDPOINTS: "false" };

const MESH = "meshguard:install:IstioMesh";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const CHART = "kubernetes:helm.sh/v4:Chart";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const PEER_AUTHENTICATION = "kubernetes:security.istio.io/v1:PeerAuthentication";
const REPO = "https://istio-release.storage.googleapis.com/charts";
const FAIL = { validationFailurePolicy: "Fail" };

const inventory = () => recorder.resources.map((r) => `${r.type}::${r.name}`).sort();

function chartInputs(name: string): Record<string, unknown> {
    const inputs = plainInputs(byName(name));
    delete inputs["compat"];
    return inputs;
}

/** The primary of a canary window: revision 1-29-2, CRDs already at 1.30.3, gateway and CNI. */
function primary(extra: Record<string, unknown> = {}): IstioMesh {
    return new IstioMesh("mesh", {
        version: "1.29.2",
        baseVersion: "1.30.3",
        revision: "1-29-2",
        gateway: true,
        cni: true,
        meshConfig: { trustDomain: "corp.example", outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } },
        values: { istiod: { meshConfig: { defaultConfig: { holdApplicationUntilProxyStarts: true } } } },
        ...extra,
    });
}

describe("IstioMesh canary mode (canaryOf, mock runtime)", function () {
    this.timeout(120_000);
    before(async () => {
        await useMocks();
    });
    beforeEach(() => recorder.reset());

    it("registers only istiod-<revision> and its NetworkPolicy beside the primary, inheriting its root namespace, meshConfig and CNI", async () => {
        const mesh = primary();
        const canary = new IstioMesh("mesh-1-30-3", { version: "1.30.3", revision: "1-30-3", canaryOf: mesh });
        await registered(canary);
        await registered(mesh);
        assert.deepStrictEqual(inventory(), [
            `${NAMESPACE}::mesh-gateway-namespace`,
            `${NAMESPACE}::mesh-namespace`,
            `${CHART}::mesh-1-30-3-istiod`,
            `${CHART}::mesh-base`,
            `${CHART}::mesh-cni`,
            `${CHART}::mesh-gateway`,
            `${CHART}::mesh-istiod`,
            // Each control plane's istiod guard (issue 13): the canary's selects its own revision.
            "kubernetes:networking.k8s.io/v1:NetworkPolicy::mesh-1-30-3-istiod-network-policy",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy::mesh-istiod-network-policy",
            `${PEER_AUTHENTICATION}::mesh-mesh-mtls`,
            `${MESH}::mesh`,
            `${MESH}::mesh-1-30-3`,
        ]);
        const canaryUrn = urnOf(MESH, "mesh-1-30-3");
        const istiod = byName("mesh-1-30-3-istiod");
        assert.strictEqual(istiod.parent, canaryUrn);
        assert.strictEqual(byName("mesh-1-30-3").parent, undefined);
        // It waits for the primary's ready: istiod, cni and the mesh-wide mTLS policy.
        const meshUrn = urnOf(MESH, "mesh");
        assert.deepStrictEqual([...istiod.dependencies].sort(), [
            urnOf(CHART, "mesh-cni", meshUrn),
            urnOf(CHART, "mesh-istiod", meshUrn),
            urnOf(PEER_AUTHENTICATION, "mesh-mesh-mtls", meshUrn),
        ].sort());
        const meshConfig = {
            trustDomain: "corp.example",
            accessLogFile: "/dev/stdout",
            outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
            defaultConfig: { holdApplicationUntilProxyStarts: true },
        };
        assert.deepStrictEqual(chartInputs("mesh-1-30-3-istiod"), {
            chart: "istiod",
            version: "1.30.3",
            namespace: "istio-system",
            name: "istiod-1-30-3",
            repositoryOpts: { repo: REPO },
            values: { revision: "1-30-3", global: { istioNamespace: "istio-system" }, meshConfig, base: FAIL, pilot: { cni: { enabled: true }, env: HARDENED_ENV } },
        });
        // The canary's istiod guard: the primary's rules, selecting the canary's revision; it waits for the primary's ready too.
        const guard = byName("mesh-1-30-3-istiod-network-policy");
        assert.strictEqual(guard.parent, canaryUrn);
        assert.deepStrictEqual([...guard.dependencies].sort(), [...istiod.dependencies].sort());
        assert.deepStrictEqual(plainInputs(guard), {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "istiod-1-30-3-ingress", namespace: "istio-system", labels: { "app.kubernetes.io/managed-by": "meshguard" } },
            spec: {
                podSelector: { matchLabels: { app: "istiod", "istio.io/rev": "1-30-3" } },
                policyTypes: ["Ingress"],
                ingress: [
                    { from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 15012 }] },
                    { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }], ports: [{ protocol: "TCP", port: 15017 }] },
                ],
            },
        });
        // The primary's istiod stays on its version; its base chart (CRDs) is already at the canary's.
        assert.deepStrictEqual(chartInputs("mesh-istiod"), {
            chart: "istiod",
            version: "1.29.2",
            namespace: "istio-system",
            name: "istiod-1-29-2",
            repositoryOpts: { repo: REPO },
            values: { revision: "1-29-2", global: { istioNamespace: "istio-system" }, meshConfig, base: FAIL, pilot: { cni: { enabled: true }, env: HARDENED_ENV } },
        });
        assert.strictEqual(chartInputs("mesh-base")["version"], "1.30.3");
        assert.deepStrictEqual(await outputValue(canary.injectionLabels), { "istio.io/rev": "1-30-3" });
        assert.strictEqual(await outputValue(canary.namespace), "istio-system");
        assert.strictEqual(await outputValue(canary.trustDomain), "corp.example");
        assert.strictEqual(await outputValue(canary.version), "1.30.3");
        assert.strictEqual(await outputValue(canary.revision), "1-30-3");
        assert.strictEqual(await outputValue(canary.gateway), undefined);
        assert.deepStrictEqual(canary.ready, [canary.resources.istiod]);
        assert.deepStrictEqual(Object.keys(canary.resources), ["istiod", "istiodNetworkPolicy"]);
    });

    it("moves a namespace to the canary: MeshNamespace({ mesh: canary }) gets istio.io/rev=<canary> and waits for its istiod", async () => {
        const mesh = primary();
        const canary = new IstioMesh("mesh-1-30-3", { version: "1.30.3", revision: "1-30-3", canaryOf: mesh });
        const shop = new MeshNamespace("shop", { name: "shop", mesh: canary });
        const billing = new MeshNamespace("billing", { name: "billing", mesh });
        await registered(shop);
        await registered(billing);
        const labels = (name: string) => (plainInputs(byName(name))["metadata"] as { labels: Record<string, string> }).labels;
        assert.strictEqual(labels("shop-namespace")["istio.io/rev"], "1-30-3");
        assert.strictEqual(labels("billing-namespace")["istio.io/rev"], "1-29-2");
        assert.deepStrictEqual(byName("shop-namespace").dependencies, [urnOf(CHART, "mesh-1-30-3-istiod", urnOf(MESH, "mesh-1-30-3"))]);
    });

    it("uses helm.v3.Release with installer: release", async () => {
        const mesh = primary({ installer: "release" });
        const canary = new IstioMesh("mesh-1-30-3", { version: "1.30.3", revision: "1-30-3", canaryOf: mesh, installer: "release" });
        await registered(canary);
        assert.strictEqual(byName("mesh-1-30-3-istiod").type, RELEASE);
        assert.strictEqual(chartInputs("mesh-1-30-3-istiod")["createNamespace"], false);
    });

    it("refuses shared parts and a missing revision before registering anything", async () => {
        const mesh = primary();
        recorder.reset();
        const error = await captureError(
            () => new IstioMesh("mesh-1-30-3", { version: "1.30.3", canaryOf: mesh, gateway: true, meshConfig: { trustDomain: "other.example" } } as never),
        );
        assert.strictEqual(
            error.message,
            [
                'invalid IstioMesh "mesh-1-30-3" args:',
                "  - meshConfig: is not allowed with canaryOf: meshConfig (trust domain included) is taken from the primary (canaryOf) so the two control planes cannot drift; change it there. Fix: remove it",
                "  - gateway: is not allowed with canaryOf: the gateway belongs to the primary (canaryOf); hand it to the canary with the primary's `gateway.revision`. Fix: remove it",
            ].join("\n"),
        );
        const missing = await captureError(() => new IstioMesh("c", { version: "1.30.3", canaryOf: mesh } as never));
        assert.strictEqual(
            missing.message,
            'invalid IstioMesh "c" args:\n  - revision: must be the revision of the canary control plane (lowercase letters, digits and "-", e.g. "1-30-3"); a canary without a revision would replace the default control plane. Fix: set revision',
        );
        const notMesh = await captureError(() => new IstioMesh("c", { version: "1.30.3", revision: "1-30-3", canaryOf: "mesh" as never }));
        assert.strictEqual(notMesh.message, 'invalid IstioMesh "c" args:\n  - canaryOf: must be an IstioMesh (the existing mesh). Fix: pass the IstioMesh object, not its name');
        assert.deepStrictEqual(inventory(), []);
    });

    const refusals: [string, () => IstioMesh, Record<string, unknown>, string][] = [
        [
            "the primary's revision",
            () => primary(),
            { version: "1.30.3", revision: "1-29-2" },
            'revision: "1-29-2" is the primary\'s revision; two control planes cannot share one. Fix: name the canary after its version, e.g. "1-30-3"',
        ],
        [
            "a downgrade",
            () => primary(),
            { version: "1.28.4", revision: "1-28-4" },
            'version: "1.28.4" is older than the primary\'s "1.29.2"; a canary upgrades, downgrades are a separate procedure. Fix: use a version >= "1.29.2"',
        ],
        [
            "a version newer than the primary's CRDs",
            () => primary({ baseVersion: undefined }),
            { version: "1.30.3", revision: "1-30-3" },
            'version: "1.30.3" is newer than the CRDs the primary installs (base chart "1.29.2"); Istio upgrades the CRDs first. Fix: set baseVersion: "1.30.3" on the primary IstioMesh',
        ],
    ];
    for (const [what, makePrimary, args, expected] of refusals) {
        it(`refuses ${what} once the primary's settings are known, registering no istiod`, async () => {
            const failures = await failedRegistrations(() => {
                const mesh = makePrimary();
                new IstioMesh("canary", { ...(args as { version: string; revision: string }), canaryOf: mesh });
            });
            assert.ok(failures.length > 0, "expected failed registrations");
            // Each failed registration wraps the message in the property it was serialising (as in istio-mesh.test.ts).
            for (const message of failures) assert.ok(message.endsWith(`invalid IstioMesh "canary" args:\n  - ${expected}`), message);
            assert.ok(!inventory().includes(`${CHART}::canary-istiod`), inventory().join("\n"));
        });
    }

    it("refuses a canary of a canary", async () => {
        const failures = await failedRegistrations(() => {
            const mesh = primary();
            const first = new IstioMesh("c1", { version: "1.30.3", revision: "1-30-3", canaryOf: mesh });
            new IstioMesh("c2", { version: "1.30.3", revision: "1-30-3b", canaryOf: first });
        });
        assert.deepStrictEqual(failures, [
            'error serializing property "chart": error serializing property "metadata": error serializing property "outputs": invalid IstioMesh "c2" args:\n  - canaryOf: is itself a canary. Fix: pass the primary IstioMesh (the one that owns the base chart and the root namespace)',
        ]);
    });

    it("refuses a primary whose baseVersion is older than its version", async () => {
        const error = await captureError(() => new IstioMesh("m", { version: "1.30.3", baseVersion: "1.29.2" }));
        assert.strictEqual(
            error.message,
            'invalid IstioMesh "m" args:\n  - baseVersion: "1.29.2" is older than version "1.30.3"; istiod needs CRDs at least as new as itself. Fix: remove baseVersion or set it to "1.30.3" or newer',
        );
    });

    it("validates deferred canary args with the same messages", async () => {
        const failures = await failedRegistrations(() => {
            const mesh = primary();
            new IstioMesh("canary", { version: pulumi.output("1.30"), revision: "1-30-3", canaryOf: mesh });
        });
        assert.deepStrictEqual(failures, [
            'error serializing property "chart": error serializing property "metadata": error serializing property "outputs": invalid IstioMesh "canary" args:\n  - version: must be the exact Istio version of the canary "x.y.z" such as "1.30.3". Fix: set the version of the new control plane',
        ]);
    });

    it("promotes: the primary switched to B with promotedCanary renders the canary's istiod chart unchanged, under its Pulumi names", async () => {
        // Update during the window: primary A plus canary B.
        const window = primary();
        await registered(new IstioMesh("mesh-1-30-3", { version: "1.30.3", revision: "1-30-3", canaryOf: window }));
        const canaryIstiod = chartInputs("mesh-1-30-3-istiod");
        recorder.reset();
        // The promotion update: the canary is gone from the program, the primary runs B.
        const promoted = primary({ version: "1.30.3", baseVersion: undefined, revision: "1-30-3", promotedCanary: "mesh-1-30-3" });
        await registered(promoted);
        assert.deepStrictEqual(chartInputs("mesh-istiod"), { ...canaryIstiod, resourcePrefix: "mesh-1-30-3-istiod" });
        assert.deepStrictEqual(chartInputs("mesh-gateway")["values"], { revision: "1-30-3" });
        assert.strictEqual(chartInputs("mesh-base")["version"], "1.30.3");
        assert.deepStrictEqual(inventory().filter((entry) => entry.includes("mesh-1-30-3")), []);
        assert.deepStrictEqual(await outputValue(promoted.injectionLabels), { "istio.io/rev": "1-30-3" });
    });

    it("refuses promotedCanary without a revision or with helm.v3.Release", async () => {
        const error = await captureError(() => new IstioMesh("m", { installer: "release", promotedCanary: "mesh-1-30-3" }));
        assert.strictEqual(
            error.message,
            [
                'invalid IstioMesh "m" args:',
                "  - revision: is required with promotedCanary: set it to the promoted canary's revision. Fix: copy revision from the canary",
                "  - promotedCanary: cannot hand a helm.v3.Release over: the canary's release would be deleted and the primary's could not be installed under the same Helm release name. Fix: promote with installer \"chart\", or keep the canary IstioMesh until the next upgrade",
            ].join("\n"),
        );
    });

    describe("the policy pack on a stack with both meshes", () => {
        let session: PolicyPackSession;
        before(async () => {
            session = await startPolicyPack({ stack: "test", project: "meshguard-test" });
        });
        after(async () => {
            await session?.close();
        });

        it("passes with no mandatory violation: one mesh-wide PeerAuthentication, both istiod charts pinned, both namespaces injected", async () => {
            await useMocks();
            recorder.reset();
            const mesh = primary();
            const canary = new IstioMesh("mesh-1-30-3", { version: "1.30.3", revision: "1-30-3", canaryOf: mesh });
            for (const [ns, owner] of [["shop", canary], ["billing", mesh]] as const) {
                const namespace = new MeshNamespace(ns, { name: ns, mesh: owner });
                const labels = { app: ns };
                new k8s.apps.v1.Deployment(ns, {
                    metadata: { name: ns, namespace: ns, labels },
                    spec: {
                        selector: { matchLabels: labels },
                        template: { metadata: { labels }, spec: { serviceAccountName: ns, containers: [{ name: ns, image: `ghcr.io/example/${ns}:1.0.0` }] } },
                    },
                }, { dependsOn: namespace.ready });
            }
            await settle();
            const resources = [...recorder.resources];
            assert.strictEqual(resources.filter((r) => r.type === PEER_AUTHENTICATION).length, 3); // mesh-wide + one per namespace
            const result = await analyzeStackWith(session, resources);
            // No mandatory verdict; the only advisories say the two namespaces have no default-deny
            // NetworkPolicy (this stack declares no MeshPolicy, which would emit them).
            assert.deepStrictEqual(
                result.verdicts.map((v) => [v.enforcementLevel, v.policyName, v.resourceName]),
                [["advisory", "mesh-namespace-network-default-deny", "billing-namespace"], ["advisory", "mesh-namespace-network-default-deny", "shop-namespace"]],
                result.verdicts.map((v) => `${v.policyName}: ${v.message}`).join("\n"),
            );
        });

        it("refuses two primaries instead (the shared parts twice): the baseline has two owners", async () => {
            await useMocks();
            recorder.reset();
            primary();
            new IstioMesh("mesh-b", { version: "1.30.3", revision: "1-30-3", createNamespace: false });
            await settle();
            const result = await analyzeStackWith(session, [...recorder.resources]);
            // Two mesh-wide PeerAuthentications (the second create would fail): what canaryOf avoids.
            assert.deepStrictEqual(
                result.verdicts.map((v) => [v.policyName, v.resourceName]),
                [["mesh-strict-mtls-coverage", "mesh-mesh-mtls"], ["mesh-baseline-single-owner", "mesh-mesh-mtls"]],
            );
        });
    });
});
