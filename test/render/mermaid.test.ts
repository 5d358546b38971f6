import * as assert from "assert";
import { buildMeshGraph, KubeObject, meshMermaid } from "../../components/render";
import { authorizationPolicy, workload } from "../fixtures/objects";

const deployment = (namespace: string, name: string, serviceAccountName?: string, labels: Record<string, string> = { app: name }): KubeObject =>
    workload("Deployment", namespace, name, { labels, selector: labels, spec: { ...(serviceAccountName ? { serviceAccountName } : {}), containers: [] } });
const policy = (namespace: string, name: string, spec: Record<string, unknown>): KubeObject => authorizationPolicy(namespace, name, spec);

describe("render: Mermaid diagram of who may call whom", () => {
    it("draws workloads in namespace boxes and an edge per allowed caller with methods and paths", () => {
        const text = meshMermaid([
            { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: { "istio-injection": "enabled" } } },
            deployment("shop", "frontend", "frontend"),
            deployment("shop", "backend", "backend"),
            policy("shop", "allow-nothing", {}),
            policy("shop", "backend", {
                selector: { matchLabels: { app: "backend" } },
                rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/frontend"] } }], to: [{ operation: { methods: ["GET", "POST"], paths: ["/api/*"] } }] }],
            }),
        ]);
        assert.strictEqual(text, [
            "flowchart LR",
            '  subgraph ns_shop["namespace shop (default deny)"]',
            '    workload_shop_frontend["frontend"]',
            '    workload_shop_backend["backend"]',
            "  end",
            '  workload_shop_frontend -->|"GET, POST /api/*"| workload_shop_backend',
            "",
        ].join("\n"));
    });

    it("shows the ingress gateway, end users with their claims, namespaces and ports", () => {
        const text = meshMermaid([
            deployment("web", "productpage", "bookinfo-productpage"),
            deployment("api", "orders", "orders"),
            policy("web", "productpage", {
                selector: { matchLabels: { app: "productpage" } },
                rules: [
                    { from: [{ source: { principals: ["cluster.local/ns/istio-ingress/sa/istio-ingressgateway"] } }], to: [{ operation: { ports: ["9080"] } }] },
                    {
                        from: [{ source: { requestPrincipals: ["https://idp.example.com/*"] } }],
                        to: [{ operation: { methods: ["GET", "HEAD"] } }],
                        when: [{ key: "request.auth.claims[groups]", values: ["admin", "ops"] }],
                    },
                ],
            }),
            policy("api", "orders", {
                selector: { matchLabels: { app: "orders" } },
                rules: [{ from: [{ source: { namespaces: ["web"] } }] }],
            }),
        ]);
        assert.strictEqual(text, [
            "flowchart LR",
            '  end_users_https_idp_example_com(["end users of https://idp.example.com"])',
            '  subgraph ns_web["namespace web"]',
            '    workload_web_productpage["productpage"]',
            '    namespace_web[["any workload"]]',
            "  end",
            '  subgraph ns_api["namespace api"]',
            '    workload_api_orders["orders"]',
            "  end",
            '  subgraph ns_istio_ingress["namespace istio-ingress"]',
            '    gateway_istio_ingress_istio_ingressgateway{{"ingress gateway (istio-ingressgateway)"}}',
            "  end",
            '  gateway_istio_ingress_istio_ingressgateway -->|"port 9080"| workload_web_productpage',
            '  end_users_https_idp_example_com -->|"GET, HEAD when request.auth.claims[groups] = admin or ops"| workload_web_productpage',
            '  namespace_web -->|"any request"| workload_api_orders',
            "",
        ].join("\n"));
    });

    it("shows an allow-all rule as any caller, a DENY as a crossed edge, and merges rules of one caller", () => {
        const text = meshMermaid([
            deployment("open", "web"),
            policy("open", "allow-all", { rules: [{}] }),
            policy("open", "deny-admin", {
                action: "DENY",
                selector: { matchLabels: { app: "web" } },
                rules: [{ to: [{ operation: { paths: ["/admin*"] } }] }],
            }),
            policy("open", "web-get", { selector: { matchLabels: { app: "web" } }, rules: [{ to: [{ operation: { methods: ["GET"] } }] }, { to: [{ operation: { methods: ["PUT"], notPaths: ["/x"] } }] }] }),
        ]);
        assert.strictEqual(text, [
            "flowchart LR",
            '  anyone(("any caller"))',
            '  subgraph ns_open["namespace open"]',
            '    workload_open_web["web"]',
            '    namespace_open[["any workload"]]',
            "  end",
            '  anyone -->|"any request"| namespace_open',
            '  anyone --x|"DENY /admin*"| workload_open_web',
            '  anyone -->|"GET<br/>PUT not /x"| workload_open_web',
            "",
        ].join("\n"));
    });

    it("falls back to the selector or the service account when no workload matches, and escapes labels", () => {
        const graph = buildMeshGraph([
            policy("istio-system", "mesh-wide", { rules: [{ from: [{ source: { principals: ["*"] } }] }] }),
            policy("shop", "cart", {
                selector: { matchLabels: { app: "cart" } },
                rules: [{
                    from: [{ source: { serviceAccounts: ["shop/checkout"], notRequestPrincipals: ["<unknown until deployed>"] } }],
                    to: [{ operation: { paths: ['/a"b'] } }],
                }],
            }),
        ]);
        assert.deepStrictEqual(graph.nodes.map((n) => [n.id, n.kind, n.label, n.namespace]), [
            ["mesh", "mesh", "every workload in the mesh", undefined],
            ["peers", "peers", "any mTLS workload", undefined],
            ["selector_shop_app_cart", "selector", "app=cart", "shop"],
            ["sa_shop_checkout", "service-account", "service account checkout", "shop"],
        ]);
        assert.deepStrictEqual(graph.edges[1], {
            from: "sa_shop_checkout",
            to: "selector_shop_app_cart",
            action: "ALLOW",
            labels: ['JWT principal not <unknown until deployed>: /a"b'],
        });
        assert.match(meshMermaid([policy("shop", "cart", graphPolicySpec())]), /\|"JWT principal not #lt;unknown until deployed#gt;: \/a#quot;b"\|/);
    });

    it("draws an edge from every workload running as a caller's service account, and marks mesh-wide default deny", () => {
        const text = meshMermaid([
            deployment("books", "reviews-v1", "bookinfo-reviews", { app: "reviews", version: "v1" }),
            deployment("books", "reviews-v2", "bookinfo-reviews", { app: "reviews", version: "v2" }),
            deployment("books", "ratings", "bookinfo-ratings"),
            policy("istio-system", "allow-nothing", {}),
            policy("books", "ratings", {
                selector: { matchLabels: { app: "ratings" } },
                rules: [{ from: [{ source: { principals: ["cluster.local/ns/books/sa/bookinfo-reviews"] } }], to: [{ operation: { methods: ["GET"] } }] }],
            }),
        ]);
        assert.strictEqual(text, [
            "flowchart LR",
            "  %% mesh-wide default deny: an allow-nothing policy in the root namespace covers every workload",
            '  subgraph ns_books["namespace books (default deny)"]',
            '    workload_books_reviews_v1["reviews-v1"]',
            '    workload_books_reviews_v2["reviews-v2"]',
            '    workload_books_ratings["ratings"]',
            "  end",
            '  workload_books_reviews_v1 -->|"GET"| workload_books_ratings',
            '  workload_books_reviews_v2 -->|"GET"| workload_books_ratings',
            "",
        ].join("\n"));
    });

    it("labels dry-run policies as not enforced and does not count a dry-run allow-nothing as default deny", () => {
        const dryRun = (p: KubeObject): KubeObject => ({ ...p, metadata: { ...p.metadata, annotations: { "istio.io/dry-run": "true" } } });
        const graph = buildMeshGraph([
            deployment("shop", "web", "web"),
            dryRun(policy("shop", "allow-nothing", {})),
            dryRun(policy("shop", "web", { selector: { matchLabels: { app: "web" } }, rules: [{ from: [{ source: { namespaces: ["ops"] } }] }] })),
        ]);
        assert.deepStrictEqual(graph.defaultDenyNamespaces, []);
        assert.deepStrictEqual(graph.edges, [{ from: "namespace_ops", to: "workload_shop_web", action: "ALLOW", labels: ["dry run, not enforced: any request"] }]);
    });

    it("reads istio.io/dry-run like istiod (Go ParseBool): \"1\" is dry run, an unparsable value is enforced", () => {
        const annotated = (value: string): KubeObject => ({ ...policy("shop", "allow-nothing", {}), metadata: { name: "allow-nothing", namespace: "shop", annotations: { "istio.io/dry-run": value } } });
        for (const value of ["1", "t", "T", "TRUE", "True"]) assert.deepStrictEqual(buildMeshGraph([annotated(value)]).defaultDenyNamespaces, [], value);
        for (const value of ["0", "false", "yes"]) assert.deepStrictEqual(buildMeshGraph([annotated(value)]).defaultDenyNamespaces, ["shop"], value);
    });

    it("marks workloads outside the mesh and names the label that keeps them out", () => {
        const text = meshMermaid([
            { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
            deployment("shop", "cart"),
            deployment("shop", "web", undefined, { app: "web", "sidecar.istio.io/inject": "true" }),
        ]);
        assert.strictEqual(text, [
            "flowchart LR",
            "  %% no AuthorizationPolicy: Istio allows every call (no access control)",
            "  %% shop/cart is outside the mesh (no sidecar: namespace shop has no istio-injection, istio.io/rev or istio.io/dataplane-mode label and its pods do not opt in): no policy is enforced on it",
            '  subgraph ns_shop["namespace shop"]',
            '    workload_shop_cart["cart (no sidecar)"]',
            '    workload_shop_web["web"]',
            "  end",
            "",
        ].join("\n"));
    });

    it("does not draw a policy the simulator's reading rejects, and says why", () => {
        const graph = buildMeshGraph([policy("shop", "bad", { action: "ALLOW", rules: "everyone" })]);
        assert.deepStrictEqual([graph.edges, graph.unreadable], [[], ['invalid AuthorizationPolicy "shop/bad":\n  - spec.rules: must be a list']]);
    });

    it("says when there is no AuthorizationPolicy at all", () => {
        assert.strictEqual(meshMermaid([deployment("shop", "web")]), [
            "flowchart LR",
            "  %% no AuthorizationPolicy: Istio allows every call (no access control)",
            '  subgraph ns_shop["namespace shop"]',
            '    workload_shop_web["web"]',
            "  end",
            "",
        ].join("\n"));
    });
});

function graphPolicySpec(): Record<string, unknown> {
    return {
        selector: { matchLabels: { app: "cart" } },
        rules: [{ from: [{ source: { serviceAccounts: ["shop/checkout"], notRequestPrincipals: ["<unknown until deployed>"] } }], to: [{ operation: { paths: ['/a"b'] } }] }],
    };
}
