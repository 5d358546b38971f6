import * as assert from "assert";
import { AuthorizationSimulator, formatDecision, reachability, SimRequest } from "../../components/simulate";
import { namespace, service, waypointGateway } from "../fixtures/objects";
import { authz, peerAuthn, requestAuthn, strictMesh, workload } from "./fixtures";

// Ambient enforcement (Istio 1.30.3): the waypoint takes targetRef policies with the caller's
// identity and full HTTP; the destination's ztunnel takes selector policies, L4 only, with the
// identity of whoever reaches it (components/istio/waypoints.ts, ztunnel-authz.ts).
const td = "cluster.local";
const p = (ns: string, sa: string) => `${td}/ns/${ns}/sa/${sa}`;
const WAYPOINT = p("shop", "waypoint");

const objects = [
    namespace("shop", { "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint" }),
    namespace("plain", { "istio.io/dataplane-mode": "ambient" }),
    namespace("legacy", { "istio-injection": "enabled" }),
    waypointGateway("shop", "waypoint"),
    service("shop", "reviews", { app: "reviews" }, [{ name: "http", port: 9080 }]),
    strictMesh,
    // shop: waypoint layer (targetRefs) and ztunnel layer (selector admits only the waypoint).
    authz("shop", "allow-nothing", {}),
    authz("shop", "waypoint-allow-nothing", { targetRefs: [{ kind: "Gateway", group: "gateway.networking.k8s.io", name: "waypoint" }] }),
    authz("shop", "reviews", {
        targetRefs: [{ kind: "Service", group: "", name: "reviews" }],
        rules: [
            { from: [{ source: { principals: [p("shop", "productpage")] } }], to: [{ operation: { methods: ["GET"], paths: ["/reviews/*"] } }] },
            { from: [{ source: { principals: [p("istio-ingress", "istio-ingressgateway")] } }], to: [{ operation: { methods: ["GET"] } }] },
            { from: [{ source: { requestPrincipals: ["https://idp.example/alice"] } }] },
        ],
    }),
    requestAuthn("shop", "reviews-jwt", { targetRefs: [{ kind: "Service", group: "", name: "reviews" }], jwtRules: [{ issuer: "https://idp.example", jwksUri: "https://idp.example/jwks" }] }),
    authz("shop", "reviews-from-waypoint", { selector: { matchLabels: { app: "reviews" } }, rules: [{ from: [{ source: { principals: [WAYPOINT] } }], to: [{ operation: { ports: ["9080"] } }] }] }),
    // plain: ztunnel only.
    authz("plain", "allow-nothing", {}),
    authz("plain", "db", {
        selector: { matchLabels: { app: "db" } },
        rules: [
            { from: [{ source: { principals: [p("plain", "client")] } }], to: [{ operation: { ports: ["5432"] } }] },
            { from: [{ source: { principals: [p("legacy", "web")] } }], to: [{ operation: { methods: ["GET"] } }] },
        ],
    }),
];
const workloads = [
    workload("shop", "reviews", { ports: [{ port: 9080, protocol: "http" }] }),
    workload("shop", "productpage"),
    workload("plain", "db", { ports: [{ port: 5432, protocol: "tcp" }] }),
    workload("plain", "client"),
    workload("legacy", "web"),
    workload("istio-ingress", "istio-ingressgateway", { labels: { istio: "ingressgateway" } }),
];
const sim = (extra: unknown[] = []) => new AuthorizationSimulator({ manifests: [...objects, ...extra], workloads });
const decide = (request: SimRequest, extra: unknown[] = []) => sim(extra).decide(request);

