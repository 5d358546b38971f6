import * as assert from "assert";
import { MeshguardValidationError } from "../../components/errors";
import { AuthorizationSimulator, Decision, SimRequest, simulateRequest } from "../../components/simulate";
import { authz, shop, webPrincipal, workload } from "./fixtures";

function decide(manifests: unknown[], request: Partial<SimRequest> & Pick<SimRequest, "to">, rootNamespace?: string): Decision {
    return simulateRequest({ manifests, workloads: shop, rootNamespace }, { from: { workload: "shop/web" }, ...request });
}

const allowWebToCart = authz("shop", "cart", {
    selector: { matchLabels: { app: "cart" } },
    rules: [{ from: [{ source: { principals: [webPrincipal] } }], to: [{ operation: { methods: ["GET"], paths: ["/api/*"] } }] }],
});

describe("simulator: decision order", () => {
    it("allows when no policy applies (Istio's default), over PERMISSIVE mTLS", () => {
        const d = decide([], { to: "shop/cart" });
        assert.strictEqual(d.verdict, "allowed");
        assert.strictEqual(d.stage, "no-allow-policy");
        assert.strictEqual(d.reason, "No ALLOW policy selects shop/cart and no DENY policy matched, so Istio allows the request.");
        assert.deepStrictEqual(d.mtls, { mode: "PERMISSIVE", from: undefined, used: true });
        assert.strictEqual(d.peerPrincipal, webPrincipal);
    });

    it("denies everything under allow-nothing (spec: {})", () => {
        const d = decide([authz("shop", "allow-nothing", {})], { to: "shop/cart" });
        assert.strictEqual(d.verdict, "denied");
        assert.strictEqual(d.stage, "no-allow-match");
        assert.strictEqual(d.reason, "1 ALLOW policy selects shop/cart (shop/allow-nothing) and no rule of it matches the request.");
    });

    it("allows when an ALLOW rule matches and names the policy and rule", () => {
        const d = decide([authz("shop", "allow-nothing", {}), allowWebToCart], { to: "shop/cart", path: "/api/items" });
        assert.strictEqual(d.verdict, "allowed");
        assert.deepStrictEqual(d.policy, { kind: "AuthorizationPolicy", namespace: "shop", name: "cart", action: "ALLOW", rule: 0 });
        assert.strictEqual(d.reason, "ALLOW policy shop/cart rule 0 matches the request.");
    });

    it("DENY wins over a matching ALLOW", () => {
        const deny = authz("shop", "no-delete", { action: "DENY", rules: [{ to: [{ operation: { methods: ["GET"], ports: ["8080"] } }] }] });
        const d = decide([allowWebToCart, deny], { to: "shop/cart", path: "/api/items" });
        assert.strictEqual(d.verdict, "denied");
        assert.strictEqual(d.stage, "deny");
        assert.deepStrictEqual(d.policy, { kind: "AuthorizationPolicy", namespace: "shop", name: "no-delete", action: "DENY", rule: 0 });
    });

    it("CUSTOM is delegated: unknown when the rest would allow, denied when DENY or ALLOW denies anyway", () => {
        const custom = authz("shop", "ext", { action: "CUSTOM", provider: { name: "opa" }, rules: [{ to: [{ operation: { paths: ["/api/*"] } }] }] });
        const d = decide([custom, allowWebToCart], { to: "shop/cart", path: "/api/x" });
        assert.strictEqual(d.verdict, "unknown");
        assert.strictEqual(d.stage, "custom");
        assert.strictEqual(
            d.reason,
            'CUSTOM policy shop/ext rule 0 matches, so extension provider "opa" decides; if it allows: ALLOW policy shop/cart rule 0 matches the request.',
        );
        assert.strictEqual(decide([custom, allowWebToCart], { to: "shop/cart", path: "/api/x", method: "POST" }).verdict, "denied");
        assert.strictEqual(decide([custom, allowWebToCart], { to: "shop/cart", path: "/other" }).verdict, "denied");
        assert.strictEqual(decide([custom], { to: "shop/cart", path: "/other" }).verdict, "allowed");
    });

    it("AUDIT policies never change the decision", () => {
        const audit = authz("shop", "audit", { action: "AUDIT", rules: [{}] });
        assert.strictEqual(decide([audit], { to: "shop/cart" }).verdict, "allowed");
        assert.strictEqual(decide([audit, authz("shop", "allow-nothing", {})], { to: "shop/cart" }).verdict, "denied");
    });

    it("reports dry-run policies without enforcing them", () => {
        const dry = authz("shop", "try-deny", { action: "DENY", rules: [{}] }, { annotations: { "istio.io/dry-run": "true" } });
        const d = decide([dry], { to: "shop/cart" });
        assert.strictEqual(d.verdict, "allowed");
        assert.deepStrictEqual(d.dryRun, [
            { policy: { kind: "AuthorizationPolicy", namespace: "shop", name: "try-deny", action: "DENY", rule: 0 }, matched: "match" },
        ]);
        const dryAllow = authz("shop", "try-allow", { rules: [{ from: [{ source: { namespaces: ["ops"] } }] }] }, { annotations: { "istio.io/dry-run": "true" } });
        // A dry-run ALLOW does not count as "an ALLOW policy applies".
        assert.strictEqual(decide([dryAllow], { to: "shop/cart" }).verdict, "allowed");
    });
});

