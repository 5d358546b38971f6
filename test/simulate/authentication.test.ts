import * as assert from "assert";
import { Decision, SimRequest, simulateRequest } from "../../components/simulate";
import { authz, peerAuthn, requestAuthn, shop, strictMesh, webPrincipal, workload } from "./fixtures";

function decide(manifests: unknown[], request: Partial<SimRequest> & Pick<SimRequest, "to">): Decision {
    return simulateRequest({ manifests, workloads: [...shop, workload("legacy", "cron", { inMesh: false })] }, { from: { workload: "shop/web" }, ...request });
}

const onlyWeb = authz("shop", "cart", { selector: { matchLabels: { app: "cart" } }, rules: [{ from: [{ source: { principals: [webPrincipal] } }] }] });

describe("simulator: mTLS and peer identity", () => {
    it("rejects plaintext callers under STRICT at the connection", () => {
        const d = decide([strictMesh], { from: { plaintext: true }, to: "shop/cart" });
        assert.strictEqual(d.verdict, "denied");
        assert.strictEqual(d.stage, "mtls");
        assert.strictEqual(d.reason, "STRICT mTLS on shop/cart port 8080 rejects the plaintext connection of a plaintext caller outside the mesh.");
        assert.deepStrictEqual(d.policy, { kind: "PeerAuthentication", namespace: "istio-system", name: "default" });
        assert.strictEqual(decide([strictMesh], { from: { workload: "legacy/cron" }, to: "shop/cart" }).stage, "mtls");
    });

    it("gives PERMISSIVE plaintext callers no principal or namespace", () => {
        const d = decide([onlyWeb], { from: { plaintext: true }, to: "shop/cart" });
        assert.strictEqual(d.verdict, "denied");
        assert.strictEqual(d.peerPrincipal, undefined);
        assert.deepStrictEqual(d.mtls, { mode: "PERMISSIVE", from: undefined, used: false });
        assert.strictEqual(decide([onlyWeb], { to: "shop/cart" }).verdict, "allowed");
        const anyNamespace = authz("shop", "ns", { rules: [{ from: [{ source: { namespaces: ["*"] } }] }] });
        assert.strictEqual(decide([anyNamespace], { from: { plaintext: true }, to: "shop/cart" }).verdict, "denied");
    });

    it("lets plaintext callers through notNamespaces/notPrincipals (ISTIO-SECURITY-2021-004)", () => {
        const notFoo = authz("shop", "not-ops", { rules: [{ from: [{ source: { notNamespaces: ["ops"] } }] }] });
        assert.strictEqual(decide([notFoo], { from: { plaintext: true }, to: "shop/cart" }).verdict, "allowed");
        assert.strictEqual(decide([notFoo], { from: { workload: "ops/monitor" }, to: "shop/cart" }).verdict, "denied");
    });

    it("resolves workload > namespace > mesh, and port-level mTLS", () => {
        const nsPermissive = peerAuthn("shop", "default", { mtls: { mode: "PERMISSIVE" } });
        assert.strictEqual(decide([strictMesh, nsPermissive], { from: { plaintext: true }, to: "shop/cart" }).verdict, "allowed");
        const cartStrict = peerAuthn("shop", "cart", { selector: { matchLabels: { app: "cart" } }, mtls: { mode: "STRICT" }, portLevelMtls: { 9000: { mode: "PERMISSIVE" } } });
        const manifests = [nsPermissive, cartStrict];
        assert.strictEqual(decide(manifests, { from: { plaintext: true }, to: "shop/cart" }).stage, "mtls");
        assert.strictEqual(decide(manifests, { from: { plaintext: true }, to: "shop/cart", port: 9000 }).verdict, "allowed");
        assert.strictEqual(decide(manifests, { from: { plaintext: true }, to: "shop/web" }).verdict, "allowed");
        // UNSET inherits from the enclosing scope.
        const unset = peerAuthn("shop", "cart-unset", { selector: { matchLabels: { app: "cart" } }, mtls: { mode: "UNSET" } });
        const d = decide([strictMesh, unset], { from: { plaintext: true }, to: "shop/cart" });
        assert.deepStrictEqual(d.mtls, { mode: "STRICT", from: { kind: "PeerAuthentication", namespace: "istio-system", name: "default" }, used: false });
    });

    it("DISABLE makes even mesh callers plaintext, without identity", () => {
        const disable = peerAuthn("shop", "default", { mtls: { mode: "DISABLE" } });
        const d = decide([disable, onlyWeb], { to: "shop/cart" });
        assert.strictEqual(d.verdict, "denied");
        assert.deepStrictEqual(d.mtls, { mode: "DISABLE", from: { kind: "PeerAuthentication", namespace: "shop", name: "default" }, used: false });
    });

    it("honours one namespace-level PeerAuthentication and ignores root-namespace selectors", () => {
        const first = peerAuthn("shop", "a", { mtls: { mode: "STRICT" } });
        const second = peerAuthn("shop", "b", { mtls: { mode: "DISABLE" } });
        const d = decide([first, second], { from: { plaintext: true }, to: "shop/cart" });
        assert.strictEqual(d.stage, "mtls");
        assert.match(d.warnings[0], /^PeerAuthentication "shop\/b" is ignored for shop\/cart: only one namespace-level policy is honoured/);
        const rootSelector = peerAuthn("istio-system", "cart", { selector: { matchLabels: { app: "cart" } }, mtls: { mode: "STRICT" } });
        assert.strictEqual(decide([rootSelector], { from: { plaintext: true }, to: "shop/cart" }).verdict, "allowed");
    });

    it("matches a serviceAccount caller's identity", () => {
        const d = decide([onlyWeb], { from: { serviceAccount: "shop/web" }, to: "shop/cart" });
        assert.strictEqual(d.verdict, "allowed");
        const byField = authz("shop", "sa", { rules: [{ from: [{ source: { serviceAccounts: ["shop/web"] } }] }] });
        assert.strictEqual(decide([byField], { to: "shop/cart" }).verdict, "allowed");
        assert.strictEqual(decide([byField], { from: { workload: "ops/monitor" }, to: "shop/cart" }).verdict, "denied");
    });
});

