import * as assert from "assert";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { compileMeshPolicy } from "../../components/compile/mesh-policy";
import { authorizationPolicy, deployment, MESH_LABELS, namespace } from "./fixtures";
import { k8s, ownMessage, policyNamed, runResourcePolicy, runStackPolicy, UNKNOWN } from "./harness";

const matchesWorkloads = () => policyNamed<StackValidationPolicy>("authorization-policy-matches-workloads");
const tokenNotOptional = () => policyNamed<ResourceValidationPolicy>("authorization-policy-token-not-optional");

const container = (ports: number[]) => ({ name: "app", image: "registry.example.com/shop/app:1.0.0", ports: ports.map((containerPort) => ({ containerPort })) });
const shopWorkloads = () => [
    namespace("shop", MESH_LABELS),
    deployment("shop", "web", { labels: { app: "web" }, spec: { serviceAccountName: "web", containers: [container([8080])] } }),
    deployment("shop", "api", { labels: { app: "api" }, spec: { serviceAccountName: "api", containers: [container([9090])] } }),
];
const allowApi = (principal: string, ports?: string[]) =>
    authorizationPolicy("shop", "api", {
        selector: { matchLabels: { app: "api" } },
        rules: [{ from: [{ source: { principals: [principal] } }], ...(ports ? { to: [{ operation: { ports } }] } : {}) }],
    });

