import { strict as assert } from "assert";
import { compileMeshPolicy } from "../../components/compile/mesh-policy";
import { K8sManifest } from "../../components/manifest";
import { checkIstioSecurityObject } from "../../components/istio/schema/security";
import { MeshPolicyInput, parseMeshPolicy } from "../../components/model/mesh-policy";

const labels = { "app.kubernetes.io/managed-by": "meshguard" };

function strict(namespace: string): K8sManifest {
    return { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace, labels }, spec: { mtls: { mode: "STRICT" } } };
}
function allowNothing(namespace: string): K8sManifest {
    return { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "allow-nothing", namespace, labels }, spec: {} };
}
function policy(name: string, namespace: string, spec: Record<string, unknown>): K8sManifest {
    return { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name, namespace, labels }, spec };
}

const frontend = { id: "frontend", namespace: "frontend-ns", serviceAccount: "frontend", ports: [{ port: 80, protocol: "http" as const, targetPort: 8080 }] };
const backend = { id: "backend", namespace: "backend-ns", serviceAccount: "backend-sa", ports: [{ port: 9000, protocol: "http" as const }] };

/** The Istio objects only: the NetworkPolicies of the same graph are tested in test/compile/network-policy.test.ts. */
function compile(input: MeshPolicyInput): K8sManifest[] {
    const manifests = compileMeshPolicy({ networkPolicies: false, ...input });
    for (const m of manifests) assert.deepEqual(checkIstioSecurityObject(m), [], `${m.kind} ${m.metadata.name} fails the strict schema`);
    return manifests;
}

describe("compileMeshPolicy: scenarios", () => {
    it("zero-trust deny-all: STRICT mTLS and allow-nothing in every namespace, nothing else", () => {
        assert.deepEqual(compile({ services: [frontend, backend] }), [
            allowNothing("backend-ns"),
            strict("backend-ns"),
            allowNothing("frontend-ns"),
            strict("frontend-ns"),
        ]);
    });

    it("frontend → backend with GET and POST on /api/*", () => {
        const manifests = compile({ services: [frontend, backend], allow: [{ from: { service: "frontend" }, to: "backend", methods: ["POST", "GET"], paths: ["/api/*"] }] });
        assert.deepEqual(manifests, [
            allowNothing("backend-ns"),
            policy("backend-allow", "backend-ns", {
                selector: { matchLabels: { app: "backend" } },
                action: "ALLOW",
                rules: [
                    {
                        from: [{ source: { principals: ["cluster.local/ns/frontend-ns/sa/frontend"] } }],
                        to: [{ operation: { ports: ["9000"], methods: ["GET", "POST"], paths: ["/api/*"] } }],
                    },
                ],
            }),
            strict("backend-ns"),
            allowNothing("frontend-ns"),
            strict("frontend-ns"),
        ]);
    });

    it("a /api/* relationship does not grant /api: list both to allow both", () => {
        const [, allow] = compile({ services: [frontend, backend], allow: [{ from: { service: "frontend" }, to: "backend", paths: ["/api/*", "/api"] }] });
        assert.deepEqual((allow.spec as { rules: unknown[] }).rules, [
            { from: [{ source: { principals: ["cluster.local/ns/frontend-ns/sa/frontend"] } }], to: [{ operation: { ports: ["9000"], paths: ["/api", "/api/*"] } }] },
        ]);
    });

    it("only namespace frontend-ns may call backend-ns", () => {
        const manifests = compile({
            services: [frontend, backend],
            allow: [{ from: { namespace: "frontend-ns" }, to: "backend" }],
            deny: [{ toNamespace: "backend-ns", unlessFrom: [{ namespace: "frontend-ns" }] }],
        });
        assert.deepEqual(manifests.slice(0, 3), [
            allowNothing("backend-ns"),
            policy("backend-allow", "backend-ns", {
                selector: { matchLabels: { app: "backend" } },
                action: "ALLOW",
                rules: [{ from: [{ source: { namespaces: ["frontend-ns"] } }], to: [{ operation: { ports: ["9000"] } }] }],
            }),
            policy("deny-unlisted-callers", "backend-ns", { action: "DENY", rules: [{ from: [{ source: { notNamespaces: ["frontend-ns"] } }] }] }),
        ]);
        assert.equal(manifests.length, 6);
    });

    it("end users with a JWT from an issuer, required iss claim", () => {
        const manifests = compile({
            services: [frontend],
            allow: [
                {
                    from: { endUsers: { issuer: "https://accounts.google.com", jwksUri: "https://www.googleapis.com/oauth2/v3/certs", claims: { iss: ["https://accounts.google.com"] } } },
                    to: "frontend",
                },
            ],
        });
        assert.deepEqual(manifests, [
            allowNothing("frontend-ns"),
            policy("frontend-allow", "frontend-ns", {
                selector: { matchLabels: { app: "frontend" } },
                action: "ALLOW",
                rules: [
                    {
                        from: [{ source: { requestPrincipals: ["https://accounts.google.com/*"] } }],
                        to: [{ operation: { ports: ["8080"] } }],
                        when: [{ key: "request.auth.claims[iss]", values: ["https://accounts.google.com"] }],
                    },
                ],
            }),
            strict("frontend-ns"),
            {
                apiVersion: "security.istio.io/v1",
                kind: "RequestAuthentication",
                metadata: { name: "frontend-jwt", namespace: "frontend-ns", labels },
                spec: {
                    selector: { matchLabels: { app: "frontend" } },
                    jwtRules: [{ issuer: "https://accounts.google.com", jwksUri: "https://www.googleapis.com/oauth2/v3/certs" }],
                },
            },
        ]);
    });

    it("GET and HEAD only", () => {
        const [, allow] = compile({ services: [frontend, backend], allow: [{ from: { service: "frontend" }, to: "backend", methods: ["HEAD", "GET"] }] });
        assert.deepEqual((allow.spec as { rules: unknown[] }).rules, [
            { from: [{ source: { principals: ["cluster.local/ns/frontend-ns/sa/frontend"] } }], to: [{ operation: { ports: ["9000"], methods: ["GET", "HEAD"] } }] },
        ]);
    });

    it("paths /test/* and */info", () => {
        const [, allow] = compile({ services: [frontend, backend], allow: [{ from: { service: "frontend" }, to: "backend", paths: ["/test/*", "*/info"] }] });
        assert.deepEqual((allow.spec as { rules: unknown[] }).rules, [
            { from: [{ source: { principals: ["cluster.local/ns/frontend-ns/sa/frontend"] } }], to: [{ operation: { ports: ["9000"], paths: ["*/info", "/test/*"] } }] },
        ]);
    });
});

