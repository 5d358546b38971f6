// Exact manifests of ambient namespaces (docs/mesh-policy.md, "Ambient namespaces"): ztunnel-only
// namespaces keep sidecar-mode objects (L4 rules only), waypoint namespaces get a waypoint layer
// (targetRefs) and a ztunnel layer admitting the waypoint; sidecar and ambient namespaces mix.
import { strict as assert } from "assert";
import { compileMeshPolicy } from "../../components/compile/mesh-policy";
import { K8sManifest } from "../../components/manifest";
import { checkIstioSecurityObject } from "../../components/istio/schema/security";
import { MeshPolicyInput } from "../../components/model/mesh-policy";

const labels = { "app.kubernetes.io/managed-by": "meshguard" };
const SEC = "security.istio.io/v1";
const strict = (ns: string): K8sManifest => ({ apiVersion: SEC, kind: "PeerAuthentication", metadata: { name: "default", namespace: ns, labels }, spec: { mtls: { mode: "STRICT" } } });
const allowNothing = (ns: string): K8sManifest => ({ apiVersion: SEC, kind: "AuthorizationPolicy", metadata: { name: "allow-nothing", namespace: ns, labels }, spec: {} });
const authz = (name: string, ns: string, spec: Record<string, unknown>, annotations?: Record<string, string>): K8sManifest => ({
    apiVersion: SEC,
    kind: "AuthorizationPolicy",
    metadata: { name, namespace: ns, labels, ...(annotations === undefined ? {} : { annotations }) },
    spec,
});
const waypointGateway = { group: "gateway.networking.k8s.io", kind: "Gateway", name: "waypoint" };
const serviceRef = (name: string) => ({ group: "", kind: "Service", name });
const waypointAllowNothing = (ns: string) => authz("allow-nothing.waypoint", ns, { targetRefs: [waypointGateway] });
const principals = (...values: string[]) => ({ source: { principals: values } });
const ports = (...values: string[]) => ({ operation: { ports: values } });
const P = (ns: string, sa: string) => `cluster.local/ns/${ns}/sa/${sa}`;

const np = (name: string, ns: string, spec: Record<string, unknown>): K8sManifest => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: ns, labels }, spec });
const pods = (ns: string, selector: Record<string, string>) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } }, podSelector: { matchLabels: selector } });
const tcp = (...values: number[]) => values.map((port) => ({ protocol: "TCP", port }));
const denyIngress = (ns: string) => np("default-deny-ingress", ns, { podSelector: {}, policyTypes: ["Ingress"] });
const denyEgress = (ns: string) => np("default-deny-egress", ns, { podSelector: {}, policyTypes: ["Egress"] });
const waypointPods = (ns: string) => pods(ns, { "gateway.networking.k8s.io/gateway-name": "waypoint" });
const dnsRule = { to: [pods("kube-system", { "k8s-app": "kube-dns" })], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] };
const istiodRule = { to: [pods("istio-system", { app: "istiod" })], ports: tcp(15012) };

const api = { id: "api", namespace: "shop", serviceAccount: "api", ports: [{ port: 80, protocol: "http" as const, targetPort: 8080 }] };
const db = { id: "db", namespace: "shop", serviceAccount: "db", ports: [{ port: 5432, protocol: "tcp" as const }] };
const web = { id: "web", namespace: "front", serviceAccount: "web", ports: [{ port: 8080, protocol: "http" as const }] };
const legacy = { id: "legacy", namespace: "old", serviceAccount: "legacy", ports: [{ port: 9000, protocol: "http" as const, targetPort: 9090 }] };

function compile(input: MeshPolicyInput): K8sManifest[] {
    const manifests = compileMeshPolicy(input);
    for (const m of manifests) assert.deepEqual(checkIstioSecurityObject(m), [], `${m.kind} ${m.metadata.name} fails the strict schema`);
    return manifests;
}