describe("policy pack: authorization-policy-matches-workloads (intent versus workloads)", () => {
    it("passes principals and ports the stack's workloads use", async () => {
        const run = await runStackPolicy(matchesWorkloads(), [...shopWorkloads(), allowApi("cluster.local/ns/shop/sa/web", ["9090"])]);
        assert.deepStrictEqual(run.violations, []);
    });

    it("names a principal whose service account no workload of its namespace runs as, and the accounts there", async () => {
        const policy = allowApi("cluster.local/ns/shop/sa/frontend");
        const run = await runStackPolicy(matchesWorkloads(), [...shopWorkloads(), policy]);
        assert.deepStrictEqual(
            run.violations.map((v) => [v.enforcementLevel, v.urn, ownMessage(v)]),
            [
                [
                    "advisory",
                    policy.urn,
                    "AuthorizationPolicy shop/api: spec.rules[0].from[0].source.principals[0]: no workload in namespace shop runs as service account frontend, so this caller matches nobody; workloads there run as: api and web. Fix: correct the principal (or the caller's serviceAccount in MeshPolicy) to the service account the calling workload runs as, or set spec.template.spec.serviceAccountName on that workload.",
                ],
            ],
        );
    });

    it("takes Kubernetes' default service account when a pod names none", async () => {
        const stack = [namespace("shop", MESH_LABELS), deployment("shop", "web", { labels: { app: "web" } }), allowApi("cluster.local/ns/shop/sa/default")];
        assert.deepStrictEqual((await runStackPolicy(matchesWorkloads(), stack)).violations, []);
    });

    it("does not judge principals of namespaces where the stack deploys no workload (they live elsewhere)", async () => {
        const run = await runStackPolicy(matchesWorkloads(), [...shopWorkloads(), allowApi("cluster.local/ns/payments/sa/anyone"), allowApi("cluster.local/ns/shop/*")]);
        assert.deepStrictEqual(run.violations, []);
    });

    it("names a port no container of the selected workloads declares, and the ports they declare", async () => {
        const policy = allowApi("cluster.local/ns/shop/sa/web", ["80", "9090"]);
        const run = await runStackPolicy(matchesWorkloads(), [...shopWorkloads(), policy]);
        assert.deepStrictEqual(run.violations.map(ownMessage), [
            "AuthorizationPolicy shop/api: spec.rules[0].to[0].operation.ports[0]: no container of the workloads this policy selects (Deployment shop/api) declares containerPort 80, so this rule matches no connection; they declare: 9090. Fix: use the container (target) port the workload listens on, not the Service port, or add the port to the container's ports.",
        ]);
    });

    it("judges ports of a namespace-wide policy against every workload of the namespace, and of a root-namespace policy against the mesh", async () => {
        const nsWide = authorizationPolicy("shop", "ports", { rules: [{ to: [{ operation: { ports: ["8080", "9090"] } }] }] });
        const meshWide = authorizationPolicy("istio-system", "ports", { rules: [{ to: [{ operation: { ports: ["8080", "7000"] } }] }] });
        const run = await runStackPolicy(matchesWorkloads(), [...shopWorkloads(), nsWide, meshWide]);
        assert.deepStrictEqual(run.violations.map(ownMessage), [
            "AuthorizationPolicy istio-system/ports: spec.rules[0].to[0].operation.ports[1]: no container of the workloads this policy selects (Deployment shop/web and Deployment shop/api) declares containerPort 7000, so this rule matches no connection; they declare: 8080 and 9090. Fix: use the container (target) port the workload listens on, not the Service port, or add the port to the container's ports.",
        ]);
    });

    it("does not judge ports when the selected workloads declare none", async () => {
        const stack = [namespace("shop", MESH_LABELS), deployment("shop", "api", { labels: { app: "api" } }), allowApi("cluster.local/ns/shop/sa/default", ["8080"])];
        assert.deepStrictEqual((await runStackPolicy(matchesWorkloads(), stack)).violations, []);
    });

    it("ignores DENY policies and exempt policies", async () => {
        const deny = authorizationPolicy("shop", "deny", { action: "DENY", rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/ghost"] } }] }] });
        const allow = allowApi("cluster.local/ns/shop/sa/ghost");
        assert.deepStrictEqual((await runStackPolicy(matchesWorkloads(), [...shopWorkloads(), deny])).violations, []);
        assert.deepStrictEqual((await runStackPolicy(matchesWorkloads(), [...shopWorkloads(), allow], { exemptNames: ["shop/api"] })).violations, []);
    });

    it("reports a service account unknown at preview as can't be verified, never as passed", async () => {
        const unknownAccount = deployment("shop", "worker", { labels: { app: "worker" }, spec: { serviceAccountName: UNKNOWN, containers: [container([8080])] } });
        const policy = allowApi("cluster.local/ns/shop/sa/worker");
        const run = await runStackPolicy(matchesWorkloads(), [...shopWorkloads(), unknownAccount, policy]);
        assert.deepStrictEqual(
            run.violations.map((v) => [v.enforcementLevel, ownMessage(v)]),
            [
                [
                    "advisory",
                    "AuthorizationPolicy shop/api: spec.rules[0].from[0].source.principals[0]: whether a workload in namespace shop runs as service account worker can't be verified during preview: the service account or namespace of Deployment shop/worker is unknown. Fix: it is checked again when the value is known.",
                ],
            ],
        );
    });

    it("reports container ports unknown at preview as can't be verified", async () => {
        const unknownPorts = deployment("shop", "api", { labels: { app: "api" }, spec: { serviceAccountName: "api", containers: [{ name: "app", image: "x", ports: UNKNOWN }] } });
        const run = await runStackPolicy(matchesWorkloads(), [namespace("shop", MESH_LABELS), unknownPorts, allowApi("cluster.local/ns/shop/sa/api", ["9090"])]);
        assert.deepStrictEqual(run.violations.map(ownMessage), [
            "AuthorizationPolicy shop/api: spec.rules[0].to[0].operation.ports[0]: whether a selected workload listens on port 9090 can't be verified during preview: the container ports, labels or namespace of Deployment shop/api are unknown. Fix: it is checked again when the value is known.",
        ]);
    });

    it("reports a port as can't be verified when a workload of the namespace was left out for unknown labels", async () => {
        const unknownLabels = k8s({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api-v2", namespace: "shop" }, spec: { template: { metadata: { labels: UNKNOWN }, spec: { containers: [] } } } });
        const run = await runStackPolicy(matchesWorkloads(), [...shopWorkloads(), unknownLabels, allowApi("cluster.local/ns/shop/sa/web", ["7000"])]);
        assert.deepStrictEqual(
            run.violations.map((v) => [v.enforcementLevel, ownMessage(v)]),
            [
                ["advisory", `kubernetes:apps/v1:Deployment ${unknownLabels.name}: can't be verified during preview: string value at .spec.template.metadata.labels can't be known during preview; it is checked again when the value is known`],
                [
                    "advisory",
                    `AuthorizationPolicy shop/api: spec.rules[0].to[0].operation.ports[0]: whether a selected workload listens on port 7000 can't be verified during preview: the container ports, labels or namespace of kubernetes:apps/v1:Deployment ${unknownLabels.name} are unknown. Fix: it is checked again when the value is known.`,
                ],
            ],
        );
    });

    it("reports a principal as can't be verified when a workload's namespace is unknown", async () => {
        const lost = k8s({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "lost", namespace: UNKNOWN }, spec: { template: { metadata: { labels: { app: "lost" } }, spec: { containers: [] } } } });
        const run = await runStackPolicy(matchesWorkloads(), [...shopWorkloads(), lost, allowApi("cluster.local/ns/shop/sa/lost")]);
        assert.deepStrictEqual(
            run.violations.map((v) => [v.enforcementLevel, ownMessage(v)]),
            [
                ["advisory", `kubernetes:apps/v1:Deployment ${lost.name}: can't be verified during preview: string value at .metadata.namespace can't be known during preview; it is checked again when the value is known`],
                [
                    "advisory",
                    `AuthorizationPolicy shop/api: spec.rules[0].from[0].source.principals[0]: whether a workload in namespace shop runs as service account lost can't be verified during preview: the service account or namespace of kubernetes:apps/v1:Deployment ${lost.name} is unknown. Fix: it is checked again when the value is known.`,
                ],
            ],
        );
    });

    it("flags a MeshPolicy caller whose serviceAccount drifted from its Deployment", async () => {
        const manifests = compileMeshPolicy({
            services: [
                { id: "web", namespace: "shop", serviceAccount: "web-sa", selector: { app: "web" }, ports: [{ port: 80, protocol: "http", targetPort: 8080 }] },
                { id: "api", namespace: "shop", serviceAccount: "api", selector: { app: "api" }, ports: [{ port: 80, protocol: "http", targetPort: 9090 }] },
            ],
            allow: [{ from: { service: "web" }, to: "api" }],
        });
        const run = await runStackPolicy(matchesWorkloads(), [...shopWorkloads(), ...manifests.map((m) => k8s(m))]);
        assert.deepStrictEqual(run.violations.map((v) => ownMessage(v).split(". Fix:")[0]), [
            "AuthorizationPolicy shop/api-allow: spec.rules[0].from[0].source.principals[0]: no workload in namespace shop runs as service account web-sa, so this caller matches nobody; workloads there run as: api and web",
        ]);
    });
});

describe("policy pack: authorization-policy-token-not-optional (JWT made optional by a gateway caller)", () => {
    const requireToken = { from: [{ source: { requestPrincipals: ["https://id.example.com/*"] } }] };
    const gateway = { from: [{ source: { principals: ["cluster.local/ns/istio-ingress/sa/istio-ingressgateway"] } }] };
    const FIX =
        "Fix: put the JWT requirement on the gateway route (add requestPrincipals to this source, or require the token at the gateway with a RequestAuthentication and an ALLOW policy on the gateway), or drop the plain gateway caller.";

    it("reports a plain gateway caller beside a rule that requires a token, with the fix", async () => {
        const run = await runResourcePolicy(tokenNotOptional(), authorizationPolicy("shop", "api", { selector: { matchLabels: { app: "api" } }, rules: [requireToken, gateway] }));
        assert.deepStrictEqual(
            run.violations.map((v) => [v.enforcementLevel, ownMessage(v)]),
            [
                [
                    "advisory",
                    `AuthorizationPolicy shop/api: spec.rules[1].from[0].source.principals[0]: admits the ingress gateway istio-ingress/istio-ingressgateway without a token while spec.rules[0].from[0].source.requestPrincipals requires one, so requests through the gateway need no JWT. ${FIX}`,
                ],
            ],
        );
    });

    it("counts request.auth.claims conditions as a token requirement and gateway namespaces as gateway callers", async () => {
        const claims = { from: [{ source: { principals: ["cluster.local/ns/shop/sa/web"] } }], when: [{ key: "request.auth.claims[iss]", values: ["https://id.example.com"] }] };
        const byNamespace = { from: [{ source: { namespaces: ["istio-ingress"] } }] };
        const run = await runResourcePolicy(tokenNotOptional(), authorizationPolicy("shop", "api", { rules: [claims, byNamespace] }));
        assert.deepStrictEqual(run.violations.map(ownMessage), [
            `AuthorizationPolicy shop/api: spec.rules[1].from[0].source.namespaces[0]: admits the ingress gateway istio-ingress/istio-ingressgateway without a token while spec.rules[0].when requires one, so requests through the gateway need no JWT. ${FIX}`,
        ]);
    });

    it("passes a gateway caller that itself requires the token, a policy without token rules, and DENY policies", async () => {
        const gatewayWithToken = { from: [{ source: { principals: ["cluster.local/ns/istio-ingress/sa/istio-ingressgateway"], requestPrincipals: ["https://id.example.com/*"] } }] };
        for (const spec of [{ rules: [requireToken, gatewayWithToken] }, { rules: [gateway] }, { action: "DENY", rules: [requireToken, gateway] }]) {
            assert.deepStrictEqual((await runResourcePolicy(tokenNotOptional(), authorizationPolicy("shop", "api", spec))).violations, [], JSON.stringify(spec));
        }
    });

    it("uses the configured gateway identities", async () => {
        const custom = { from: [{ source: { principals: ["prod.example.com/ns/gateways/sa/public-gw"] } }] };
        const policy = authorizationPolicy("shop", "api", { rules: [requireToken, custom] });
        assert.deepStrictEqual((await runResourcePolicy(tokenNotOptional(), policy)).violations, []);
        const run = await runResourcePolicy(tokenNotOptional(), policy, { ingressGateways: ["gateways/public-gw"] });
        assert.deepStrictEqual(run.violations.map((v) => ownMessage(v).split(": ").slice(0, 2).join(": ")), ["AuthorizationPolicy shop/api: spec.rules[1].from[0].source.principals[0]"]);
    });

    it("flags MeshPolicy's { ingressGateway: true } and endUsers on the same destination", async () => {
        const [allow] = compileMeshPolicy({
            services: [{ id: "api", namespace: "shop", serviceAccount: "api", selector: { app: "api" }, ports: [{ port: 80, protocol: "http", targetPort: 9090 }] }],
            allow: [
                { from: { ingressGateway: true }, to: "api" },
                { from: { endUsers: { issuer: "https://id.example.com", jwksUri: "https://id.example.com/jwks" } }, to: "api" },
            ],
            mtls: "inherit",
            defaultDeny: false,
        });
        const run = await runResourcePolicy(tokenNotOptional(), k8s(allow));
        assert.deepStrictEqual(run.violations.map(ownMessage), [
            `AuthorizationPolicy shop/api-allow: spec.rules[0].from[0].source.principals[0]: admits the ingress gateway istio-ingress/istio-ingressgateway without a token while spec.rules[0].from[1].source.requestPrincipals requires one, so requests through the gateway need no JWT. ${FIX}`,
        ]);
    });
});
