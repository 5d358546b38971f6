import * as assert from "assert";
import { compileMeshPolicy } from "../../components/compile";
import { KubeObject, meshMermaid } from "../../components/render";
import { workload } from "../fixtures/objects";

const deployment = (namespace: string, name: string): KubeObject =>
    workload("Deployment", namespace, name, { labels: { app: name }, selector: { app: name }, spec: { serviceAccountName: name, containers: [] } });
const billing = { id: "billing", namespace: "shop", serviceAccount: "billing", ports: [{ port: 8080, protocol: "http" as const }] };
const external = [{ from: { service: "billing" }, hosts: ["api.stripe.com"], ports: [{ port: 443, protocol: "https" as const }] }];
const namespace: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: { "istio-injection": "enabled" } } };

describe("render: external hosts in the Mermaid diagram (issue 13 section 2)", () => {
    it("marks each external host and draws an egress edge from the pods its NetworkPolicy opens", () => {
        const objects = [namespace, deployment("shop", "billing"), deployment("shop", "web"), ...compileMeshPolicy({ services: [billing], networkPolicies: { egress: true }, external })] as KubeObject[];
        assert.strictEqual(meshMermaid(objects), [
            "flowchart LR",
            "  %% no AuthorizationPolicy allows any call (default deny: shop)",
            '  external_api_stripe_com[/"external host api.stripe.com"/]',
            '  subgraph ns_shop["namespace shop (default deny)"]',
            '    workload_shop_billing["billing"]',
            '    workload_shop_web["web"]',
            "  end",
            '  workload_shop_billing -->|"egress port 443 HTTPS"| external_api_stripe_com',
            "",
        ].join("\n"));
    });

    it("without egress NetworkPolicies, the host is reachable from the namespace's sidecars only (marked so)", () => {
        const objects = [namespace, deployment("shop", "billing"), ...compileMeshPolicy({ services: [billing], networkPolicies: false, external })] as KubeObject[];
        const lines = meshMermaid(objects).split("\n");
        assert.deepStrictEqual(lines.filter((l) => l.includes("external")), [
            '  external_api_stripe_com[/"external host api.stripe.com"/]',
            '  namespace_shop -->|"egress port 443 HTTPS (sidecar only, no NetworkPolicy)"| external_api_stripe_com',
        ]);
    });
});
