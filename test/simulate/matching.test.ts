import * as assert from "assert";
import { Decision, SimRequest, simulateRequest } from "../../components/simulate";
import { authz, shop, webPrincipal } from "./fixtures";

function verdict(spec: Record<string, unknown>, request: Partial<SimRequest> = {}): Decision["verdict"] {
    return decide(spec, request).verdict;
}

function decide(spec: Record<string, unknown>, request: Partial<SimRequest> = {}): Decision {
    return simulateRequest({ manifests: [authz("shop", "p", spec)], workloads: shop }, { from: { workload: "shop/web" }, to: "shop/cart", ...request });
}

const op = (operation: Record<string, unknown>) => ({ rules: [{ to: [{ operation }] }] });

describe("simulator: rule structure", () => {
    it("ANDs fields inside a source and ORs the sources of `from`", () => {
        const and = { rules: [{ from: [{ source: { principals: [webPrincipal], namespaces: ["ops"] } }] }] };
        assert.strictEqual(verdict(and), "denied");
        const or = { rules: [{ from: [{ source: { principals: [webPrincipal] } }, { source: { namespaces: ["ops"] } }] }] };
        assert.strictEqual(verdict(or), "allowed");
        assert.strictEqual(verdict(or, { from: { workload: "ops/monitor" } }), "allowed");
        assert.strictEqual(verdict(or, { from: { workload: "shop/db" } }), "denied");
    });

    it("requires from AND to AND every when; ORs rules", () => {
        const rule = { from: [{ source: { namespaces: ["shop"] } }], to: [{ operation: { methods: ["GET"] } }], when: [{ key: "request.headers[x-env]", values: ["prod"] }] };
        assert.strictEqual(verdict({ rules: [rule] }, { headers: { "X-Env": "prod" } }), "allowed");
        assert.strictEqual(verdict({ rules: [rule] }, { headers: { "x-env": "dev" } }), "denied");
        assert.strictEqual(verdict({ rules: [rule] }, { method: "POST", headers: { "x-env": "prod" } }), "denied");
        assert.strictEqual(verdict({ rules: [rule, { to: [{ operation: { methods: ["POST"] } }] }] }, { method: "POST" }), "allowed");
    });

    it("combines values and notValues of one field", () => {
        const spec = op({ paths: ["/api/*"], notPaths: ["/api/admin*"] });
        assert.strictEqual(verdict(spec, { path: "/api/items" }), "allowed");
        assert.strictEqual(verdict(spec, { path: "/api/admin/users" }), "denied");
    });

    it("rules: [{}] matches everything: allow-all under ALLOW, deny-all under DENY", () => {
        assert.strictEqual(verdict({ rules: [{}] }, { from: { plaintext: true } }), "allowed");
        assert.strictEqual(verdict({ action: "DENY", rules: [{}] }), "denied");
        assert.strictEqual(verdict({ action: "DENY" }), "allowed");
    });
});

describe("simulator: value matching", () => {
    it("matches paths by prefix, suffix, presence, exact and templates; /api/* does not match /api", () => {
        assert.strictEqual(verdict(op({ paths: ["/api/*"] }), { path: "/api" }), "denied");
        assert.strictEqual(verdict(op({ paths: ["/api/*"] }), { path: "/api/" }), "allowed");
        assert.strictEqual(verdict(op({ paths: ["*.json"] }), { path: "/data/x.json" }), "allowed");
        assert.strictEqual(verdict(op({ paths: ["/api/*/items"] }), { path: "/api/v1/items" }), "denied");
        assert.strictEqual(verdict(op({ paths: ["/api/{*}/items"] }), { path: "/api/v1/items" }), "allowed");
        assert.strictEqual(verdict(op({ paths: ["/files/{**}"] }), { path: "/files/a/b" }), "allowed");
        assert.strictEqual(verdict(op({ paths: ["/health"] }), { path: "/health?verbose=1" }), "allowed");
    });

    it("matches methods case-sensitively and hosts case-insensitively", () => {
        assert.strictEqual(verdict(op({ methods: ["get"] })), "denied");
        assert.strictEqual(verdict(op({ hosts: ["Cart.Shop.svc.cluster.local"] })), "allowed");
        assert.strictEqual(verdict(op({ hosts: ["*.example.com"] }), { host: "api.example.com" }), "allowed");
    });

    it("matches ports exactly", () => {
        assert.strictEqual(verdict(op({ ports: ["8080"] })), "allowed");
        assert.strictEqual(verdict(op({ ports: ["8080"] }), { port: 9000 }), "denied");
        assert.strictEqual(verdict(op({ notPorts: ["9000"] }), { port: 9000 }), "denied");
    });
});