describe("simulate/ambient", () => {
    it("reads each workload's data plane from its namespace's labels", () => {
        const s = sim();
        assert.deepStrictEqual(
            workloads.map((w) => s.dataplaneOf(w)),
            ["ambient", "ambient", "ambient", "ambient", "sidecar", "sidecar"],
        );
    });

    it("through the waypoint: the waypoint allows with the caller's identity, ztunnel admits the waypoint's identity", () => {
        const d = decide({ from: { workload: "shop/productpage" }, to: "shop/reviews", path: "/reviews/1" });
        assert.strictEqual(d.verdict, "allowed");
        assert.deepStrictEqual(d.enforcedBy, { proxy: "ztunnel", name: "ztunnel of shop/reviews", identity: WAYPOINT });
        assert.deepStrictEqual(
            d.hops?.map((h) => [h.proxy, h.identity, h.verdict, h.policy?.name]),
            [
                ["waypoint", p("shop", "productpage"), "allowed", "reviews"],
                ["ztunnel", WAYPOINT, "allowed", "reviews-from-waypoint"],
            ],
        );
        assert.strictEqual(d.peerPrincipal, WAYPOINT);
        // The waypoint applies the namespace's targetRef policies: no "not modelled" warning.
        assert.deepStrictEqual(d.warnings, []);
        assert.strictEqual(d.reason, "ztunnel of shop/reviews: ALLOW policy shop/reviews-from-waypoint rule 0 matches the request.");
    });

    it("the waypoint enforces L7: a method outside the declared ones is denied there, naming the caller", () => {
        const d = decide({ from: { workload: "shop/productpage" }, to: "shop/reviews", method: "POST", path: "/reviews/1" });
        assert.strictEqual(d.verdict, "denied");
        assert.strictEqual(d.stage, "no-allow-match");
        assert.deepStrictEqual(d.enforcedBy, { proxy: "waypoint", name: "waypoint shop/waypoint", identity: p("shop", "productpage") });
        assert.strictEqual(
            d.reason,
            "waypoint shop/waypoint: 2 ALLOW policies select Service shop/reviews (shop/waypoint-allow-nothing, shop/reviews) and no rule of them matches the request.",
        );
    });

    it("pod-IP traffic bypasses the service waypoint and reaches ztunnel with the caller's identity: denied", () => {
        const d = decide({ from: { workload: "shop/productpage" }, to: "shop/reviews", path: "/reviews/1", via: "pod-ip" });
        assert.strictEqual(d.verdict, "denied");
        assert.deepStrictEqual(d.enforcedBy, { proxy: "ztunnel", name: "ztunnel of shop/reviews", identity: p("shop", "productpage") });
        assert.deepStrictEqual(d.hops?.length, 1);
    });

    it("a sidecar caller never goes through the waypoint (Istio 1.30): ztunnel sees the sidecar's identity", () => {
        const d = decide({ from: { workload: "legacy/web" }, to: "shop/reviews", path: "/reviews/1" });
        assert.strictEqual(d.verdict, "denied");
        assert.deepStrictEqual(d.enforcedBy, { proxy: "ztunnel", name: "ztunnel of shop/reviews", identity: p("legacy", "web") });
        assert.ok(d.trace.some((t) => t.includes("sidecars never send through waypoints")), d.trace.join("\n"));
    });

    it("the ingress gateway goes through the waypoint only with istio.io/ingress-use-waypoint", () => {
        const request: SimRequest = { from: { workload: "istio-ingress/istio-ingressgateway" }, to: "shop/reviews" };
        const direct = decide(request);
        assert.deepStrictEqual([direct.verdict, direct.enforcedBy?.proxy, direct.enforcedBy?.identity], ["denied", "ztunnel", p("istio-ingress", "istio-ingressgateway")]);
        const labelled = service("shop", "reviews", { app: "reviews" }, [{ name: "http", port: 9080 }]);
        (labelled.metadata as Record<string, unknown>)["labels"] = { "istio.io/ingress-use-waypoint": "true" };
        const s = new AuthorizationSimulator({ manifests: [...objects.filter((o) => !(o.kind === "Service")), labelled], workloads });
        const via = s.decide(request);
        assert.deepStrictEqual([via.verdict, via.hops?.map((h) => h.proxy)], ["allowed", ["waypoint", "ztunnel"]]);
    });

    it("a JWT through the waypoint: validated there (RequestAuthentication by targetRefs), a foreign issuer rejected", () => {
        const ok = decide({ from: { workload: "plain/client" }, to: "shop/reviews", jwt: { iss: "https://idp.example", sub: "alice" } });
        // plain/client is ambient: its ztunnel sends through shop's waypoint.
        assert.deepStrictEqual([ok.verdict, ok.requestPrincipal, ok.hops?.[0].policy?.rule], ["allowed", "https://idp.example/alice", 2]);
        const bad = decide({ from: { workload: "plain/client" }, to: "shop/reviews", jwt: { iss: "https://other.example", sub: "alice" } });
        assert.deepStrictEqual([bad.verdict, bad.stage, bad.enforcedBy?.proxy], ["denied", "jwt", "waypoint"]);
    });

    it("ztunnel only: L4 rules enforced; an L7 rule never matches there, and the trace says so", () => {
        const ok = decide({ from: { workload: "plain/client" }, to: "plain/db" });
        assert.deepStrictEqual([ok.verdict, ok.enforcedBy], ["allowed", { proxy: "ztunnel", name: "ztunnel of plain/db", identity: p("plain", "client") }]);
        const l7 = decide({ from: { workload: "legacy/web" }, to: "plain/db" });
        assert.strictEqual(l7.verdict, "denied");
        assert.ok(l7.trace.includes("ALLOW plain/db rule 1 never matches at ztunnel: ztunnel sees no HTTP (methods)."), l7.trace.join("\n"));
    });

    it("STRICT at ztunnel refuses plaintext; DISABLE is ignored in ambient (PERMISSIVE)", () => {
        const plaintext = decide({ from: { plaintext: true }, to: "plain/db" });
        assert.deepStrictEqual([plaintext.verdict, plaintext.stage, plaintext.enforcedBy?.identity], ["denied", "mtls", undefined]);
        const disabled = decide({ from: { plaintext: true }, to: "plain/db" }, [peerAuthn("plain", "default", { mtls: { mode: "DISABLE" } })]);
        assert.deepStrictEqual([disabled.verdict, disabled.stage, disabled.mtls.mode], ["denied", "no-allow-match", "PERMISSIVE"]);
    });

    it("an ambient caller to a sidecar destination arrives with its own identity (unchanged sidecar decision)", () => {
        const open = decide({ from: { workload: "plain/client" }, to: "legacy/web" });
        assert.deepStrictEqual([open.verdict, open.peerPrincipal, open.enforcedBy, open.hops], ["allowed", p("plain", "client"), undefined, undefined]);
    });

    it("a use-waypoint label naming a missing waypoint: no waypoint, with a warning", () => {
        const s = new AuthorizationSimulator({ manifests: objects.filter((o) => o.kind !== "Gateway"), workloads });
        const d = s.decide({ from: { workload: "shop/productpage" }, to: "shop/reviews", path: "/reviews/1" });
        assert.deepStrictEqual([d.verdict, d.enforcedBy?.proxy], ["denied", "ztunnel"]);
        assert.ok(d.warnings.includes("namespace shop is labelled istio.io/use-waypoint=waypoint, but there is no Gateway shop/waypoint, so istiod sends this traffic without a waypoint"), d.warnings.join("\n"));
    });

    it("explain prints the enforcement point and the path", () => {
        const text = formatDecision(decide({ from: { workload: "shop/productpage" }, to: "shop/reviews", method: "DELETE", path: "/reviews/1" }));
        assert.ok(text.includes(`enforced by: waypoint shop/waypoint, seeing ${p("shop", "productpage")}`), text);
        const allowed = formatDecision(decide({ from: { workload: "shop/productpage" }, to: "shop/reviews", path: "/reviews/1" }));
        assert.ok(allowed.includes("path: waypoint shop/waypoint allowed → ztunnel of shop/reviews allowed"), allowed);
    });

    it("reachability decides ambient callees through the same enforcement points", () => {
        const report = reachability(sim(), { callees: ["shop/reviews", "plain/db"], methods: ["GET", "POST"], probes: (c) => (c.name === "db" ? [{ port: 5432, protocol: "tcp" }] : [{ port: 9080, protocol: "http", method: "GET", path: "/reviews/1" }, { port: 9080, protocol: "http", method: "POST", path: "/reviews/1" }]) });
        assert.deepStrictEqual(
            report.pairs.map((pair) => [pair.from, pair.to, pair.allowed.map((o) => o.method ?? o.protocol)]),
            [
                ["shop/productpage", "shop/reviews", ["GET"]],
                ["plain/client", "plain/db", ["tcp"]],
            ],
        );
    });
});

