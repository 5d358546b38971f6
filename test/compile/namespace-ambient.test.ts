import * as assert from "assert";
import fc from "fast-check";
import { compileMeshNamespace, meshNamespaceLayout } from "../../components/compile/namespace";
import { checkDataplaneWithMesh, meshNamespaceArgsSchema, meshNamespaceLayoutSchema, MeshNamespaceSettings } from "../../components/model/namespace";
import { namespaceEnrolment } from "../../components/istio/enrolment";
import { parseOrThrow } from "../../components/validation/validate";
import "../harness/property-seed";

const MANAGED = { "app.kubernetes.io/managed-by": "meshguard" };
const WAYPOINT = (ns: string, name: string) => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name, namespace: ns, labels: { ...MANAGED, "istio.io/waypoint-for": "service" } },
    spec: { gatewayClassName: "istio-waypoint", listeners: [{ name: "mesh", port: 15008, protocol: "HBONE" }] },
});

function settings(args: unknown): MeshNamespaceSettings {
    return parseOrThrow(meshNamespaceArgsSchema, args, "MeshNamespace args");
}

describe("MeshNamespace ambient (model and compile)", () => {
    it("labels an ambient namespace istio.io/dataplane-mode=ambient and no injection label", () => {
        const plan = compileMeshNamespace(settings({ name: "shop", dataplane: "ambient", labels: { team: "a" } }), { "istio.io/rev": "canary" });
        assert.deepStrictEqual(plan.labels, { team: "a", "istio.io/dataplane-mode": "ambient" });
        assert.deepStrictEqual(plan.meshPolicyNamespace, { dataplane: "ambient" });
        assert.deepStrictEqual(
            plan.steps.map((s) => [s.key, s.suffix, s.dependsOn]),
            [
                ["namespace", "namespace", []],
                ["mtls", "mtls", ["namespace"]],
                ["defaultDeny", "default-deny", ["namespace"]],
            ],
        );
        assert.deepStrictEqual(plan.steps[0].manifest, {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: "shop", labels: { ...MANAGED, team: "a", "istio.io/dataplane-mode": "ambient" } },
        });
    });

    it("adds the waypoint Gateway and istio.io/use-waypoint; true names it \"waypoint\"", () => {
        const plan = compileMeshNamespace(settings({ name: "shop", dataplane: "ambient", waypoint: true }));
        assert.deepStrictEqual(plan.labels, { "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint" });
        assert.deepStrictEqual(plan.meshPolicyNamespace, { dataplane: "ambient", waypoint: "waypoint" });
        assert.deepStrictEqual(plan.steps[3], {
            key: "waypoint",
            kind: "manifest",
            suffix: "waypoint",
            dependsOn: ["namespace"],
            apiVersion: "gateway.networking.k8s.io/v1",
            manifestKind: "Gateway",
            manifest: WAYPOINT("shop", "waypoint"),
        });
        const named = compileMeshNamespace(settings({ name: "shop", dataplane: "ambient", waypoint: { name: "shop-l7" }, existing: true, mtls: false, defaultDeny: false }));
        assert.deepStrictEqual(
            named.steps.map((s) => [s.key, s.kind]),
            [
                ["namespace", "namespacePatch"],
                ["waypoint", "manifest"],
            ],
        );
        assert.deepStrictEqual(named.steps[0].manifest.metadata, { name: "shop", labels: { "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "shop-l7" } });
        assert.deepStrictEqual(named.steps[1].manifest, WAYPOINT("shop", "shop-l7"));
        assert.deepStrictEqual(named.meshPolicyNamespace, { dataplane: "ambient", waypoint: "shop-l7" });
        assert.deepStrictEqual(meshNamespaceLayout(meshNamespaceLayoutSchema.parse({ waypoint: false })).map((s) => s.key), ["namespace", "mtls", "defaultDeny"]);
    });

    it("a sidecar namespace reports dataplane sidecar and keeps its injection label", () => {
        for (const args of [{ name: "shop" }, { name: "shop", dataplane: "sidecar" }]) {
            const plan = compileMeshNamespace(settings(args));
            assert.deepStrictEqual(plan.labels, { "istio-injection": "enabled" });
            assert.deepStrictEqual(plan.meshPolicyNamespace, { dataplane: "sidecar" });
        }
    });

    const cases: [string, unknown, string[]][] = [
        [
            "an unknown dataplane",
            { name: "shop", dataplane: "ztunnel" },
            ['dataplane: must be "sidecar" (sidecar injection) or "ambient" (istio.io/dataplane-mode=ambient: ztunnel, no sidecars)'],
        ],
        [
            "an injection mode with ambient (contradictory)",
            { name: "shop", dataplane: "ambient", injection: "enabled" },
            ['injection: must be omitted with dataplane "ambient": the namespace is labelled istio.io/dataplane-mode=ambient and never also for sidecar injection'],
        ],
        [
            "injection disabled with ambient",
            { name: "shop", dataplane: "ambient", injection: "disabled", mtls: true, defaultDeny: true },
            ['injection: must be omitted with dataplane "ambient": the namespace is labelled istio.io/dataplane-mode=ambient and never also for sidecar injection'],
        ],
        [
            "a waypoint on a sidecar namespace",
            { name: "shop", waypoint: true },
            ['waypoint: needs dataplane "ambient": a waypoint serves ambient workloads, sidecars enforce L7 policy themselves. Fix: set dataplane: "ambient" or remove waypoint'],
        ],
        [
            "a waypoint on an explicit sidecar namespace",
            { name: "shop", dataplane: "sidecar", waypoint: { name: "w" } },
            ['waypoint: needs dataplane "ambient": a waypoint serves ambient workloads, sidecars enforce L7 policy themselves. Fix: set dataplane: "ambient" or remove waypoint'],
        ],
        ["a waypoint string", { name: "shop", dataplane: "ambient", waypoint: "w" }, ["waypoint: must be true, false or an object {name?}"]],
        [
            "an invalid waypoint name",
            { name: "shop", dataplane: "ambient", waypoint: { name: "Way_Point" } },
            ['waypoint.name: must be a waypoint name (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters; it names the waypoint\'s Gateway, Deployment and ServiceAccount)'],
        ],
        ["an unknown waypoint field", { name: "shop", dataplane: "ambient", waypoint: { for: "workload" } }, ["waypoint.for: unknown field (not part of the schema; check its spelling)"]],
        [
            "the waypoint and ambient labels smuggled through labels",
            { name: "shop", labels: { "istio.io/use-waypoint": "w", "istio.io/dataplane-mode": "ambient" } },
            [
                "labels[\"istio.io/use-waypoint\"]: is set by meshguard from `waypoint`; remove it from labels",
                'labels["istio.io/dataplane-mode"]: is set by meshguard from `dataplane` (one data plane per namespace); remove it from labels and set dataplane: "ambient"',
            ],
        ],
    ];
    for (const [what, args, lines] of cases) {
        it(`rejects ${what}`, () => {
            assert.throws(() => settings(args), {
                name: "MeshguardValidationError",
                message: ["invalid MeshNamespace args:", ...lines.map((l) => `  - ${l}`)].join("\n"),
            });
        });
    }

    it("an ambient namespace needs an ambient mesh; a sidecar namespace may join either", () => {
        assert.deepStrictEqual(checkDataplaneWithMesh("ambient", "sidecar"), [{
            path: "dataplane",
            message: 'is "ambient" but `mesh` is installed with dataplane "sidecar" (no ztunnel captures the pods). Fix: set dataplane: "ambient" on the IstioMesh, or remove dataplane here',
        }]);
        assert.deepStrictEqual(checkDataplaneWithMesh("ambient", "ambient"), []);
        assert.deepStrictEqual(checkDataplaneWithMesh("sidecar", "ambient"), []);
        assert.deepStrictEqual(checkDataplaneWithMesh("ambient", undefined), []);
    });

    it("property: whatever the args, the labels enrol the namespace in exactly the declared data plane (never both)", () => {
        const args = fc.record(
            {
                dataplane: fc.constantFrom("sidecar", "ambient", undefined),
                injection: fc.constantFrom("enabled", "disabled", { revision: "canary" }, undefined),
                waypoint: fc.constantFrom(true, false, { name: "w1" }, undefined),
                mtls: fc.constantFrom(true, false, undefined),
                defaultDeny: fc.constantFrom(true, false, undefined),
                labels: fc.dictionary(fc.constantFrom("team", "app", "istio-injection", "istio.io/rev", "istio.io/dataplane-mode", "istio.io/use-waypoint"), fc.constantFrom("a", "ambient", "enabled")),
            },
            { requiredKeys: [] },
        );
        fc.assert(
            fc.property(args, (raw) => {
                const parsed = meshNamespaceArgsSchema.safeParse({ name: "shop", ...raw });
                if (!parsed.success) return;
                const plan = compileMeshNamespace(parsed.data, { "istio-injection": "enabled" });
                const enrolment = namespaceEnrolment(plan.labels);
                const ambient = parsed.data.dataplane === "ambient";
                assert.strictEqual(enrolment.ambient, ambient);
                assert.ok(ambient ? enrolment.mode === "ambient" : enrolment.mode !== "ambient");
                assert.deepStrictEqual(enrolment.notes, []);
                assert.strictEqual(plan.labels["istio.io/use-waypoint"], plan.meshPolicyNamespace.waypoint);
                assert.strictEqual(plan.steps.some((s) => s.key === "waypoint"), plan.meshPolicyNamespace.waypoint !== undefined);
            }),
            { numRuns: 300 },
        );
    });
});