describe("simulator: JWT", () => {
    const ra = requestAuthn("shop", "jwt", { jwtRules: [{ issuer: "https://idp.example", jwksUri: "https://idp.example/jwks", audiences: ["shop"] }] });
    const requireJwt = authz("shop", "users", { rules: [{ from: [{ source: { requestPrincipals: ["https://idp.example/*"] } }] }] });
    const token = { iss: "https://idp.example", sub: "alice", aud: "shop", groups: ["admins", "dev"] };

    it("gives a validated token a request principal <iss>/<sub>", () => {
        const d = decide([ra, requireJwt], { from: { plaintext: true }, to: "shop/cart", jwt: token });
        assert.strictEqual(d.verdict, "allowed");
        assert.strictEqual(d.requestPrincipal, "https://idp.example/alice");
    });

    it("denies requests without a token when requestPrincipals is required (RequestAuthentication alone lets them in)", () => {
        assert.strictEqual(decide([ra, requireJwt], { from: { plaintext: true }, to: "shop/cart" }).verdict, "denied");
        assert.strictEqual(decide([ra], { from: { plaintext: true }, to: "shop/cart" }).verdict, "allowed");
    });

    it("rejects an unknown issuer or audience with 401", () => {
        const d = decide([ra], { to: "shop/cart", jwt: { ...token, iss: "https://evil.example" } });
        assert.strictEqual(d.verdict, "denied");
        assert.strictEqual(d.stage, "jwt");
        assert.strictEqual(d.reason, "No RequestAuthentication selecting the destination (shop/jwt) accepts issuer https://evil.example, so the JWT is rejected with 401.");
        const aud = decide([ra], { to: "shop/cart", jwt: { ...token, aud: ["other"] } });
        assert.strictEqual(aud.stage, "jwt");
        assert.deepStrictEqual(aud.policy, { kind: "RequestAuthentication", namespace: "shop", name: "jwt" });
    });

    it("ignores a token when no RequestAuthentication selects the destination", () => {
        const d = decide([requireJwt], { to: "shop/cart", jwt: token });
        assert.strictEqual(d.verdict, "denied");
        assert.strictEqual(d.requestPrincipal, undefined);
    });

    it("matches request.auth.claims, audiences and presenter conditions", () => {
        const admins = authz("shop", "admins", { rules: [{ when: [{ key: "request.auth.claims[groups]", values: ["admins"] }, { key: "request.auth.audiences", values: ["shop"] }] }] });
        assert.strictEqual(decide([ra, admins], { to: "shop/cart", jwt: token }).verdict, "allowed");
        assert.strictEqual(decide([ra, admins], { to: "shop/cart", jwt: { ...token, groups: ["dev"] } }).verdict, "denied");
        const nested = authz("shop", "nested", { rules: [{ when: [{ key: "request.auth.claims[realm][role]", values: ["ops*"] }] }] });
        assert.strictEqual(decide([ra, nested], { to: "shop/cart", jwt: { ...token, realm: { role: "operator" } } }).verdict, "denied");
        assert.strictEqual(decide([ra, nested], { to: "shop/cart", jwt: { ...token, realm: { role: "ops-lead" } } }).verdict, "allowed");
        const presenter = authz("shop", "azp", { rules: [{ when: [{ key: "request.auth.presenter", values: ["web-app"] }] }] });
        assert.strictEqual(decide([ra, presenter], { to: "shop/cart", jwt: { ...token, azp: "web-app" } }).verdict, "allowed");
        assert.strictEqual(decide([ra, presenter], { to: "shop/cart", jwt: token }).verdict, "denied");
    });
});
