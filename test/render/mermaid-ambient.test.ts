import * as assert from "assert";
import { KubeObject, meshMermaid } from "../../components/render";
import { authorizationPolicy, namespace, service, waypointGateway, workload } from "../fixtures/objects";

const deployment = (ns: string, name: string): KubeObject => workload("Deployment", ns, name, { labels: { app: name }, selector: { app: name }, spec: { serviceAccountName: name, containers: [] } });

describe("render: Mermaid diagram of a mesh with ambient namespaces", () => {
    it("names every namespace's data plane and waypoint; a Service's waypoint policy reaches the Service's workloads; the waypoint's identity is the waypoint", () => {
        const text = meshMermaid([
            namespace("shop", { "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint" }),
            namespace("plain", { "istio.io/dataplane-mode": "ambient" }),
            namespace("legacy", { "istio-injection": "enabled" }),
            waypointGateway("shop", "waypoint"),
            service("shop", "reviews", { app: "reviews" }, [{ name: "http", port: 9080 }]),
            deployment("shop", "reviews"),
            deployment("plain", "db"),
            deployment("legacy", "web"),
            authorizationPolicy("shop", "allow-nothing", {}),
            authorizationPolicy("shop", "reviews", {
                targetRefs: [{ kind: "Service", group: "", name: "reviews" }],
                rules: [{ from: [{ source: { principals: ["cluster.local/ns/legacy/sa/web"] } }], to: [{ operation: { methods: ["GET"] } }] }],
            }),
            authorizationPolicy("shop", "reviews-from-waypoint", {
                selector: { matchLabels: { app: "reviews" } },
                rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/waypoint"] } }], to: [{ operation: { ports: ["9080"] } }] }],
            }),
            authorizationPolicy("shop", "waypoint-deny", {
                action: "DENY",
                targetRefs: [{ kind: "Gateway", group: "gateway.networking.k8s.io", name: "waypoint" }],
                rules: [{ from: [{ source: { namespaces: ["plain"] } }] }],
            }),
        ]);
        assert.strictEqual(
            text,
            [
                "flowchart LR",
                '  subgraph ns_shop["namespace shop (ambient, waypoint waypoint; default deny)"]',
                '    workload_shop_reviews["reviews"]',
                '    gateway_shop_waypoint{{"waypoint waypoint"}}',
                "  end",
                '  subgraph ns_plain["namespace plain (ambient)"]',
                '    workload_plain_db["db"]',
                '    namespace_plain[["any workload"]]',
                "  end",
                '  subgraph ns_legacy["namespace legacy (sidecar)"]',
                '    workload_legacy_web["web"]',
                "  end",
                '  workload_legacy_web -->|"GET"| workload_shop_reviews',
                '  gateway_shop_waypoint -->|"port 9080"| workload_shop_reviews',
                '  namespace_plain --x|"DENY any request"| gateway_shop_waypoint',
                "",
            ].join("\n"),
        );
    });
});
