import { strict as assert } from "assert";
import fc from "fast-check";
import { compileMeshPolicy, compileMeshPolicyReport } from "../../components/compile/mesh-policy";
import { jwtOptionalGatewayRules, jwtOptionalGatewayWarnings, meshPolicyWarnings } from "../../components/compile/warnings";
import { MeshguardValidationError } from "../../components/errors";
import { MeshPolicyInput, parseMeshPolicy } from "../../components/model/mesh-policy";

const IDP = { issuer: "https://idp.example", jwksUri: "https://idp.example/keys" };
const web = { id: "web", namespace: "apps", serviceAccount: "web", ports: [{ port: 80, protocol: "http" as const, targetPort: 8080 }, { port: 9000, protocol: "http" as const }, { port: 5432, protocol: "tcp" as const }] };

const FIX = "traffic through the gateway needs no token, so the JWT requirement is optional. Fix: require the JWT on the gateway route (a RequestAuthentication and a requestPrincipals rule on the gateway), or drop the plain gateway caller";

describe("compile warnings: a plain gateway caller makes a JWT optional (issue 12)", () => {
    it("warns when { ingressGateway: true } and endUsers share a port of one destination", () => {
        const input: MeshPolicyInput = { services: [web], allow: [{ from: { endUsers: IDP }, to: "web", ports: [80] }, { from: { ingressGateway: true }, to: "web" }] };
        assert.deepEqual(meshPolicyWarnings(input), [
            {
                path: "allow[1].from.ingressGateway",
                message: `service "web" admits the ingress gateway without a token on workload port 8080, where allow[0] requires an end-user JWT (issuer https://idp.example): ${FIX}`,
            },
        ]);
    });

    it("names every bypassed JWT relationship and port once", () => {
        const other = { issuer: "https://other.example", jwksUri: "https://other.example/keys" };
        const input: MeshPolicyInput = {
            services: [web],
            allow: [{ from: { ingressGateway: true }, to: "web", ports: [80, 9000] }, { from: { endUsers: IDP }, to: "web" }, { from: { endUsers: other }, to: "web", ports: [9000] }],
        };
        assert.deepEqual(meshPolicyWarnings(input), [
            {
                path: "allow[0].from.ingressGateway",
                message: `service "web" admits the ingress gateway without a token on workload ports 8080, 9000, where allow[1], allow[2] require an end-user JWT (issuer https://idp.example, https://other.example): ${FIX}`,
            },
        ]);
    });

    it("does not warn when the ports differ, the destinations differ, or there is no JWT caller", () => {
        const api = { ...web, id: "api", serviceAccount: "api" };
        const quiet: MeshPolicyInput[] = [
            { services: [web], allow: [{ from: { endUsers: IDP }, to: "web", ports: [80] }, { from: { ingressGateway: true }, to: "web", ports: [9000, 5432] }] },
            { services: [web, api], allow: [{ from: { endUsers: IDP }, to: "web" }, { from: { ingressGateway: true }, to: "api" }] },
            { services: [web], allow: [{ from: { ingressGateway: true }, to: "web" }, { from: { service: "web" }, to: "web" }] },
        ];
        for (const input of quiet) assert.deepEqual(jwtOptionalGatewayWarnings(parseMeshPolicy(input)), [], JSON.stringify(input.allow));
    });

    it("compileMeshPolicyReport returns exactly compileMeshPolicy's manifests, and throws the same validation error", () => {
        const input: MeshPolicyInput = { services: [web], allow: [{ from: { endUsers: IDP }, to: "web" }, { from: { ingressGateway: true }, to: "web" }] };
        const report = compileMeshPolicyReport(input);
        assert.deepEqual(report.manifests, compileMeshPolicy(input));
        assert.deepEqual(report.warnings, meshPolicyWarnings(input));
        assert.throws(() => compileMeshPolicyReport({ services: [web], allow: [{ from: { service: "x" }, to: "web" }] }), MeshguardValidationError);
    });
});

