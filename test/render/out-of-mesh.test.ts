import * as assert from "assert";
import { compileMeshPolicy } from "../../components/compile";
import { KubeObject, meshMermaid } from "../../components/render";
import { workload } from "../fixtures/objects";

const compiled = (): KubeObject[] =>
    compileMeshPolicy({
        services: [
            { id: "api", namespace: "shop", serviceAccount: "api", ports: [{ port: 80, protocol: "http", targetPort: 8080 }, { port: 9090, protocol: "http", targetPort: 19090 }] },
            { id: "web", namespace: "shop", serviceAccount: "web", ports: [{ port: 80, protocol: "http" }] },
        ],
        allow: [
            { from: { service: "web" }, to: "api", ports: [80] },
            { from: { outOfMesh: { namespace: "monitoring", selector: { app: "prometheus" } } }, to: "api", ports: [9090] },
        ],
    }) as unknown as KubeObject[];
const deployment = (namespace: string, name: string, labels: Record<string, string>, podLabels: Record<string, string> = {}): KubeObject =>
    workload("Deployment", namespace, name, { labels: { ...labels, ...podLabels }, selector: labels, spec: { serviceAccountName: name, containers: [] } }) as KubeObject;

describe("render: Mermaid marks callers outside the mesh", () => {
    it("draws the out-of-mesh pods the NetworkPolicy names (a parallelogram in their namespace), with the plaintext ports", () => {
        assert.strictEqual(
            meshMermaid(compiled()),
            [
                "flowchart LR",
                '  subgraph ns_shop["namespace shop (default deny)"]',
                '    selector_shop_app_api["app=api"]',
                '    sa_shop_web["service account web"]',
                "  end",
                '  subgraph ns_monitoring["namespace monitoring"]',
                '    outside_monitoring_app_prometheus[/"app=prometheus (outside the mesh)"/]',
                "  end",
                '  sa_shop_web -->|"port 8080"| selector_shop_app_api',
                '  outside_monitoring_app_prometheus -->|"plaintext: port 19090"| selector_shop_app_api',
                "",
            ].join("\n"),
        );
    });

    it("names the deployed scraper (no sidecar) when the objects hold it; a mesh workload the peer also selects is not a plaintext caller", () => {
        const objects = [
            { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: { "istio-injection": "enabled" } } } as KubeObject,
            { apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring" } } as KubeObject,
            deployment("shop", "api", { app: "api" }),
            deployment("shop", "web", { app: "web" }),
            deployment("monitoring", "prometheus", { app: "prometheus" }),
            ...compiled(),
        ];
        const text = meshMermaid(objects);
        assert.ok(text.includes('  workload_monitoring_prometheus -->|"plaintext: port 19090"| workload_shop_api\n'), text);
        assert.ok(text.includes('    workload_monitoring_prometheus["prometheus (no sidecar)"]\n'), text);
    });

    it("without a NetworkPolicy naming them, the plaintext callers are anyone", () => {
        const objects = compiled().filter((o) => o.kind !== "NetworkPolicy");
        assert.ok(meshMermaid(objects).includes('  anyone -->|"plaintext, no NetworkPolicy names the callers: port 19090"| selector_shop_app_api\n'), meshMermaid(objects));
    });
});