describe("simulator: HTTP-only fields and TCP", () => {
    it("an ALLOW rule with HTTP-only fields never matches TCP, even with the right port", () => {
        const spec = op({ ports: ["9000"], methods: ["GET"] });
        const d = decide(spec, { port: 9000 });
        assert.strictEqual(d.verdict, "denied");
        assert.ok(d.trace.includes("ALLOW shop/p rule 0: it uses HTTP-only field(s) methods, and istiod drops such ALLOW rules for TCP traffic."));
        assert.strictEqual(verdict(op({ ports: ["9000"] }), { port: 9000 }), "allowed");
        const jwtRule = { rules: [{ from: [{ source: { requestPrincipals: ["*"] } }] }] };
        assert.strictEqual(verdict(jwtRule, { port: 9000 }), "denied");
    });

    it("a DENY rule with only HTTP fields denies ALL TCP traffic", () => {
        const spec = { action: "DENY", rules: [{ to: [{ operation: { methods: ["DELETE"] } }] }] };
        assert.strictEqual(verdict(spec, { port: 9000 }), "denied");
        assert.strictEqual(verdict(spec, { to: "shop/db" }), "denied"); // db's only port is TCP
        assert.strictEqual(verdict(spec), "allowed"); // HTTP GET is not DELETE
        assert.strictEqual(verdict(spec, { method: "DELETE" }), "denied");
    });

    it("a DENY rule with HTTP fields and ports denies TCP only on those ports", () => {
        const spec = { action: "DENY", rules: [{ to: [{ operation: { methods: ["DELETE"], ports: ["8080"] } }] }] };
        assert.strictEqual(verdict(spec, { port: 9000 }), "allowed");
        const tcpOnPort = { action: "DENY", rules: [{ to: [{ operation: { methods: ["DELETE"], ports: ["9000"] } }] }] };
        assert.strictEqual(verdict(tcpOnPort, { port: 9000 }), "denied");
    });
});

describe("simulator: conditions", () => {
    it("evaluates source.namespace, source.principal and destination.port", () => {
        assert.strictEqual(verdict({ rules: [{ when: [{ key: "source.namespace", values: ["shop"] }] }] }), "allowed");
        assert.strictEqual(verdict({ rules: [{ when: [{ key: "source.principal", notValues: [webPrincipal] }] }] }), "denied");
        assert.strictEqual(verdict({ rules: [{ when: [{ key: "destination.port", values: ["9000"] }] }] }, { port: 9000 }), "allowed");
    });

    it("drops a rule with an unsupported key, under ALLOW and DENY alike", () => {
        assert.strictEqual(verdict({ rules: [{ when: [{ key: "request.regex.headers[x]", values: ["a"] }] }] }), "denied");
        assert.strictEqual(verdict({ action: "DENY", rules: [{ when: [{ key: "source.serviceAccount", values: ["x"] }] }] }), "allowed");
    });

    it("leaves IP conditions undecided without an IP, and decides them with one", () => {
        const spec = { rules: [{ from: [{ source: { ipBlocks: ["10.0.0.0/8"] } }] }] };
        const d = decide(spec);
        assert.strictEqual(d.verdict, "unknown");
        assert.strictEqual(d.reason, "ALLOW policy shop/p may match, but the request lacks data its rules need (an IP address or Envoy metadata).");
        assert.strictEqual(verdict(spec, { sourceIp: "10.1.2.3" }), "allowed");
        assert.strictEqual(verdict(spec, { sourceIp: "192.168.1.1" }), "denied");
        const remote = { rules: [{ when: [{ key: "remote.ip", values: ["203.0.113.0/24"] }] }] };
        assert.strictEqual(verdict(remote, { sourceIp: "10.1.2.3", remoteIp: "203.0.113.9" }), "allowed");
    });

    it("an undecidable DENY only makes an otherwise-allowed request unknown", () => {
        const manifests = [authz("shop", "d", { action: "DENY", rules: [{ from: [{ source: { ipBlocks: ["10.0.0.0/8"] } }] }] }), authz("shop", "nothing", {})];
        const d = simulateRequest({ manifests, workloads: shop }, { from: { workload: "shop/web" }, to: "shop/cart" });
        assert.strictEqual(d.verdict, "denied");
        const alone = simulateRequest({ manifests: manifests.slice(0, 1), workloads: shop }, { from: { workload: "shop/web" }, to: "shop/cart" });
        assert.strictEqual(alone.verdict, "unknown");
    });
});

describe("simulator: what the API server stores", () => {
    it("a typo'd field is pruned (the rule widens) and reported", () => {
        const d = decide({ rules: [{ from: [{ source: { principal: ["cluster.local/ns/ops/sa/monitor"] } }] }] });
        assert.strictEqual(d.verdict, "allowed");
        assert.deepStrictEqual(d.warnings, ['AuthorizationPolicy "shop/p": unknown field spec.rules[0].from[0].source.principal is pruned by the API server']);
    });
});