describe("jwtOptionalGatewayRules: the same finding on compiled AuthorizationPolicies (for the pack)", () => {
    const GATEWAY = "cluster.local/ns/istio-ingress/sa/istio-ingressgateway";

    it("finds the gateway rule and the JWT rule, merged into one rule or not", () => {
        const merged = compileMeshPolicy({ services: [web], allow: [{ from: { endUsers: IDP }, to: "web", ports: [80] }, { from: { ingressGateway: true }, to: "web", ports: [80] }] });
        const policy = merged.find((m) => m.metadata.name === "web-allow");
        assert.deepEqual(jwtOptionalGatewayRules(policy?.spec, GATEWAY), [{ gatewayRule: 0, jwtRule: 0, ports: ["8080"] }]);
        const separate = { action: "ALLOW", rules: [{ from: [{ source: { principals: [GATEWAY] } }] }, { from: [{ source: { requestPrincipals: ["https://idp/*"] } }], to: [{ operation: { ports: ["8080", "9000"] } }] }] };
        assert.deepEqual(jwtOptionalGatewayRules(separate, GATEWAY), [{ gatewayRule: 0, jwtRule: 1, ports: ["8080", "9000"] }]);
    });

    it("ignores DENY policies, other principals, gateway rules that need a token, and disjoint ports", () => {
        const jwtRule = { from: [{ source: { requestPrincipals: ["https://idp/*"] } }], to: [{ operation: { ports: ["8080"] } }] };
        const quiet: unknown[] = [
            { action: "DENY", rules: [{ from: [{ source: { principals: [GATEWAY] } }] }, jwtRule] },
            { rules: [{ from: [{ source: { principals: ["cluster.local/ns/a/sa/b"] } }] }, jwtRule] },
            { rules: [{ from: [{ source: { principals: [GATEWAY] } }], when: [{ key: "request.auth.claims[iss]", values: ["x"] }] }, jwtRule] },
            { rules: [{ from: [{ source: { principals: [GATEWAY] } }], to: [{ operation: { ports: ["9000"] } }] }, jwtRule] },
            null,
            "spec",
        ];
        for (const spec of quiet) assert.deepEqual(jwtOptionalGatewayRules(spec, GATEWAY), [], JSON.stringify(spec));
    });

    it("property: the input-level warning fires for exactly the destinations whose compiled ALLOW policy has such a pair", () => {
        const ports = [{ port: 80, protocol: "http" as const }, { port: 81, protocol: "http" as const }, { port: 82, protocol: "tcp" as const }];
        const services = ["a", "b"].map((id) => ({ id, namespace: "apps", serviceAccount: id, ports }));
        type Relationship = NonNullable<MeshPolicyInput["allow"]>[number];
        const caller = fc.oneof(
            fc.constant<Relationship["from"]>({ ingressGateway: true }),
            fc.constant<Relationship["from"]>({ service: "a" }),
            fc.boolean().map((withAudience): Relationship["from"] => ({ endUsers: withAudience ? { ...IDP, audiences: ["aud"] } : IDP })),
        );
        const rel = fc
            .record({ from: caller, to: fc.constantFrom("a", "b"), ports: fc.option(fc.subarray([80, 81], { minLength: 1 }), { nil: undefined }) })
            .map((r): Relationship => (r.ports === undefined ? { from: r.from, to: r.to } : r));
        fc.assert(
            fc.property(fc.array(rel, { maxLength: 6 }), (allow) => {
                const input: MeshPolicyInput = { services, allow };
                const { manifests, warnings } = compileMeshPolicyReport(input);
                const fromInput = [...new Set(warnings.map((w) => /^service "(\w+)"/.exec(w.message)?.[1]))].sort();
                const fromManifests = manifests
                    .filter((m) => m.kind === "AuthorizationPolicy" && jwtOptionalGatewayRules(m.spec, GATEWAY).length > 0)
                    .map((m) => m.metadata.name.replace(/-allow$/, ""))
                    .sort();
                assert.deepEqual(fromInput, fromManifests);
            }),
            { numRuns: 300 },
        );
    });
});