describe("simulate/ambient: workloads read from manifests", () => {
    it("an ambient namespace's Deployment is an ambient workload; its Service routes through the waypoint", () => {
        const manifests = [
            ...objects,
            { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "reviews", namespace: "shop" }, spec: { template: { metadata: { labels: { app: "reviews" } }, spec: { serviceAccountName: "reviews", containers: [{ name: "app", ports: [{ containerPort: 9080 }] }] } } } },
        ];
        const s = new AuthorizationSimulator({ manifests });
        const w = s.workload("shop/reviews");
        assert.deepStrictEqual([w.dataplane, w.inMesh, w.meshReason], ["ambient", true, "namespace shop is labelled istio.io/dataplane-mode=ambient"]);
        const d = s.decide({ from: { serviceAccount: "shop/productpage" }, to: "shop/reviews", path: "/reviews/1" });
        assert.deepStrictEqual([d.verdict, d.hops?.map((h) => h.proxy)], ["allowed", ["waypoint", "ztunnel"]]);
    });
});

describe("simulate/ambient: ports", () => {
    // listener_waypoint.go keys the waypoint's chains by Service port; ztunnel matches container ports.
    const remapped = [
        namespace("shop", { "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint" }),
        waypointGateway("shop", "waypoint"),
        service("shop", "reviews", { app: "reviews" }, [{ name: "http", port: 80, targetPort: 9080 }]),
        authz("shop", "reviews-from-waypoint", { selector: { matchLabels: { app: "reviews" } }, rules: [{ from: [{ source: { principals: [WAYPOINT] } }], to: [{ operation: { ports: ["9080"] } }] }] }),
    ];
    const waypointPolicy = (port: string) => authz("shop", "reviews", { targetRefs: [{ kind: "Service", group: "", name: "reviews" }], rules: [{ to: [{ operation: { ports: [port] } }] }] });
    const decideWith = (port: string) => new AuthorizationSimulator({ manifests: [...remapped, waypointPolicy(port)], workloads }).decide({ from: { workload: "shop/productpage" }, to: "shop/reviews", port: 9080 });

    it("the waypoint matches the Service port the request arrived on, ztunnel the container port", () => {
        const d = decideWith("80");
        assert.deepStrictEqual([d.verdict, d.hops?.map((h) => h.verdict)], ["allowed", ["allowed", "allowed"]]);
        assert.ok(d.trace.includes("waypoint shop/waypoint sees Service port 80 (container port 9080)."), d.trace.join("\n"));
        const container = decideWith("9080");
        assert.deepStrictEqual([container.verdict, container.enforcedBy?.proxy], ["denied", "waypoint"]);
    });
});

