import * as assert from "assert";
import { StackValidationPolicy } from "@pulumi/policy";
import { k8s, ownMessage, policyNamed, resource, runStackPolicy, TestResource, UNKNOWN } from "./harness";
import { authorizationPolicy, deployment, MESH_LABELS, namespace, peerAuthentication, requestAuthentication, secureStack } from "./fixtures";

const stackPolicy = (name: string) => policyNamed<StackValidationPolicy>(name);

/** Resources registered under a component, as MeshNamespace's children are. */
function underComponent(children: TestResource[]): TestResource[] {
    const component = resource("meshguard:index:MeshNamespace", "shop", {});
    return [component, ...children.map((c) => ({ ...c, parent: component.urn, dependencies: [component.urn] }))];
}

describe("policy pack: stack policies (direct)", () => {
    it("the secure baseline passes every stack policy", async () => {
        for (const name of ["namespace-sidecar-injection", "mesh-default-deny", "mesh-strict-mtls-coverage", "request-authentication-requires-principals", "policy-references-exist"]) {
            assert.deepStrictEqual((await runStackPolicy(stackPolicy(name), secureStack())).violations, [], name);
        }
    });

    it("reports a missing allow-nothing on the namespace resource, with its URN", async () => {
        const stack = underComponent([namespace("shop", MESH_LABELS), peerAuthentication("shop", "default", { mtls: { mode: "STRICT" } }), deployment("shop", "web")]);
        const run = await runStackPolicy(stackPolicy("mesh-default-deny"), stack);
        assert.deepStrictEqual(
            run.violations.map((v) => [v.urn, v.enforcementLevel, ownMessage(v)]),
            [
                [
                    stack[1].urn,
                    "mandatory",
                    "Namespace shop: AuthorizationPolicy shop/allow-nothing: is missing: without an allow-nothing policy, every workload that no ALLOW policy selects accepts requests from any caller. Fix: add an AuthorizationPolicy with spec: {} in shop (MeshNamespace/MeshPolicy emit one), or one in the root namespace istio-system for the whole mesh.",
                ],
            ],
        );
    });

    it("accepts a mesh-wide allow-nothing in the configured root namespace", async () => {
        const stack = [namespace("shop", MESH_LABELS), deployment("shop", "web"), authorizationPolicy("mesh-root", "allow-nothing", {})];
        assert.strictEqual((await runStackPolicy(stackPolicy("mesh-default-deny"), stack)).violations.length, 1);
        assert.deepStrictEqual((await runStackPolicy(stackPolicy("mesh-default-deny"), stack, { rootNamespace: "mesh-root" })).violations, []);
    });

    it("merges the labels of a Namespace and a NamespacePatch", async () => {
        const patch = k8s({ apiVersion: "v1", kind: "NamespacePatch", metadata: { name: "shop", labels: MESH_LABELS } });
        const stack = [namespace("shop"), patch, deployment("shop", "web")];
        assert.deepStrictEqual((await runStackPolicy(stackPolicy("namespace-sidecar-injection"), stack)).violations, []);
    });

    it("reports a namespace-wide PERMISSIVE that overrides mesh-wide STRICT", async () => {
        const stack = [...secureStack(), peerAuthentication("shop", "default", { mtls: { mode: "PERMISSIVE" } })];
        const run = await runStackPolicy(stackPolicy("mesh-strict-mtls-coverage"), stack);
        assert.deepStrictEqual(run.violations.map(ownMessage), [
            "Namespace shop: PeerAuthentication shop/default: sets mode PERMISSIVE for the whole namespace, overriding the mesh-wide policy, so it accepts plaintext. Fix: add a PeerAuthentication with mtls.mode STRICT and no selector in istio-system (IstioMesh does) or in shop (MeshNamespace does).",
        ]);
    });

    it("reports a second namespace-wide PeerAuthentication (only the oldest is honoured)", async () => {
        const stack = [...secureStack(), peerAuthentication("shop", "a", { mtls: { mode: "STRICT" } }), peerAuthentication("shop", "b", { mtls: { mode: "STRICT" } })];
        const run = await runStackPolicy(stackPolicy("mesh-strict-mtls-coverage"), stack);
        assert.deepStrictEqual(run.violations.map((v) => ownMessage(v).split(": ").slice(0, 2).join(": ")), ["PeerAuthentication shop/b: spec.selector"]);
    });

    it("reports a resource whose fields are unknown at preview as advisory and checks the rest", async () => {
        const unknownNs = k8s({ apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "allow-nothing", namespace: UNKNOWN }, spec: {} });
        const stack = [namespace("shop", MESH_LABELS), peerAuthentication("shop", "default", { mtls: { mode: "STRICT" } }), deployment("shop", "web"), unknownNs];
        const run = await runStackPolicy(stackPolicy("mesh-default-deny"), stack);
        assert.deepStrictEqual(
            run.violations.map((v) => [v.enforcementLevel, v.urn, ownMessage(v).split(": ").slice(0, 2).join(": ")]),
            [
                ["advisory", unknownNs.urn, `kubernetes:security.istio.io/v1:AuthorizationPolicy ${unknownNs.name}: can't be verified during preview`],
                ["mandatory", stack[0].urn, "Namespace shop: AuthorizationPolicy shop/allow-nothing"],
            ],
        );
        assert.match(run.violations[0].message, /string value at \.metadata\.namespace can't be known during preview/);
    });

    it("exempts namespaces by config", async () => {
        const stack = [namespace("legacy"), deployment("legacy", "old")];
        assert.strictEqual((await runStackPolicy(stackPolicy("namespace-sidecar-injection"), stack)).violations.length, 1);
        assert.deepStrictEqual((await runStackPolicy(stackPolicy("namespace-sidecar-injection"), stack, { exemptNamespaces: ["legacy"] })).violations, []);
        assert.deepStrictEqual((await runStackPolicy(stackPolicy("namespace-sidecar-injection"), stack, { injectionExemptNamespaces: ["legacy"] })).violations, []);
    });

    it("pairs a RequestAuthentication only with policies covering the same workloads", async () => {
        const ra = requestAuthentication("shop", "jwt", { selector: { matchLabels: { app: "api" } }, jwtRules: [{ issuer: "https://id.example.com", jwksUri: "https://id.example.com/jwks" }] });
        const requiring = (selector: Record<string, string> | undefined, ns = "shop") =>
            authorizationPolicy(ns, "jwt", { ...(selector ? { selector: { matchLabels: selector } } : {}), rules: [{ from: [{ source: { requestPrincipals: ["https://id.example.com/*"] } }] }] });
        const policy = stackPolicy("request-authentication-requires-principals");
        assert.deepStrictEqual((await runStackPolicy(policy, [ra, requiring({ app: "api" })])).violations, []);
        assert.deepStrictEqual((await runStackPolicy(policy, [ra, requiring(undefined)])).violations, []);
        assert.deepStrictEqual((await runStackPolicy(policy, [ra, requiring(undefined, "istio-system")])).violations, []);
        const other = await runStackPolicy(policy, [ra, requiring({ app: "web" })]);
        assert.deepStrictEqual(other.violations.map((v) => [v.enforcementLevel, v.urn]), [["advisory", ra.urn]]);
    });

    it("judges selectors only where the stack deploys workloads", async () => {
        const policy = stackPolicy("policy-references-exist");
        const typo = authorizationPolicy("shop", "api", { selector: { matchLabels: { app: "apii" } }, rules: [{ from: [{ source: { namespaces: ["shop"] } }] }] });
        assert.deepStrictEqual((await runStackPolicy(policy, [namespace("shop", MESH_LABELS), typo])).violations, []);
        const run = await runStackPolicy(policy, [namespace("shop", MESH_LABELS), deployment("shop", "api", { labels: { app: "api" } }), typo]);
        assert.deepStrictEqual(run.violations.map(ownMessage), [
            "AuthorizationPolicy shop/api: spec.selector.matchLabels: app=apii matches none of the 1 workload(s) this stack deploys in shop, so the policy protects nothing; their pod templates carry: Deployment shop/api (app=api). Fix: correct the labels to those of the workload's pod template.",
        ]);
    });
});