describe("simulator: scope", () => {
    it("applies only policies whose selector matches the destination", () => {
        const onlyDb = authz("shop", "db", { selector: { matchLabels: { app: "db" } } });
        assert.strictEqual(decide([onlyDb], { to: "shop/cart" }).verdict, "allowed");
        assert.strictEqual(decide([onlyDb], { to: "shop/db" }).verdict, "denied");
    });

    it("applies root-namespace policies mesh-wide, with a configurable root namespace", () => {
        const meshDeny = authz("istio-system", "deny-all", { action: "DENY", rules: [{}] });
        assert.strictEqual(decide([meshDeny], { to: "ops/monitor" }).verdict, "denied");
        assert.strictEqual(decide([meshDeny], { to: "ops/monitor" }, "mesh-root").verdict, "allowed");
        const rooted = authz("mesh-root", "deny-all", { action: "DENY", rules: [{}] });
        assert.strictEqual(decide([rooted], { to: "ops/monitor" }, "mesh-root").verdict, "denied");
        // A selector in the root namespace selects across the mesh.
        const rootSelector = authz("istio-system", "db-only", { selector: { matchLabels: { app: "db" } } });
        assert.strictEqual(decide([rootSelector], { to: "shop/db" }).verdict, "denied");
        assert.strictEqual(decide([rootSelector], { to: "shop/cart" }).verdict, "allowed");
    });

    it("does not apply a namespace's policies to other namespaces", () => {
        assert.strictEqual(decide([authz("shop", "allow-nothing", {})], { to: "ops/monitor" }).verdict, "allowed");
    });

    it("reads any served version", () => {
        const old = authz("shop", "allow-nothing", {}, { apiVersion: "security.istio.io/v1beta1" });
        assert.strictEqual(decide([old], { to: "shop/cart" }).verdict, "denied");
    });

    it("a targetRef policy does not decide for a sidecar destination, and says so", () => {
        const targeted = authz("shop", "gw", { targetRefs: [{ kind: "Gateway", group: "gateway.networking.k8s.io", name: "gw" }] });
        const d = decide([targeted], { to: "shop/cart" });
        assert.strictEqual(d.verdict, "allowed");
        assert.deepStrictEqual(d.warnings, ['AuthorizationPolicy "shop/gw" uses targetRef(s): it applies at gateways and waypoints, never at a sidecar, so it does not decide this request']);
        assert.deepStrictEqual(new AuthorizationSimulator({ manifests: [targeted], workloads: shop }).inventory.warnings, [
            'AuthorizationPolicy "shop/gw" uses targetRef(s): the simulator applies it at waypoints (ambient destinations); ingress and egress gateways are not simulated',
        ]);
        assert.deepStrictEqual(decide([targeted], { to: "ops/monitor" }).warnings, []);
    });

    it("enforces nothing on a destination without a sidecar", () => {
        const d = simulateRequest(
            { manifests: [authz("shop", "allow-nothing", {})], workloads: [...shop, workload("shop", "legacy", { inMesh: false })] },
            { from: { plaintext: true }, to: "shop/legacy" },
        );
        assert.strictEqual(d.verdict, "allowed");
        assert.strictEqual(d.stage, "no-sidecar");
        assert.strictEqual(d.reason, "shop/legacy is outside the mesh (no sidecar): nothing enforces mTLS or authorization on it, so the request reaches it as sent (why: declared inMesh: false).");
    });

    it("names unknown workloads in a validation error", () => {
        assert.throws(
            () => decide([], { to: "shop/nope" }),
            (e: unknown) =>
                e instanceof MeshguardValidationError &&
                e.message === 'invalid simulated request:\n  - to: no workload "shop/nope" (expected namespace/name of one of: shop/web, shop/cart, shop/db, ops/monitor)',
        );
        assert.throws(() => decide([], { from: { serviceAccount: "shop" }, to: "shop/cart" }), /from.serviceAccount: must be "namespace\/serviceAccount"/);
    });
});