describe("simulate/ambient: NetworkPolicies see HBONE", () => {
    // In ambient the mesh tunnels to the pod's port 15008 (HBONE), so an ingress NetworkPolicy of
    // an ambient pod sees 15008, from the waypoint's pods when the request passes the waypoint.
    const np = (name: string, ingress: unknown[]) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: "shop" }, spec: { podSelector: { matchLabels: { app: "reviews" } }, policyTypes: ["Ingress"], ingress } });
    const fromPods = (labels: Record<string, string>, port: number) => ({ from: [{ podSelector: { matchLabels: labels } }], ports: [{ protocol: "TCP", port }] });
    const request: SimRequest = { from: { workload: "shop/productpage" }, to: "shop/reviews", path: "/reviews/1" };

    it("an ambient caller through the waypoint: the waypoint's pods must reach the destination on 15008", () => {
        const appPortOnly = decide(request, [np("app-port", [fromPods({ app: "productpage" }, 9080)])]);
        assert.deepStrictEqual([appPortOnly.verdict, appPortOnly.layer, appPortOnly.policy?.name], ["denied", "network-policy", "app-port"]);
        assert.ok(appPortOnly.reason.startsWith("waypoint shop/waypoint → shop/reviews (HBONE, port 15008): "), appPortOnly.reason);
        const hbone = decide(request, [np("hbone", [fromPods({ "gateway.networking.k8s.io/gateway-name": "waypoint" }, 15008)])]);
        assert.deepStrictEqual([hbone.verdict, hbone.layer], ["allowed", "istio"]);
    });

    it("pod-IP traffic goes straight to the pod on 15008: admitting only the waypoint's pods denies it at L3/L4", () => {
        const d = decide({ ...request, via: "pod-ip" }, [np("hbone", [fromPods({ "gateway.networking.k8s.io/gateway-name": "waypoint" }, 15008)])]);
        assert.deepStrictEqual([d.verdict, d.layer], ["denied", "network-policy"]);
        assert.ok(d.reason.startsWith("shop/productpage → shop/reviews (HBONE, port 15008): "), d.reason);
    });

    it("a plaintext caller still reaches the application port (then STRICT refuses it)", () => {
        const d = decide({ from: { plaintext: true }, to: "shop/reviews", sourceIp: "10.1.2.3" }, [np("app-port", [{ from: [{ ipBlock: { cidr: "10.0.0.0/8" } }], ports: [{ protocol: "TCP", port: 9080 }] }])]);
        assert.deepStrictEqual([d.verdict, d.layer, d.stage], ["denied", "istio", "mtls"]);
    });
});
