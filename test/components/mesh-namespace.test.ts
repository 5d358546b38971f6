import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { IstioMesh, MeshNamespace } from "meshguard";
import { byName, outputValue, plainInputs, recorder, registered, settle, urnOf, useMocks } from "../harness/mocks";
import { failedRegistrations } from "../harness/deferred-errors";

const COMPONENT = "meshguard:namespace:MeshNamespace";
const MESH = "meshguard:install:IstioMesh";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const NAMESPACE_PATCH = "kubernetes:core/v1:NamespacePatch";
const CHART = "kubernetes:helm.sh/v4:Chart";
const PEER_AUTHENTICATION = "kubernetes:security.istio.io/v1:PeerAuthentication";
const AUTHORIZATION_POLICY = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
const MANAGED = { "app.kubernetes.io/managed-by": "meshguard" };

const childUrn = (type: string, name: string, parent = "shop") => urnOf(type, name, urnOf(COMPONENT, parent));

function inventory(): string[] {
    return recorder.resources.map((r) => `${r.type}::${r.name}`).sort();
}

describe("MeshNamespace (component, mock runtime)", () => {
    before(async () => {
        await useMocks();
    });
    beforeEach(() => recorder.reset());

    it("registers a typed PERMISSIVE under the same child as STRICT, so the switch to STRICT is an in-place update", async () => {
        const ns = new MeshNamespace("shop", { name: "shop", mtls: "PERMISSIVE" });
        await registered(ns);
        assert.deepStrictEqual(inventory(), [
            `${NAMESPACE}::shop-namespace`,
            `${AUTHORIZATION_POLICY}::shop-default-deny`,
            `${PEER_AUTHENTICATION}::shop-mtls`,
            `${COMPONENT}::shop`,
        ]);
        assert.deepStrictEqual(plainInputs(byName("shop-mtls")), {
            apiVersion: "security.istio.io/v1",
            kind: "PeerAuthentication",
            metadata: { name: "default", namespace: "shop", labels: MANAGED },
            spec: { mtls: { mode: "PERMISSIVE" } },
        });
        assert.deepStrictEqual(byName("shop-mtls").dependencies, [childUrn(NAMESPACE, "shop-namespace")]);
    });

    it("creates an injected namespace with STRICT mTLS and allow-nothing", async () => {
        const ns = new MeshNamespace("shop", { name: "shop" });
        await registered(ns);
        assert.deepStrictEqual(inventory(), [
            `${NAMESPACE}::shop-namespace`,
            `${AUTHORIZATION_POLICY}::shop-default-deny`,
            `${PEER_AUTHENTICATION}::shop-mtls`,
            `${COMPONENT}::shop`,
        ]);
        for (const child of ["shop-namespace", "shop-mtls", "shop-default-deny"]) {
            assert.strictEqual(byName(child).parent, urnOf(COMPONENT, "shop"), child);
        }
        assert.deepStrictEqual(plainInputs(byName("shop-namespace")), {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: "shop", labels: { ...MANAGED, "istio-injection": "enabled" } },
        });
        assert.deepStrictEqual(plainInputs(byName("shop-mtls")), {
            apiVersion: "security.istio.io/v1",
            kind: "PeerAuthentication",
            metadata: { name: "default", namespace: "shop", labels: MANAGED },
            spec: { mtls: { mode: "STRICT" } },
        });
        assert.deepStrictEqual(plainInputs(byName("shop-default-deny")), {
            apiVersion: "security.istio.io/v1",
            kind: "AuthorizationPolicy",
            metadata: { name: "allow-nothing", namespace: "shop", labels: MANAGED },
            spec: {},
        });
        assert.deepStrictEqual(byName("shop-namespace").dependencies, []);
        assert.deepStrictEqual(byName("shop-mtls").dependencies, [childUrn(NAMESPACE, "shop-namespace")]);
        assert.deepStrictEqual(byName("shop-default-deny").dependencies, [childUrn(NAMESPACE, "shop-namespace")]);
        assert.strictEqual(await outputValue(ns.namespace), "shop");
        assert.deepStrictEqual(await outputValue(ns.labels), { "istio-injection": "enabled" });
        assert.deepStrictEqual(
            await Promise.all(ns.ready.map((r) => outputValue(r.urn))),
            [childUrn(NAMESPACE, "shop-namespace"), childUrn(PEER_AUTHENTICATION, "shop-mtls"), childUrn(AUTHORIZATION_POLICY, "shop-default-deny")],
        );
    });

    it("labels an existing namespace with a server-side-apply patch instead of taking it over", async () => {
        await registered(new MeshNamespace("shop", { name: "default", existing: true, injection: { revision: "canary" }, labels: { team: "web" } }));
        assert.deepStrictEqual(inventory(), [
            `${NAMESPACE_PATCH}::shop-namespace`,
            `${AUTHORIZATION_POLICY}::shop-default-deny`,
            `${PEER_AUTHENTICATION}::shop-mtls`,
            `${COMPONENT}::shop`,
        ]);
        assert.deepStrictEqual(plainInputs(byName("shop-namespace")), {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: "default", labels: { team: "web", "istio.io/rev": "canary" } },
        });
        assert.deepStrictEqual(byName("shop-mtls").dependencies, [childUrn(NAMESPACE_PATCH, "shop-namespace")]);
        assert.strictEqual((plainInputs(byName("shop-mtls"))["metadata"] as Record<string, unknown>)["namespace"], "default");
    });

    it("joins a mesh: takes its revision label and waits for istiod and the mesh-wide policy", async () => {
        const mesh = new IstioMesh("istio", { revision: "stable" });
        const ns = new MeshNamespace("shop", { name: "shop", mesh });
        await registered(mesh);
        await registered(ns);
        assert.deepStrictEqual(plainInputs(byName("shop-namespace"))["metadata"], {
            name: "shop",
            labels: { ...MANAGED, "istio.io/rev": "stable" },
        });
        const meshChild = (type: string, name: string) => urnOf(type, name, urnOf(MESH, "istio"));
        assert.deepStrictEqual(byName("shop-namespace").dependencies, [
            meshChild(CHART, "istio-istiod"),
            meshChild(PEER_AUTHENTICATION, "istio-mesh-mtls"),
        ]);
        assert.deepStrictEqual(byName("shop-mtls").dependencies, [childUrn(NAMESPACE, "shop-namespace")]);
    });

    it("opts a namespace out of injection only with every policy chosen explicitly", async () => {
        const mesh = new IstioMesh("istio");
        const ns = new MeshNamespace("legacy", { name: "legacy", injection: "disabled", mtls: false, defaultDeny: false, mesh });
        await registered(ns);
        assert.deepStrictEqual(
            recorder.resources.filter((r) => r.parent === urnOf(COMPONENT, "legacy")).map((r) => `${r.type}::${r.name}`),
            [`${NAMESPACE}::legacy-namespace`],
        );
        assert.deepStrictEqual(plainInputs(byName("legacy-namespace"))["metadata"], {
            name: "legacy",
            labels: { ...MANAGED, "istio-injection": "disabled" },
        });
    });

    describe("rejected input", () => {
        const NAME = 'must be a valid namespace name (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)';
        const EXPLICIT = 'must be set explicitly (true or false) when injection is "disabled": without sidecars this namespace\'s pods do not enforce it';
        const cases: [string, () => Record<string, unknown>, string[]][] = [
            ["an invalid name", () => ({ name: "Shop_1" }), [`name: ${NAME}`]],
            [
                "an unknown injection mode",
                () => ({ name: "shop", injection: "sidecar" }),
                ['injection: must be "enabled", "disabled" or {revision: "<name>"} (one injection mode; never both labels)'],
            ],
            [
                "an injection label next to a revision",
                () => ({ name: "shop", injection: { revision: "canary" }, labels: { "istio-injection": "enabled" } }),
                ['labels["istio-injection"]: is set by meshguard from `injection` (one injection mode per namespace); remove it from labels'],
            ],
            ["disabled injection with implicit policies", () => ({ name: "legacy", injection: "disabled" }), [`mtls: ${EXPLICIT}`, `defaultDeny: ${EXPLICIT}`]],
            [
                "an explicit mode next to a mesh",
                () => ({ name: "shop", injection: "enabled", mesh: new IstioMesh("istio", { revision: "canary" }) }),
                ['injection: must be omitted (or "disabled") when `mesh` is given: the namespace takes the mesh\'s injection label'],
            ],
            ["a mesh that is not an IstioMesh", () => ({ name: "shop", mesh: { injectionLabels: {} } }), ["mesh: must be an IstioMesh"]],
            [
                "existing given as an output",
                () => ({ name: "shop", existing: pulumi.output(true) }),
                ["existing: must be a plain value, not a Pulumi output or promise: it decides which resources are registered"],
            ],
        ];
        for (const [what, args, lines] of cases) {
            it(`throws synchronously and registers nothing for ${what}`, async () => {
                const built = args();
                await settle();
                recorder.reset(); // only what MeshNamespace registers counts (a mesh built above is not its doing)
                assert.throws(() => new MeshNamespace("shop", built as never), {
                    name: "MeshguardValidationError",
                    message: [`invalid MeshNamespace "shop" args:`, ...lines.map((l) => `  - ${l}`)].join("\n"),
                });
                await settle();
                assert.deepStrictEqual(recorder.resources, []);
            });
        }
    });

    describe("args given as Pulumi outputs", () => {
        it("uses them once known", async () => {
            const ns = new MeshNamespace("shop", { name: pulumi.output("shop"), injection: { revision: pulumi.output("green") }, labels: pulumi.output({ team: "web" }) });
            await registered(ns);
            assert.deepStrictEqual(plainInputs(byName("shop-namespace"))["metadata"], {
                name: "shop",
                labels: { ...MANAGED, team: "web", "istio.io/rev": "green" },
            });
            assert.deepStrictEqual((plainInputs(byName("shop-default-deny"))["metadata"] as Record<string, unknown>)["namespace"], "shop");
        });

        it("rejects a bad value once known, with the same message, from the registrations", async () => {
            const expected = `invalid MeshNamespace "shop" args:\n  - name: must be a valid namespace name (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)`;
            const failures = await failedRegistrations(() => new MeshNamespace("shop", { name: pulumi.output("Shop") }));
            assert.ok(failures.length > 0, "expected failed registrations");
            for (const message of failures) assert.ok(message.endsWith(expected), message);
            assert.deepStrictEqual(inventory(), [`${COMPONENT}::shop`]);
        });
    });
});
