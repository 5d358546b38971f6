import * as assert from "assert";
import { compileMeshNamespace, meshNamespaceLayout, namespaceInjectionLabels } from "../../components/compile/namespace";
import { checkInjectionWithMesh, meshNamespaceArgsSchema, MeshNamespaceSettings } from "../../components/model/namespace";
import { parseOrThrow } from "../../components/validation/validate";

const MANAGED = { "app.kubernetes.io/managed-by": "meshguard" };
const STRICT = (ns: string) => ({
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    metadata: { name: "default", namespace: ns, labels: MANAGED },
    spec: { mtls: { mode: "STRICT" } },
});
const ALLOW_NOTHING = (ns: string) => ({
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name: "allow-nothing", namespace: ns, labels: MANAGED },
    spec: {},
});

function settings(args: unknown): MeshNamespaceSettings {
    return parseOrThrow(meshNamespaceArgsSchema, args, "MeshNamespace args");
}

describe("namespace model (MeshNamespace args)", () => {
    it("applies the documented defaults", () => {
        assert.deepStrictEqual(settings({ name: "shop" }), { name: "shop", existing: false, labels: {} });
    });

    const NAME = 'must be a valid namespace name (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)';
    const INJECTION = 'must be "enabled", "disabled" or {revision: "<name>"} (one injection mode; never both labels)';
    const EXPLICIT = 'must be set explicitly (true or false) when injection is "disabled": without sidecars this namespace\'s pods do not enforce it';
    const cases: [string, unknown, string[]][] = [
        ["a missing name", {}, [`name: ${NAME}`]],
        ["an invalid name", { name: "Shop" }, [`name: ${NAME}`]],
        ["an unknown injection mode", { name: "shop", injection: "on" }, [`injection: ${INJECTION}`]],
        ["a boolean injection", { name: "shop", injection: true }, [`injection: ${INJECTION}`]],
        ["both injection modes at once", { name: "shop", injection: { enabled: true, revision: "canary" } }, ["injection.enabled: unknown field (not part of the schema; check its spelling)"]],
        [
            "an invalid revision",
            { name: "shop", injection: { revision: "1.30" } },
            ['injection.revision: must be a revision name (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters); omit it for the default control plane'],
        ],
        [
            "injection labels smuggled through labels",
            { name: "shop", labels: { "istio-injection": "enabled", "istio.io/rev": "canary", "istio.io/dataplane-mode": "ambient" } },
            [
                "labels[\"istio-injection\"]: is set by meshguard from `injection` (one injection mode per namespace); remove it from labels",
                "labels[\"istio.io/rev\"]: is set by meshguard from `injection` (one injection mode per namespace); remove it from labels",
                'labels["istio.io/dataplane-mode"]: is set by meshguard from `dataplane` (one data plane per namespace); remove it from labels and set dataplane: "ambient"',
            ],
        ],
        ["a non-string label value", { name: "shop", labels: { team: 7 } }, ["labels.team: must be a string label value"]],
        [
            "issue 10 item 4: label keys a plain object loses (__proto__, constructor)",
            JSON.parse('{"name":"shop","labels":{"__proto__":"x","constructor":"y","team":"a"}}'),
            [
                'labels.__proto__: the key "__proto__" is not allowed: it names a JavaScript object built-in and would be dropped or misread when copied into a plain object (rename it)',
                'labels.constructor: the key "constructor" is not allowed: it names a JavaScript object built-in and would be dropped or misread when copied into a plain object (rename it)',
            ],
        ],
        [
            "an invalid label key",
            { name: "shop", labels: { "team name": "a" } },
            [`labels["team name"]: key "team name" is not a valid label key (an optional DNS prefix of at most 253 characters and '/', then alphanumerics, '-', '_' or '.', at most 63 characters)`],
        ],
        ["disabled injection with implicit policies", { name: "legacy", injection: "disabled" }, [`mtls: ${EXPLICIT}`, `defaultDeny: ${EXPLICIT}`]],
        ["disabled injection with one implicit policy", { name: "legacy", injection: "disabled", mtls: false }, [`defaultDeny: ${EXPLICIT}`]],
        ["a non-boolean existing", { name: "shop", existing: "yes" }, ["existing: must be true or false (label an existing namespace instead of creating it)"]],
        ["an unknown field", { name: "shop", istioInjection: "enabled" }, ["istioInjection: unknown field (not part of the schema; check its spelling)"]],
        [
            "an mTLS mode Istio does not spell that way",
            { name: "shop", mtls: "permissive" },
            ['mtls: must be true or "STRICT" (namespace-wide STRICT PeerAuthentication), "PERMISSIVE" (during a migration to STRICT) or false (none)'],
        ],
        [
            "an mTLS mode that weakens more than a migration needs",
            { name: "shop", mtls: "DISABLE" },
            ['mtls: must be true or "STRICT" (namespace-wide STRICT PeerAuthentication), "PERMISSIVE" (during a migration to STRICT) or false (none)'],
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

    it("accepts disabled injection when both policies are chosen explicitly", () => {
        assert.deepStrictEqual(settings({ name: "legacy", injection: "disabled", mtls: false, defaultDeny: true }), {
            name: "legacy",
            injection: "disabled",
            existing: false,
            labels: {},
            mtls: false,
            defaultDeny: true,
        });
    });

    it("rejects an explicit injection mode next to a mesh, except disabled", () => {
        const issue = {
            path: "injection",
            message: 'must be omitted (or "disabled") when `mesh` is given: the namespace takes the mesh\'s injection label',
        };
        assert.deepStrictEqual(checkInjectionWithMesh("enabled", true), [issue]);
        assert.deepStrictEqual(checkInjectionWithMesh({ revision: "canary" }, true), [issue]);
        assert.deepStrictEqual(checkInjectionWithMesh("disabled", true), []);
        assert.deepStrictEqual(checkInjectionWithMesh(undefined, true), []);
        assert.deepStrictEqual(checkInjectionWithMesh("enabled", false), []);
    });
});

describe("namespaceInjectionLabels", () => {
    it("sets exactly one injection label", () => {
        assert.deepStrictEqual(namespaceInjectionLabels("enabled"), { "istio-injection": "enabled" });
        assert.deepStrictEqual(namespaceInjectionLabels("disabled"), { "istio-injection": "disabled" });
        assert.deepStrictEqual(namespaceInjectionLabels({ revision: "canary" }), { "istio.io/rev": "canary" });
        assert.deepStrictEqual(namespaceInjectionLabels(undefined), { "istio-injection": "enabled" });
        assert.deepStrictEqual(namespaceInjectionLabels(undefined, { "istio.io/rev": "stable" }), { "istio.io/rev": "stable" });
        assert.deepStrictEqual(namespaceInjectionLabels("disabled", { "istio.io/rev": "stable" }), { "istio-injection": "disabled" });
    });
});

describe("meshNamespaceLayout", () => {
    it("puts both policies after the namespace by default", () => {
        assert.deepStrictEqual(
            meshNamespaceLayout({ existing: false }).map((s) => [s.key, s.kind, s.suffix, s.dependsOn]),
            [
                ["namespace", "namespace", "namespace", []],
                ["mtls", "manifest", "mtls", ["namespace"]],
                ["defaultDeny", "manifest", "default-deny", ["namespace"]],
            ],
        );
    });

    it("patches an existing namespace and leaves out what is switched off", () => {
        assert.deepStrictEqual(
            meshNamespaceLayout({ existing: true, mtls: false, defaultDeny: false }).map((s) => [s.key, s.kind]),
            [["namespace", "namespacePatch"]],
        );
    });
});

describe("compileMeshNamespace", () => {
    it("creates a default-deny, STRICT namespace with sidecar injection", () => {
        const plan = compileMeshNamespace(settings({ name: "shop", labels: { team: "payments" } }));
        assert.deepStrictEqual(plan, {
            name: "shop",
            meshPolicyNamespace: { dataplane: "sidecar" },
            labels: { team: "payments", "istio-injection": "enabled" },
            steps: [
                {
                    key: "namespace",
                    kind: "namespace",
                    suffix: "namespace",
                    dependsOn: [],
                    manifest: {
                        apiVersion: "v1",
                        kind: "Namespace",
                        metadata: { name: "shop", labels: { ...MANAGED, team: "payments", "istio-injection": "enabled" } },
                    },
                },
                {
                    key: "mtls",
                    kind: "manifest",
                    suffix: "mtls",
                    dependsOn: ["namespace"],
                    apiVersion: "security.istio.io/v1",
                    manifestKind: "PeerAuthentication",
                    manifest: STRICT("shop"),
                },
                {
                    key: "defaultDeny",
                    kind: "manifest",
                    suffix: "default-deny",
                    dependsOn: ["namespace"],
                    apiVersion: "security.istio.io/v1",
                    manifestKind: "AuthorizationPolicy",
                    manifest: ALLOW_NOTHING("shop"),
                },
            ],
        });
    });

    it("patches only its labels onto an existing namespace, without a managed-by claim", () => {
        const plan = compileMeshNamespace(settings({ name: "default", existing: true, injection: { revision: "canary" } }));
        assert.deepStrictEqual(plan.steps[0], {
            key: "namespace",
            kind: "namespacePatch",
            suffix: "namespace",
            dependsOn: [],
            manifest: { apiVersion: "v1", kind: "Namespace", metadata: { name: "default", labels: { "istio.io/rev": "canary" } } },
        });
        assert.deepStrictEqual(plan.labels, { "istio.io/rev": "canary" });
    });

    it("follows the mesh's injection label when none is given", () => {
        const plan = compileMeshNamespace(settings({ name: "shop" }), { "istio.io/rev": "1-30-3" });
        assert.deepStrictEqual(plan.labels, { "istio.io/rev": "1-30-3" });
        assert.deepStrictEqual(plan.steps[0].manifest.metadata.labels, { ...MANAGED, "istio.io/rev": "1-30-3" });
    });

    it("emits an explicit, typed PERMISSIVE under the same object name as STRICT (a migration updates it in place)", () => {
        const permissive = compileMeshNamespace(settings({ name: "legacy", mtls: "PERMISSIVE" }));
        const strict = compileMeshNamespace(settings({ name: "legacy", mtls: "STRICT" }));
        const mtlsStep = (plan: typeof strict) => plan.steps.find((step) => step.key === "mtls");
        assert.deepStrictEqual(mtlsStep(permissive), {
            key: "mtls",
            kind: "manifest",
            suffix: "mtls",
            dependsOn: ["namespace"],
            apiVersion: "security.istio.io/v1",
            manifestKind: "PeerAuthentication",
            manifest: { ...STRICT("legacy"), spec: { mtls: { mode: "PERMISSIVE" } } },
        });
        assert.deepStrictEqual(mtlsStep(strict)?.manifest, STRICT("legacy"));
        assert.deepStrictEqual(compileMeshNamespace(settings({ name: "legacy", mtls: true })), strict);
    });

    it("emits only what was chosen for an uninjected namespace", () => {
        const plan = compileMeshNamespace(settings({ name: "legacy", injection: "disabled", mtls: false, defaultDeny: true }));
        assert.deepStrictEqual(
            plan.steps.map((s) => s.manifest),
            [
                { apiVersion: "v1", kind: "Namespace", metadata: { name: "legacy", labels: { ...MANAGED, "istio-injection": "disabled" } } },
                ALLOW_NOTHING("legacy"),
            ],
        );
    });
});
