import { strict as assert } from "assert";
import { compileMeshPolicy, compileMeshPolicyReport } from "../../components/compile/mesh-policy";
import { jwtOptionalGatewayWarnings, meshPolicyWarnings } from "../../components/compile/warnings";
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