describe("compileMeshPolicy: rules and options", () => {
    const db = {
        id: "db",
        namespace: "data",
        serviceAccount: "db",
        selector: { "app.kubernetes.io/name": "postgres" },
        ports: [
            { port: 5432, protocol: "tcp" as const },
            { port: 8008, protocol: "http" as const, name: "admin" },
        ],
    };

    it("lists all callers of a destination in one policy; HTTP and TCP operations in separate rules", () => {
        const manifests = compile({
            services: [frontend, backend, db],
            allow: [
                { from: { service: "backend" }, to: "db" },
                { from: { service: "frontend" }, to: "db", ports: [5432] },
                { from: { ingressGateway: true }, to: "db", ports: [8008], methods: ["GET"] },
            ],
            mtls: "inherit",
            defaultDeny: false,
        });
        assert.deepEqual(manifests, [
            policy("db-allow", "data", {
                selector: { matchLabels: { "app.kubernetes.io/name": "postgres" } },
                action: "ALLOW",
                rules: [
                    { from: [{ source: { principals: ["cluster.local/ns/backend-ns/sa/backend-sa", "cluster.local/ns/frontend-ns/sa/frontend"] } }], to: [{ operation: { ports: ["5432"] } }] },
                    { from: [{ source: { principals: ["cluster.local/ns/istio-ingress/sa/istio-ingressgateway"] } }], to: [{ operation: { ports: ["8008"], methods: ["GET"] } }] },
                    { from: [{ source: { principals: ["cluster.local/ns/backend-ns/sa/backend-sa"] } }], to: [{ operation: { ports: ["8008"] } }] },
                ],
            }),
        ]);
    });

    it("HTTP fields without ports apply to the HTTP ports only", () => {
        const [allow] = compile({ services: [frontend, db], allow: [{ from: { service: "frontend" }, to: "db", paths: ["/health"] }], mtls: "inherit", defaultDeny: false });
        assert.deepEqual((allow.spec as { rules: unknown[] }).rules, [
            { from: [{ source: { principals: ["cluster.local/ns/frontend-ns/sa/frontend"] } }], to: [{ operation: { ports: ["8008"], paths: ["/health"] } }] },
        ]);
    });

    it("gRPC methods become POST on /package.Service/Method, on grpc ports", () => {
        const api = { id: "api", namespace: "api", serviceAccount: "api", ports: [{ port: 50051, protocol: "grpc" as const }, { port: 8080, protocol: "http" as const }] };
        const [allow] = compile({
            services: [frontend, api],
            allow: [{ from: { service: "frontend" }, to: "api", grpcMethods: ["shop.v1.Cart/AddItem", "shop.v1.Catalog/*"] }],
            mtls: "inherit",
            defaultDeny: false,
        });
        assert.deepEqual((allow.spec as { rules: unknown[] }).rules, [
            {
                from: [{ source: { principals: ["cluster.local/ns/frontend-ns/sa/frontend"] } }],
                to: [{ operation: { ports: ["50051"], methods: ["POST"], paths: ["/shop.v1.Cart/AddItem", "/shop.v1.Catalog/*"] } }],
            },
        ]);
    });

    it("uses the trust domain, the configured gateway identity, subjects and audiences", () => {
        const [allow, ra] = compile({
            trustDomain: "prod.example.com",
            ingressGateway: { namespace: "gateways", serviceAccount: "public-gw" },
            services: [frontend],
            allow: [
                { from: { ingressGateway: true }, to: "frontend" },
                { from: { endUsers: { issuer: "https://issuer.example.com", jwksUri: "https://issuer.example.com/jwks", audiences: ["web"], subjects: ["alice", "bob"] } }, to: "frontend" },
                { from: { endUsers: { issuer: "https://issuer.example.com", jwksUri: "https://issuer.example.com/jwks", audiences: ["mobile"] } }, to: "frontend", methods: ["GET"] },
            ],
            mtls: "inherit",
            defaultDeny: false,
        });
        assert.deepEqual((allow.spec as { rules: unknown[] }).rules, [
            {
                from: [{ source: { requestPrincipals: ["https://issuer.example.com/*"] } }],
                to: [{ operation: { ports: ["8080"], methods: ["GET"] } }],
                when: [{ key: "request.auth.audiences", values: ["mobile"] }],
            },
            {
                from: [{ source: { requestPrincipals: ["https://issuer.example.com/alice", "https://issuer.example.com/bob"] } }],
                to: [{ operation: { ports: ["8080"] } }],
                when: [{ key: "request.auth.audiences", values: ["web"] }],
            },
            { from: [{ source: { principals: ["prod.example.com/ns/gateways/sa/public-gw"] } }], to: [{ operation: { ports: ["8080"] } }] },
        ]);
        assert.deepEqual(ra.spec, {
            selector: { matchLabels: { app: "frontend" } },
            jwtRules: [{ issuer: "https://issuer.example.com", jwksUri: "https://issuer.example.com/jwks", audiences: ["mobile", "web"] }],
        });
    });

    it("leaves audiences off an issuer's jwtRule when one of its relationships accepts any audience", () => {
        const issuer = { issuer: "https://issuer.example.com", jwksUri: "https://issuer.example.com/jwks" };
        for (const allow of [
            [{ from: { endUsers: issuer }, to: "frontend" }, { from: { endUsers: { ...issuer, audiences: ["web"] } }, to: "frontend" }],
            [{ from: { endUsers: { ...issuer, audiences: ["web"] } }, to: "frontend" }, { from: { endUsers: issuer }, to: "frontend" }],
        ]) {
            const ra = compile({ services: [frontend], allow, mtls: "inherit", defaultDeny: false }).find((m) => m.kind === "RequestAuthentication");
            assert.deepEqual(ra?.spec, { selector: { matchLabels: { app: "frontend" } }, jwtRules: [issuer] });
        }
    });

    it("explicit deny rules use negative matching on identities, optionally per port", () => {
        const manifests = compile({
            services: [frontend, backend, db],
            deny: [
                { to: "db", unlessFrom: [{ service: "backend" }, { ingressGateway: true }, { namespace: "ops" }], ports: [5432] },
                { to: "db", unlessFrom: [{ namespace: "data" }] },
            ],
            mtls: "inherit",
            defaultDeny: false,
        });
        assert.deepEqual(manifests, [
            policy("db-deny", "data", {
                selector: { matchLabels: { "app.kubernetes.io/name": "postgres" } },
                action: "DENY",
                rules: [
                    { from: [{ source: { notNamespaces: ["data"] } }] },
                    {
                        from: [{ source: { notNamespaces: ["ops"], notPrincipals: ["cluster.local/ns/backend-ns/sa/backend-sa", "cluster.local/ns/istio-ingress/sa/istio-ingressgateway"] } }],
                        to: [{ operation: { ports: ["5432"] } }],
                    },
                ],
            }),
        ]);
    });

    it("dryRun annotates every AuthorizationPolicy, allow-nothing included", () => {
        const manifests = compile({ services: [backend], allow: [{ from: { namespace: "x" }, to: "backend" }], dryRun: true });
        assert.deepEqual(
            manifests.map((m) => [m.kind, m.metadata.name, m.metadata.annotations]),
            [
                ["AuthorizationPolicy", "allow-nothing", { "istio.io/dry-run": "true" }],
                ["AuthorizationPolicy", "backend-allow", { "istio.io/dry-run": "true" }],
                ["PeerAuthentication", "default", undefined],
            ],
        );
    });

    it("emits ISTIO_MUTUAL DestinationRules only when asked, on the cluster DNS domain", () => {
        assert.equal(compile({ services: [backend] }).filter((m) => m.kind === "DestinationRule").length, 0);
        const manifests = compile({ services: [backend], destinationRules: true, clusterDomain: "corp.internal", trustDomain: "td.example" });
        assert.deepEqual(
            manifests.find((m) => m.kind === "DestinationRule"),
            {
                apiVersion: "networking.istio.io/v1",
                kind: "DestinationRule",
                metadata: { name: "backend-istio-mutual", namespace: "backend-ns", labels },
                spec: { host: "backend.backend-ns.svc.corp.internal", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } },
            },
        );
    });

    it("truncates long names with a stable hash", () => {
        const id = "a".repeat(60);
        const manifests = compile({ services: [{ id, namespace: "ns", serviceAccount: "sa", ports: [{ port: 80, protocol: "http" }] }], allow: [{ from: { namespace: "ns" }, to: id }] });
        const allow = manifests.filter((m) => m.kind === "AuthorizationPolicy" && m.metadata.name !== "allow-nothing")[0];
        assert.equal(allow.metadata.name, `${"a".repeat(54)}-0def06ec`);
    });

    it("is deterministic: the order of the input does not change the output", () => {
        const input: MeshPolicyInput = {
            services: [frontend, backend, db],
            allow: [
                { from: { service: "frontend" }, to: "backend", methods: ["GET"] },
                { from: { namespace: "ops" }, to: "db" },
                { from: { service: "backend" }, to: "db", ports: [5432] },
            ],
        };
        const reversed: MeshPolicyInput = { services: [...input.services].reverse(), allow: [...(input.allow ?? [])].reverse() };
        assert.deepEqual(JSON.stringify(compile(reversed)), JSON.stringify(compile(input)));
    });

    it("parseMeshPolicy applies the documented defaults", () => {
        const config = parseMeshPolicy({ services: [backend] });
        assert.deepEqual(
            { ...config, services: undefined },
            {
                trustDomain: "cluster.local",
                clusterDomain: "cluster.local",
                services: undefined,
                allow: [],
                deny: [],
                ingressGateway: { namespace: "istio-ingress", serviceAccount: "istio-ingressgateway", selector: { istio: "ingressgateway" } },
                networkPolicies: { ingress: true, egress: false, dns: { namespace: "kube-system", selector: { "k8s-app": "kube-dns" } }, istiod: { selector: { app: "istiod" } } },
                rootNamespace: "istio-system",
                defaultDeny: true,
                mtls: "STRICT",
                destinationRules: false,
                dryRun: false,
                allowSharedServiceAccounts: false,
                clusterCidrs: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
                namespaces: {},
            },
        );
    });
});
