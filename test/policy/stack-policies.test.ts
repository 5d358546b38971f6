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

    it("does not count an allow-nothing annotated istio.io/dry-run: \"1\" (Go ParseBool) as enforced default deny", async () => {
        const withDryRun = (value: string) => [
            namespace("shop", MESH_LABELS),
            deployment("shop", "web"),
            authorizationPolicy("shop", "allow-nothing", {}, { annotations: { "istio.io/dry-run": value } }),
        ];
        for (const value of ["1", "t", "TRUE", "True", "yes"]) {
            assert.deepStrictEqual((await runStackPolicy(stackPolicy("mesh-default-deny"), withDryRun(value))).violations.length, 1, value);
        }
        for (const value of ["0", "false", "F"]) {
            assert.deepStrictEqual((await runStackPolicy(stackPolicy("mesh-default-deny"), withDryRun(value))).violations, [], value);
        }
    });

    it("counts a namespace whose pods opt in themselves (label sidecar.istio.io/inject=true) as a mesh namespace", async () => {
        const stack = [namespace("shop"), deployment("shop", "web", { labels: { app: "web", "sidecar.istio.io/inject": "true" } })];
        assert.deepStrictEqual((await runStackPolicy(stackPolicy("namespace-sidecar-injection"), stack)).violations, []);
        const deny = await runStackPolicy(stackPolicy("mesh-default-deny"), stack);
        const mtls = await runStackPolicy(stackPolicy("mesh-strict-mtls-coverage"), stack);
        assert.deepStrictEqual([deny.violations.map(ownMessage), mtls.violations.length], [
            [
                "Namespace shop: AuthorizationPolicy shop/allow-nothing: is missing: without an allow-nothing policy, every workload that no ALLOW policy selects accepts requests from any caller. Fix: add an AuthorizationPolicy with spec: {} in shop (MeshNamespace/MeshPolicy emit one), or one in the root namespace istio-system for the whole mesh.",
            ],
            1,
        ]);
    });

    it("does not report istio-injection=disabled with istio.io/rev as conflicting labels (disabled wins)", async () => {
        const stack = [namespace("legacy", { "istio-injection": "disabled", "istio.io/rev": "canary" }), deployment("legacy", "old")];
        const run = await runStackPolicy(stackPolicy("namespace-sidecar-injection"), stack);
        assert.deepStrictEqual(run.violations.map(ownMessage), [
            'Namespace legacy: metadata.labels["istio-injection"]: sidecar injection is disabled, so Deployment legacy/old runs outside the mesh without mTLS or authorization. Fix: label the namespace istio-injection=enabled (or istio.io/rev=<revision>), then restart its workloads.',
        ]);
    });

    it("names an unknown istio.io/dataplane-mode value instead of calling it no label", async () => {
        const stack = [namespace("shop", { "istio.io/dataplane-mode": "other" }), deployment("shop", "web")];
        const run = await runStackPolicy(stackPolicy("namespace-sidecar-injection"), stack);
        assert.deepStrictEqual(run.violations.map(ownMessage), [
            'Namespace shop: metadata.labels["istio.io/dataplane-mode"]: has the unknown value "other" (istio-cni enrols only "ambient", exactly), so it enrols nothing. Fix: set istio.io/dataplane-mode=ambient, or remove the label.',
            'Namespace shop: metadata.labels["istio-injection"]: no sidecar injection or ambient label is set and the pods do not opt in (label sidecar.istio.io/inject=true), so Deployment shop/web runs outside the mesh without mTLS or authorization. Fix: label the namespace istio-injection=enabled (or istio.io/rev=<revision>), then restart its workloads.',
        ]);
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
        const web = requiring({ app: "web" });
        const other = await runStackPolicy(policy, [ra, web]);
        // The app=web policy is also reported: no RequestAuthentication applies to app=web (see below).
        assert.deepStrictEqual(other.violations.map((v) => [v.enforcementLevel, v.urn]), [["advisory", ra.urn], ["advisory", web.urn]]);
    });

    // issue 10 item 2: requestPrincipals: ["*"] is "any valid token", judged by the RequestAuthentications that apply.
    it("reports token-requiring ALLOW rules on workloads no RequestAuthentication applies to (they never match)", async () => {
        const policy = stackPolicy("request-authentication-requires-principals");
        const anyToken = authorizationPolicy("shop", "any-token", { selector: { matchLabels: { app: "api" } }, rules: [{ from: [{ source: { requestPrincipals: ["*"] } }] }] });
        const run = await runStackPolicy(policy, [anyToken]);
        assert.deepStrictEqual(run.violations.map((v) => [v.enforcementLevel, v.urn, ownMessage(v)]), [
            [
                "advisory",
                anyToken.urn,
                'AuthorizationPolicy shop/any-token: spec.rules[0].from[0].source.requestPrincipals: requires a validated request token, but no RequestAuthentication in "shop" or the root namespace "istio-system" applies to the workloads this policy selects, so no request ever carries one and the rule never matches (it allows nothing; requestPrincipals: ["*"] means "any valid token", not "anyone"). Fix: add a RequestAuthentication for these workloads that lists the accepted issuers, or remove the rule.',
            ],
        ]);
        const ra = requestAuthentication("shop", "jwt", { selector: { matchLabels: { app: "api" } }, jwtRules: [{ issuer: "https://id.example.com", jwksUri: "https://id.example.com/jwks" }] });
        const meshWide = requestAuthentication("istio-system", "jwt", { jwtRules: [{ issuer: "https://id.example.com", jwksUri: "https://id.example.com/jwks" }] });
        assert.deepStrictEqual((await runStackPolicy(policy, [ra, anyToken])).violations, []);
        // (The mesh-wide RequestAuthentication itself is reported: no policy covers all of its workloads.)
        assert.deepStrictEqual((await runStackPolicy(policy, [meshWide, anyToken])).violations.map((v) => v.urn), [meshWide.urn]);
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

describe("policy pack: mesh-baseline-single-owner (issue 12)", () => {
    const policy = () => stackPolicy("mesh-baseline-single-owner");

    it("refuses two allow-nothing AuthorizationPolicies in one namespace, naming both and the fix", async () => {
        const stack = [...secureStack(), authorizationPolicy("shop", "allow-nothing", {}), authorizationPolicy("shop", "deny-by-default", {})];
        const run = await runStackPolicy(policy(), stack);
        assert.deepStrictEqual(
            run.violations.map((v) => [v.enforcementLevel, v.urn, ownMessage(v)]),
            [
                [
                    "mandatory",
                    stack[stack.length - 1].urn,
                    "AuthorizationPolicy shop/deny-by-default: spec: is one of 2 allow-nothing AuthorizationPolicies (namespace-wide) in shop (shop/allow-nothing and shop/deny-by-default): Istio applies all of them (allow-nothing policies add up), so the namespace's default deny has two owners: removing it from one changes nothing, and the two drift apart unnoticed. Fix: keep one owner: when a MeshNamespace and a MeshPolicy both emit it, give MeshPolicy `mtls: \"inherit\", defaultDeny: false`, or MeshNamespace `mtls: false, defaultDeny: false`; otherwise delete the extra object.",
                ],
            ],
        );
    });

    it("refuses two namespace-wide PeerAuthentications and says the oldest (same second: first by name) is honoured", async () => {
        const stack = [...secureStack(), peerAuthentication("shop", "default", { mtls: { mode: "STRICT" } }), peerAuthentication("shop", "a-permissive", { mtls: { mode: "PERMISSIVE" } }), peerAuthentication("shop", "z", { selector: { matchLabels: {} } })];
        const run = await runStackPolicy(policy(), stack);
        assert.deepStrictEqual(run.violations.map((v) => ownMessage(v).split(": Istio")[0]), [
            "PeerAuthentication shop/default: spec.selector: is one of 3 namespace-wide PeerAuthentications in shop (shop/a-permissive, shop/default and shop/z)",
            "PeerAuthentication shop/z: spec.selector: is one of 3 namespace-wide PeerAuthentications in shop (shop/a-permissive, shop/default and shop/z)",
        ]);
        assert.match(ownMessage(run.violations[0]), /Istio honours only the oldest by creation time and ignores the others; created in the same second \(one deployment\), shop\/a-permissive wins by name order/);
    });

    it("refuses two mesh-wide PeerAuthentications in the root namespace and one object declared by two resources", async () => {
        const twice = [peerAuthentication("istio-system", "default", { mtls: { mode: "STRICT" } }), { ...peerAuthentication("istio-system", "default", { mtls: { mode: "STRICT" } }), urn: "urn:second", name: "second" }];
        const run = await runStackPolicy(policy(), twice);
        assert.deepStrictEqual(run.violations.map((v) => [v.urn, ownMessage(v).split(". Fix")[0]]), [
            [
                "urn:second",
                "PeerAuthentication istio-system/default: spec.selector: is one of 2 mesh-wide PeerAuthentications in istio-system (istio-system/default and istio-system/default): they are one Kubernetes object (istio-system/default) declared by 2 resources: the second create fails, and deleting either resource deletes the object the other one relies on",
            ],
        ]);
    });

    it("the secure baseline and selector-scoped policies pass", async () => {
        const scoped = [...secureStack(), peerAuthentication("shop", "api", { selector: { matchLabels: { app: "api" } }, mtls: { mode: "STRICT" } }), authorizationPolicy("shop", "api", { selector: { matchLabels: { app: "api" } } })];
        assert.deepStrictEqual((await runStackPolicy(policy(), scoped)).violations, []);
    });
});

describe("policy pack: policy-references-exist", () => {
    const policy = () => stackPolicy("policy-references-exist");

    it("a namespace the stack creates with labels unknown at preview exists (issue 10 item 16)", async () => {
        const created = k8s({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: UNKNOWN } });
        const pa = peerAuthentication("shop", "default", { mtls: { mode: "STRICT" } });
        const run = await runStackPolicy(policy(), [created, pa]);
        assert.deepStrictEqual(
            run.violations.map((v) => [v.enforcementLevel, v.urn]),
            [["advisory", created.urn]],
        );
        assert.match(run.violations[0].message, /can't be verified during preview: string value at \.metadata\.labels can't be known during preview/);
        const missing = await runStackPolicy(policy(), [pa]);
        assert.deepStrictEqual(missing.violations.map(ownMessage), [
            "PeerAuthentication shop/default: metadata.namespace: namespace shop is not created or labelled by this stack. Fix: create the namespace in the stack (MeshNamespace) or correct metadata.namespace.",
        ]);
    });

    it("reports namespace patterns in namespaces/notNamespaces that match no namespace of the stack (issue 11)", async () => {
        const ap = authorizationPolicy("shop", "api", {
            rules: [{ from: [{ source: { namespaces: ["bogus-*", "sho*", "*"] } }, { source: { principals: ["cluster.local/ns/shop/sa/web"], notNamespaces: ["*-bogus", "*op", "nowhere"] } }] }],
        });
        const run = await runStackPolicy(policy(), [namespace("shop", MESH_LABELS), ap]);
        assert.deepStrictEqual(run.violations.map(ownMessage), [
            "AuthorizationPolicy shop/api: spec.rules[0].from[0].source.namespaces[0]: pattern bogus-* matches none of the namespaces this stack creates or labels, so the rule may admit nobody. Fix: correct the namespace name.",
            "AuthorizationPolicy shop/api: spec.rules[0].from[1].source.notNamespaces[0]: pattern *-bogus matches none of the namespaces this stack creates or labels, so it excludes nobody. Fix: correct the namespace name, or remove it.",
            "AuthorizationPolicy shop/api: spec.rules[0].from[1].source.notNamespaces[2]: namespace nowhere is not created or labelled by this stack, so it excludes nobody. Fix: correct the namespace name, or remove it.",
        ]);
    });
});
