import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { compileMeshPolicy, compileMeshPolicyReport, MeshguardValidationError, MeshPolicy, MeshPolicyInput } from "meshguard";
import { byName, outputValue, plainInputs, recorder, registered, settle, urnOf, useMocks } from "../harness/mocks";

const COMPONENT = "meshguard:policy:MeshPolicy";
const AUTHORIZATION_POLICY = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
const PEER_AUTHENTICATION = "kubernetes:security.istio.io/v1:PeerAuthentication";
const REQUEST_AUTHENTICATION = "kubernetes:security.istio.io/v1:RequestAuthentication";
const DESTINATION_RULE = "kubernetes:networking.istio.io/v1:DestinationRule";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const MANAGED = { "app.kubernetes.io/managed-by": "meshguard" };

const input: MeshPolicyInput = {
    services: [
        { id: "frontend", namespace: "web", serviceAccount: "frontend", ports: [{ port: 80, protocol: "http" }] },
        { id: "backend", namespace: "api", serviceAccount: "backend", ports: [{ port: 8080, protocol: "http" }] },
    ],
    allow: [
        { from: { service: "frontend" }, to: "backend", methods: ["GET"], paths: ["/api/*"] },
        { from: { endUsers: { issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/keys" } }, to: "frontend" },
    ],
    destinationRules: true,
};

const childUrn = (type: string, name: string) => urnOf(type, name, urnOf(COMPONENT, "mesh"));

function inventory(): string[] {
    return recorder.resources.map((r) => `${r.type}::${r.name}`);
}

describe("MeshPolicy (component, mock runtime)", () => {
    before(async () => {
        await useMocks();
    });
    beforeEach(() => recorder.reset());

    it("registers exactly the compiled manifests, one CustomResource each, parented to it", async () => {
        const policy = new MeshPolicy("mesh", input);
        await registered(policy);
        assert.deepStrictEqual(inventory().sort(), [
            `${DESTINATION_RULE}::mesh-api/backend-istio-mutual`,
            `${DESTINATION_RULE}::mesh-web/frontend-istio-mutual`,
            `${NETWORK_POLICY}::mesh-api/allow-ingress-to-backend`,
            `${NETWORK_POLICY}::mesh-api/default-deny-ingress`,
            `${NETWORK_POLICY}::mesh-web/allow-ingress-to-frontend`,
            `${NETWORK_POLICY}::mesh-web/default-deny-ingress`,
            `${AUTHORIZATION_POLICY}::mesh-api/allow-nothing`,
            `${AUTHORIZATION_POLICY}::mesh-api/backend-allow`,
            `${AUTHORIZATION_POLICY}::mesh-web/allow-nothing`,
            `${AUTHORIZATION_POLICY}::mesh-web/frontend-allow`,
            `${PEER_AUTHENTICATION}::mesh-api/default`,
            `${PEER_AUTHENTICATION}::mesh-web/default`,
            `${REQUEST_AUTHENTICATION}::mesh-web/frontend-jwt`,
            `${COMPONENT}::mesh`,
        ]);
        const manifests = compileMeshPolicy(input);
        assert.deepStrictEqual(policy.manifests, manifests);
        assert.strictEqual(policy.resources.length, manifests.length);
        for (const manifest of manifests) {
            const child = byName(`mesh-${manifest.metadata.namespace}/${manifest.metadata.name}`);
            assert.strictEqual(child.type, `kubernetes:${manifest.apiVersion}:${manifest.kind}`);
            assert.strictEqual(child.parent, urnOf(COMPONENT, "mesh"));
            assert.strictEqual(child.custom, true);
            assert.deepStrictEqual(plainInputs(child), manifest);
        }
        assert.deepStrictEqual(plainInputs(byName("mesh-api/backend-allow")), {
            apiVersion: "security.istio.io/v1",
            kind: "AuthorizationPolicy",
            metadata: { name: "backend-allow", namespace: "api", labels: MANAGED },
            spec: {
                selector: { matchLabels: { app: "backend" } },
                action: "ALLOW",
                rules: [{ from: [{ source: { principals: ["cluster.local/ns/web/sa/frontend"] } }], to: [{ operation: { ports: ["8080"], methods: ["GET"], paths: ["/api/*"] } }] }],
            },
        });
        assert.deepStrictEqual(
            await Promise.all(policy.resources.map((r) => outputValue(r.urn))),
            manifests.map((m) => childUrn(`kubernetes:${m.apiVersion}:${m.kind}`, `mesh-${m.metadata.namespace}/${m.metadata.name}`)),
        );
    });

    it("validates synchronously and registers nothing on bad input", async () => {
        assert.throws(
            () => new MeshPolicy("mesh", { ...input, allow: [{ from: { service: "frontend" }, to: "payments" }] }),
            (err: unknown) =>
                err instanceof MeshguardValidationError &&
                err.message === 'invalid MeshPolicy "mesh" args:\n  - allow[0].to: unknown service "payments" (declared: backend, frontend)',
        );
        await settle();
        assert.deepStrictEqual(recorder.resources, []);
    });

    it("makes every child depend on `dependsOn` and passes the caller's options to the component", async () => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const crds = new k8s.apiextensions.CustomResource("crds-ready", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "marker" } });
        const policy = new MeshPolicy("mesh", { services: [input.services[1]], dependsOn: [crds] }, { providers: { kubernetes: provider } });
        await registered(policy);
        const crdsUrn = await outputValue(crds.urn);
        const providerUrn = await outputValue(provider.urn);
        for (const name of ["mesh-api/allow-nothing", "mesh-api/default"]) {
            assert.deepStrictEqual(byName(name).dependencies, [crdsUrn], name);
            assert.ok(byName(name).provider?.startsWith(`${providerUrn}::`), `${name} uses the caller's provider: ${byName(name).provider}`);
        }
    });

    it("makes only a namespace's objects depend on its `namespaceDependsOn` entry, after the shared `dependsOn`", async () => {
        const marker = (name: string) => new k8s.apiextensions.CustomResource(name, { apiVersion: "v1", kind: "ConfigMap", metadata: { name } });
        const [crds, web, api] = [marker("crds"), marker("web-ready"), marker("api-ready")];
        const policy = new MeshPolicy("mesh", { services: input.services, dependsOn: [crds], namespaceDependsOn: { web: [web], api: [api] } });
        await registered(policy);
        const [crdsUrn, webUrn, apiUrn] = await Promise.all([crds, web, api].map((r) => outputValue(r.urn)));
        assert.deepStrictEqual(
            Object.fromEntries(["mesh-web/allow-nothing", "mesh-web/default", "mesh-api/allow-nothing", "mesh-api/default"].map((n) => [n, byName(n).dependencies])),
            {
                "mesh-web/allow-nothing": [crdsUrn, webUrn],
                "mesh-web/default": [crdsUrn, webUrn],
                "mesh-api/allow-nothing": [crdsUrn, apiUrn],
                "mesh-api/default": [crdsUrn, apiUrn],
            },
        );
    });

    it("rejects a `namespaceDependsOn` key that is not a namespace of the declared services, and registers nothing", async () => {
        assert.throws(
            () => new MeshPolicy("mesh", { services: input.services, namespaceDependsOn: { wbe: [] } }),
            (err: unknown) =>
                err instanceof MeshguardValidationError &&
                err.message ===
                    'invalid MeshPolicy "mesh" args:\n  - namespaceDependsOn.wbe: "wbe" is not a namespace of the declared services (api, web); key each entry by one of them',
        );
        await settle();
        assert.deepStrictEqual(recorder.resources, []);
    });

    it("issue 12: logs a warning, attached to itself, when a plain gateway caller makes a JWT optional", async () => {
        const logged: { message: string; resource: pulumi.Resource | undefined }[] = [];
        const original = pulumi.log.warn;
        (pulumi.log as { warn: typeof pulumi.log.warn }).warn = async (message, resource) => {
            logged.push({ message, resource });
        };
        try {
            const jwtOptional: MeshPolicyInput = { ...input, allow: [...(input.allow ?? []), { from: { ingressGateway: true }, to: "frontend" }] };
            const policy = new MeshPolicy("mesh", jwtOptional);
            await registered(policy);
            const { warnings } = compileMeshPolicyReport(jwtOptional);
            assert.deepStrictEqual(
                logged.map((l) => l.message),
                warnings.map((w) => `MeshPolicy "mesh": ${w.path}: ${w.message}`),
            );
            assert.strictEqual(logged.length, 1);
            assert.strictEqual(logged[0].resource, policy);
            assert.match(logged[0].message, /^MeshPolicy "mesh": allow\[2\]\.from\.ingressGateway: service "frontend" admits the ingress gateway without a token/);
            logged.length = 0;
            await registered(new MeshPolicy("clean", input));
            assert.deepStrictEqual(logged, []);
        } finally {
            (pulumi.log as { warn: typeof pulumi.log.warn }).warn = original;
        }
    });

    it("issue 10 item 4: refuses a `namespaceDependsOn` key named __proto__ (it would silently drop the ordering)", async () => {
        const namespaceDependsOn = JSON.parse('{"__proto__":[],"web":[]}') as Record<string, pulumi.Resource[]>;
        assert.throws(() => new MeshPolicy("mesh", { services: input.services, namespaceDependsOn }), {
            name: "MeshguardValidationError",
            message:
                'invalid MeshPolicy "mesh" args:\n  - namespaceDependsOn.__proto__: the key "__proto__" is not allowed: it names a JavaScript object built-in and would be dropped or misread when copied into a plain object (rename it)',
        });
        await settle();
        assert.deepStrictEqual(recorder.resources, []);
    });

    it("keeps the names of untouched objects when the graph changes", async () => {
        await registered(new MeshPolicy("mesh", input));
        const before = new Set(inventory());
        recorder.reset();
        const grown: MeshPolicyInput = {
            ...input,
            services: [...input.services, { id: "reports", namespace: "api", serviceAccount: "reports", ports: [{ port: 9090, protocol: "tcp" }] }],
            allow: [...(input.allow ?? []), { from: { service: "backend" }, to: "reports" }],
        };
        await registered(new MeshPolicy("mesh", grown));
        const after = new Set(inventory());
        assert.deepStrictEqual([...before].filter((n) => !after.has(n)), []);
        assert.deepStrictEqual([...after].filter((n) => !before.has(n)).sort(), [
            `${DESTINATION_RULE}::mesh-api/reports-istio-mutual`,
            `${NETWORK_POLICY}::mesh-api/allow-ingress-to-reports`,
            `${AUTHORIZATION_POLICY}::mesh-api/reports-allow`,
        ]);
    });
});
