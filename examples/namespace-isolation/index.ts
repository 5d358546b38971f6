// Namespace isolation: two mesh namespaces, and only workloads in frontend-ns may call the
// services of backend-ns. An ALLOW per backend service admits frontend-ns; a DENY guardrail on
// the whole of backend-ns refuses every other namespace even if someone adds a broader ALLOW
// later (DENY policies are evaluated before ALLOW ones).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IstioMesh, MeshNamespace, MeshPolicy } from "meshguard";

const mesh = new IstioMesh("mesh", {
    meshConfig: {
        pathNormalization: { normalization: "MERGE_SLASHES" },
        outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
    },
});
const frontendNs = new MeshNamespace("frontend-ns", { name: "frontend-ns", mesh });
const backendNs = new MeshNamespace("backend-ns", { name: "backend-ns", mesh });

/** A workload with its own ServiceAccount and a Service on `port`. */
function workload(namespace: MeshNamespace, name: string, image: string, port: number): void {
    const opts: pulumi.CustomResourceOptions = { dependsOn: namespace.ready };
    const labels = { app: name };
    const metadata = { name, namespace: namespace.namespace, labels };
    new k8s.core.v1.ServiceAccount(name, { metadata }, opts);
    new k8s.apps.v1.Deployment(name, {
        metadata,
        spec: {
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: {
                    serviceAccountName: name,
                    securityContext: { runAsNonRoot: true, runAsUser: 10001 },
                    containers: [{ name, image, ports: [{ containerPort: port }] }],
                },
            },
        },
    }, opts);
    new k8s.core.v1.Service(name, { metadata, spec: { selector: labels, ports: [{ name: "http", port }] } }, opts);
}

workload(frontendNs, "web", "ghcr.io/example/web:3.2.0", 8080);
workload(frontendNs, "admin-ui", "ghcr.io/example/admin-ui:1.0.4", 8080);
workload(backendNs, "orders", "ghcr.io/example/orders:5.1.0", 9090);
workload(backendNs, "inventory", "ghcr.io/example/inventory:2.3.1", 9090);

const http = (port: number) => [{ port, protocol: "http" as const }];
new MeshPolicy("access", {
    services: [
        { id: "web", namespace: "frontend-ns", serviceAccount: "web", ports: http(8080) },
        { id: "admin-ui", namespace: "frontend-ns", serviceAccount: "admin-ui", ports: http(8080) },
        { id: "orders", namespace: "backend-ns", serviceAccount: "orders", ports: http(9090) },
        { id: "inventory", namespace: "backend-ns", serviceAccount: "inventory", ports: http(9090) },
    ],
    allow: [
        { from: { namespace: "frontend-ns" }, to: "orders" },
        { from: { namespace: "frontend-ns" }, to: "inventory" },
    ],
    deny: [{ toNamespace: "backend-ns", unlessFrom: [{ namespace: "frontend-ns" }] }],
    // Each MeshNamespace already makes its namespace STRICT and default-deny.
    mtls: "inherit",
    defaultDeny: false,
    dependsOn: mesh.ready,
    namespaceDependsOn: { "frontend-ns": frontendNs.ready, "backend-ns": backendNs.ready },
});
