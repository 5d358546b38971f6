import * as assert from "assert";
import { expectAllowed, expectDenied } from "../../components/testing";
import { authz, shop, strictMesh, webPrincipal } from "./fixtures";

const mesh = {
    manifests: [
        strictMesh,
        authz("shop", "allow-nothing", {}),
        authz("shop", "cart", { selector: { matchLabels: { app: "cart" } }, rules: [{ from: [{ source: { principals: [webPrincipal] } }], to: [{ operation: { methods: ["GET"] } }] }] }),
    ],
    workloads: shop,
};

describe("testing helpers", () => {
    it("expectAllowed returns the decision when allowed", () => {
        const d = expectAllowed(mesh, { from: "shop/web", to: "shop/cart", method: "GET", path: "/items" });
        assert.strictEqual(d.policy?.name, "cart");
    });

    it("expectDenied passes for denied requests, plaintext included", () => {
        expectDenied(mesh, { from: "shop/web", to: "shop/cart", method: "POST" });
        expectDenied(mesh, { from: "plaintext", to: "shop/cart" });
        expectDenied(mesh, { from: { serviceAccount: "ops/monitor" }, to: "shop/cart" });
    });

    it("throws an AssertionError explaining the decision", () => {
        assert.throws(
            () => expectAllowed(mesh, { from: "shop/web", to: "shop/cart", method: "POST", path: "/items" }),
            (e: unknown) => {
                assert.ok(e instanceof assert.AssertionError);
                const lines = e.message.split("\n");
                assert.strictEqual(lines[0], "expected shop/web → shop/cart POST /items to be allowed, but it is denied.");
                assert.strictEqual(lines[1], "DENIED: 2 ALLOW policies select shop/cart (shop/allow-nothing, shop/cart) and no rule of them matches the request.");
                assert.ok(lines.includes("  - ALLOW shop/cart rule 0: it does not match on to (to[0]: methods)."), e.message);
                return true;
            },
        );
        assert.throws(() => expectDenied(mesh, { from: "shop/web", to: "shop/cart" }), /^AssertionError \[ERR_ASSERTION\]: expected shop\/web → shop\/cart GET \/ to be denied, but it is allowed\.\nALLOWED: ALLOW policy shop\/cart rule 0 matches the request\.\ndecided by: ALLOW AuthorizationPolicy shop\/cart rule 0/);
    });

    it("accepts plain manifest lists with Deployments as workloads", () => {
        const deployment = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "api", namespace: "team" },
            spec: { template: { metadata: { labels: { app: "api" } }, spec: { serviceAccountName: "api", containers: [{ name: "api", ports: [{ containerPort: 8080 }] }] } } },
        };
        expectDenied([deployment, authz("team", "allow-nothing", {})], { from: "plaintext", to: "team/api" });
        expectAllowed([deployment], { from: "plaintext", to: "team/api" });
    });
});