describe("compileMeshPolicy: ambient namespaces", () => {
    it("an ambient namespace without a waypoint, L4 only: the sidecar-mode objects (ztunnel enforces them), and HBONE 15008 in the NetworkPolicies", () => {
        const manifests = compile({
            namespaces: { front: { dataplane: "ambient" }, shop: { dataplane: "ambient" } },
            services: [web, api, db],
            allow: [
                { from: { service: "web" }, to: "api" },
                { from: { service: "api" }, to: "db" },
            ],
        });
        assert.deepEqual(manifests, [
            allowNothing("front"),
            denyIngress("front"),
            strict("front"),
            allowNothing("shop"),
            authz("api-allow", "shop", { selector: { matchLabels: { app: "api" } }, action: "ALLOW", rules: [{ from: [principals(P("front", "web"))], to: [ports("8080")] }] }),
            authz("db-allow", "shop", { selector: { matchLabels: { app: "db" } }, action: "ALLOW", rules: [{ from: [principals(P("shop", "api"))], to: [ports("5432")] }] }),
            np("allow-ingress-to-api", "shop", { podSelector: { matchLabels: { app: "api" } }, policyTypes: ["Ingress"], ingress: [{ from: [pods("front", { app: "web" })], ports: tcp(8080, 15008) }] }),
            np("allow-ingress-to-db", "shop", { podSelector: { matchLabels: { app: "db" } }, policyTypes: ["Ingress"], ingress: [{ from: [pods("shop", { app: "api" })], ports: tcp(5432, 15008) }] }),
            denyIngress("shop"),
            strict("shop"),
        ]);
    });

    it("a waypoint and L7 rules: the waypoint layer (targetRefs, Service ports) and the ztunnel layer admitting only the waypoint (container ports)", () => {
        const manifests = compile({
            networkPolicies: { ingress: true, egress: true },
            namespaces: { shop: { dataplane: "ambient", waypoint: "waypoint" }, front: { dataplane: "ambient" } },
            services: [web, api, db],
            allow: [
                { from: { service: "web" }, to: "api", methods: ["GET"], paths: ["/items/*"] },
                { from: { service: "api" }, to: "db" },
            ],
        });
        const egressFrom = (name: string, ns: string, selector: Record<string, string>, callees: unknown[]) =>
            np(name, ns, { podSelector: { matchLabels: selector }, policyTypes: ["Egress"], egress: [...callees, dnsRule, istiodRule] });
        assert.deepEqual(manifests, [
            allowNothing("front"),
            egressFrom("allow-egress-from-web", "front", { app: "web" }, [
                { to: [pods("shop", { app: "api" })], ports: tcp(8080, 15008) },
                { to: [waypointPods("shop")], ports: tcp(15008) },
            ]),
            denyEgress("front"),
            denyIngress("front"),
            strict("front"),
            allowNothing("shop"),
            waypointAllowNothing("shop"),
            authz("api-allow", "shop", { selector: { matchLabels: { app: "api" } }, action: "ALLOW", rules: [{ from: [principals(P("shop", "waypoint"))], to: [ports("8080")] }] }),
            authz("api.waypoint-allow", "shop", {
                targetRefs: [serviceRef("api")],
                action: "ALLOW",
                rules: [{ from: [principals(P("front", "web"))], to: [{ operation: { ports: ["80"], methods: ["GET"], paths: ["/items/*"] } }] }],
            }),
            authz("db-allow", "shop", { selector: { matchLabels: { app: "db" } }, action: "ALLOW", rules: [{ from: [principals(P("shop", "waypoint"))], to: [ports("5432")] }] }),
            authz("db.waypoint-allow", "shop", { targetRefs: [serviceRef("db")], action: "ALLOW", rules: [{ from: [principals(P("shop", "api"))], to: [ports("5432")] }] }),
            egressFrom("allow-egress-from-api", "shop", { app: "api" }, [
                { to: [pods("shop", { app: "db" })], ports: tcp(5432, 15008) },
                { to: [waypointPods("shop")], ports: tcp(15008) },
            ]),
            egressFrom("allow-egress-from-db", "shop", { app: "db" }, []),
            np("allow-egress-from.waypoint", "shop", {
                podSelector: { matchLabels: { "gateway.networking.k8s.io/gateway-name": "waypoint" } },
                policyTypes: ["Egress"],
                egress: [{ to: [pods("shop", { app: "api" }), pods("shop", { app: "db" })], ports: tcp(15008) }, dnsRule, istiodRule],
            }),
            np("allow-ingress-to-api", "shop", {
                podSelector: { matchLabels: { app: "api" } },
                policyTypes: ["Ingress"],
                ingress: [
                    { from: [pods("front", { app: "web" })], ports: tcp(8080, 15008) },
                    { from: [waypointPods("shop")], ports: tcp(15008) },
                ],
            }),
            np("allow-ingress-to-db", "shop", {
                podSelector: { matchLabels: { app: "db" } },
                policyTypes: ["Ingress"],
                ingress: [
                    { from: [pods("shop", { app: "api" })], ports: tcp(5432, 15008) },
                    { from: [waypointPods("shop")], ports: tcp(15008) },
                ],
            }),
            np("allow-ingress-to.waypoint", "shop", {
                podSelector: { matchLabels: { "gateway.networking.k8s.io/gateway-name": "waypoint" } },
                policyTypes: ["Ingress"],
                ingress: [{ from: [pods("shop", { app: "api" }), pods("front", { app: "web" })], ports: tcp(15008) }],
            }),
            denyEgress("shop"),
            denyIngress("shop"),
            strict("shop"),
        ]);
    });

    it("a JWT caller through a waypoint: ingressUseWaypoint sends the ingress gateway through it, and the RequestAuthentication attaches to the Service", () => {
        const manifests = compile({
            networkPolicies: false,
            namespaces: { shop: { dataplane: "ambient", waypoint: "waypoint", ingressUseWaypoint: true } },
            services: [api],
            allow: [
                { from: { endUsers: { issuer: "https://idp.example", jwksUri: "https://idp.example/jwks", audiences: ["shop"] } }, to: "api", methods: ["GET"] },
                { from: { ingressGateway: true }, to: "api", paths: ["/health"] },
            ],
        });
        assert.deepEqual(manifests, [
            allowNothing("shop"),
            waypointAllowNothing("shop"),
            authz("api-allow", "shop", { selector: { matchLabels: { app: "api" } }, action: "ALLOW", rules: [{ from: [principals(P("shop", "waypoint"))], to: [ports("8080")] }] }),
            authz("api.waypoint-allow", "shop", {
                targetRefs: [serviceRef("api")],
                action: "ALLOW",
                rules: [
                    {
                        from: [{ source: { requestPrincipals: ["https://idp.example/*"] } }],
                        to: [{ operation: { ports: ["80"], methods: ["GET"] } }],
                        when: [{ key: "request.auth.audiences", values: ["shop"] }],
                    },
                    { from: [principals(P("istio-ingress", "istio-ingressgateway"))], to: [{ operation: { ports: ["80"], paths: ["/health"] } }] },
                ],
            }),
            strict("shop"),
            {
                apiVersion: SEC,
                kind: "RequestAuthentication",
                metadata: { name: "api.waypoint-jwt", namespace: "shop", labels },
                spec: { targetRefs: [serviceRef("api")], jwtRules: [{ issuer: "https://idp.example", jwksUri: "https://idp.example/jwks", audiences: ["shop"] }] },
            },
        ]);
    });

    it("a sidecar caller to an ambient callee with a waypoint, and back: the sidecar is admitted at ztunnel with its own identity (it never passes the waypoint), the ambient caller arrives at the sidecar with its own", () => {
        const manifests = compile({
            networkPolicies: false,
            namespaces: { shop: { dataplane: "ambient", waypoint: "waypoint" } },
            services: [legacy, api],
            allow: [
                { from: { service: "legacy" }, to: "api" },
                { from: { service: "api" }, to: "legacy", methods: ["POST"] },
            ],
        });
        assert.deepEqual(manifests, [
            allowNothing("old"),
            authz("legacy-allow", "old", {
                selector: { matchLabels: { app: "legacy" } },
                action: "ALLOW",
                rules: [{ from: [principals(P("shop", "api"))], to: [{ operation: { ports: ["9090"], methods: ["POST"] } }] }],
            }),
            strict("old"),
            allowNothing("shop"),
            waypointAllowNothing("shop"),
            authz("api-allow", "shop", { selector: { matchLabels: { app: "api" } }, action: "ALLOW", rules: [{ from: [principals(P("old", "legacy"))], to: [ports("8080")] }] }),
            authz("api.waypoint-allow", "shop", { targetRefs: [serviceRef("api")], action: "ALLOW", rules: [{ from: [principals(P("old", "legacy"))], to: [ports("80")] }] }),
            strict("shop"),
        ]);
    });

    it("a sidecar namespace caller and an ambient namespace caller of one waypoint destination: the ambient one passes the waypoint, the sidecar one reaches ztunnel", () => {
        const [, , ztunnel, waypoint] = compile({
            networkPolicies: false,
            namespaces: { shop: { dataplane: "ambient", waypoint: "waypoint" }, front: { dataplane: "ambient" } },
            services: [legacy, web, api],
            allow: [
                { from: { namespace: "old" }, to: "api" },
                { from: { namespace: "front" }, to: "api" },
            ],
        }).filter((m) => m.metadata.namespace === "shop");
        assert.deepEqual(ztunnel.spec, {
            selector: { matchLabels: { app: "api" } },
            action: "ALLOW",
            rules: [{ from: [{ source: { namespaces: ["old"] } }, principals(P("shop", "waypoint"))], to: [ports("8080")] }],
        });
        assert.deepEqual(waypoint.spec, { targetRefs: [serviceRef("api")], action: "ALLOW", rules: [{ from: [{ source: { namespaces: ["front", "old"] } }], to: [ports("80")] }] });
    });

    it("deny rules to a waypoint destination and a waypoint namespace: the same rule at the waypoint and at ztunnel, where the waypoint is exempt", () => {
        const manifests = compile({
            networkPolicies: false,
            namespaces: { shop: { dataplane: "ambient", waypoint: "waypoint" }, front: { dataplane: "ambient" } },
            services: [web, api],
            allow: [{ from: { service: "web" }, to: "api" }],
            deny: [
                { to: "api", unlessFrom: [{ service: "web" }], ports: [80] },
                { toNamespace: "shop", unlessFrom: [{ namespace: "front" }] },
            ],
        }).filter((m) => m.metadata.namespace === "shop" && (m.spec as { action?: string }).action === "DENY");
        assert.deepEqual(manifests, [
            authz("api-deny", "shop", { selector: { matchLabels: { app: "api" } }, action: "DENY", rules: [{ from: [{ source: { notPrincipals: [P("front", "web"), P("shop", "waypoint")] } }], to: [ports("8080")] }] }),
            authz("api.waypoint-deny", "shop", { targetRefs: [serviceRef("api")], action: "DENY", rules: [{ from: [{ source: { notPrincipals: [P("front", "web")] } }], to: [ports("80")] }] }),
            authz("deny-unlisted-callers", "shop", { action: "DENY", rules: [{ from: [{ source: { notNamespaces: ["front"], notPrincipals: [P("shop", "waypoint")] } }] }] }),
            authz("deny-unlisted-callers.waypoint", "shop", { targetRefs: [waypointGateway], action: "DENY", rules: [{ from: [{ source: { notNamespaces: ["front"] } }] }] }),
        ]);
    });

    it("staged enforcement of a waypoint destination stages both layers: dry-run policies, an enforced staged allow at ztunnel and one at the waypoint", () => {
        const dryRun = { "istio.io/dry-run": "true" };
        const staged = { "meshguard.io/staged-enforcement": "dry-run" };
        const manifests = compile({
            networkPolicies: false,
            namespaces: { shop: { dataplane: "ambient", waypoint: "waypoint" }, front: { dataplane: "ambient" } },
            services: [web, api],
            allow: [{ from: { service: "web" }, to: "api", methods: ["GET"] }],
            dryRunServices: ["api"],
        }).filter((m) => m.metadata.namespace === "shop" && m.kind === "AuthorizationPolicy");
        assert.deepEqual(manifests, [
            allowNothing("shop"),
            waypointAllowNothing("shop"),
            authz("api-allow", "shop", { selector: { matchLabels: { app: "api" } }, action: "ALLOW", rules: [{ from: [principals(P("shop", "waypoint"))], to: [ports("8080")] }] }, dryRun),
            authz("api.staged-allow", "shop", { selector: { matchLabels: { app: "api" } }, action: "ALLOW", rules: [{ to: [ports("8080")] }] }, staged),
            authz(
                "api.waypoint-allow",
                "shop",
                { targetRefs: [serviceRef("api")], action: "ALLOW", rules: [{ from: [principals(P("front", "web"))], to: [{ operation: { ports: ["80"], methods: ["GET"] } }] }] },
                dryRun,
            ),
            authz("api.waypoint-staged-allow", "shop", { targetRefs: [serviceRef("api")], action: "ALLOW", rules: [{ to: [ports("80")] }] }, staged),
        ]);
    });

    it("staged enforcement with NetworkPolicies opens the staged destination and its waypoint on HBONE to every pod, and lets isolated namespaces reach both", () => {
        const manifests = compile({
            networkPolicies: { ingress: true, egress: true },
            namespaces: { shop: { dataplane: "ambient", waypoint: "waypoint" }, front: { dataplane: "ambient" } },
            services: [web, api],
            allow: [{ from: { service: "web" }, to: "api", methods: ["GET"] }],
            dryRunServices: ["api"],
        });
        const named = (ns: string, name: string) => manifests.filter((m) => m.metadata.namespace === ns && m.kind === "NetworkPolicy" && m.metadata.name === name);
        const everyPod = { namespaceSelector: {} };
        assert.deepEqual(named("shop", "allow-ingress-to-api"), [
            np("allow-ingress-to-api", "shop", { podSelector: { matchLabels: { app: "api" } }, policyTypes: ["Ingress"], ingress: [{ from: [everyPod], ports: tcp(8080, 15008) }] }),
        ]);
        assert.deepEqual(named("shop", "allow-ingress-to.waypoint"), [
            np("allow-ingress-to.waypoint", "shop", {
                podSelector: { matchLabels: { "gateway.networking.k8s.io/gateway-name": "waypoint" } },
                policyTypes: ["Ingress"],
                ingress: [{ from: [everyPod], ports: tcp(15008) }],
            }),
        ]);
        assert.deepEqual(named("front", "allow-egress-to.dry-run-services"), [
            np("allow-egress-to.dry-run-services", "front", {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [
                    { to: [pods("shop", { app: "api" })], ports: tcp(8080, 15008) },
                    { to: [waypointPods("shop")], ports: tcp(15008) },
                ],
            }),
        ]);
    });

    it("dryRun: true puts both layers in dry-run, the waypoint's allow-nothing included", () => {
        const manifests = compile({
            networkPolicies: false,
            namespaces: { shop: { dataplane: "ambient", waypoint: "waypoint" } },
            services: [api],
            dryRun: true,
        });
        assert.deepEqual(manifests, [
            authz("allow-nothing", "shop", {}, { "istio.io/dry-run": "true" }),
            authz("allow-nothing.waypoint", "shop", { targetRefs: [waypointGateway] }, { "istio.io/dry-run": "true" }),
            strict("shop"),
        ]);
    });

    it("no ISTIO_MUTUAL DestinationRule for services of ambient namespaces; sidecar services keep theirs", () => {
        const rules = compile({ networkPolicies: false, destinationRules: true, namespaces: { shop: { dataplane: "ambient" } }, services: [legacy, api] }).filter((m) => m.kind === "DestinationRule");
        assert.deepEqual(
            rules.map((m) => `${m.metadata.namespace}/${m.metadata.name}`),
            ["old/legacy-istio-mutual"],
        );
    });

    it("a namespace listed as sidecar, or not listed, compiles exactly as without the field", () => {
        const input: MeshPolicyInput = { services: [legacy, api], allow: [{ from: { service: "legacy" }, to: "api", methods: ["GET"] }], networkPolicies: { ingress: true, egress: true } };
        assert.deepEqual(compile({ ...input, namespaces: { shop: { dataplane: "sidecar" }, old: {} } }), compile(input));
    });
});
