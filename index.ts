// meshguard's flagship: Istio installed from the official charts (pinned, hardened, STRICT mTLS
// mesh-wide), two namespaces in the mesh (STRICT, default deny), a small shop, and the only calls
// it needs: the ingress gateway may read the storefront, the storefront may use the orders API,
// and only orders may charge payments over gRPC. `npm start` previews it offline.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IstioMesh, MeshNamespace, MeshPolicy } from "meshguard";

const mesh = new IstioMesh("mesh", {
    gateway: true,
    meshConfig: {
        pathNormalization: { normalization: "MERGE_SLASHES" },
        outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
    },
});
const shop = new MeshNamespace("shop", { name: "shop", mesh });
const payments = new MeshNamespace("payments", { name: "payments", mesh });

/** A workload with its own ServiceAccount (its mesh identity) and a Service on `port`. */
function workload(namespace: MeshNamespace, name: string, image: string, port: { name: string; number: number }): void {
    const opts: pulumi.CustomResourceOptions = { dependsOn: namespace.ready };
    const labels = { app: name };
    const metadata = { name, namespace: namespace.namespace, labels };
    new k8s.core.v1.ServiceAccount(name, { metadata }, opts);
    new k8s.apps.v1.Deployment(name, {
        metadata,
        spec: {
            replicas: 2,
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: {
                    serviceAccountName: name,
                    securityContext: { runAsNonRoot: true, runAsUser: 10001 },
                    containers: [{ name, image, ports: [{ name: port.name, containerPort: port.number }] }],
                },
            },
        },
    }, opts);
    new k8s.core.v1.Service(name, { metadata, spec: { selector: labels, ports: [{ name: port.name, port: port.number }] } }, opts);
}

workload(shop, "storefront", "ghcr.io/example/storefront:4.0.0", { name: "http", number: 8080 });
workload(shop, "orders", "ghcr.io/example/orders:2.7.1", { name: "http", number: 8080 });
workload(payments, "payments", "ghcr.io/example/payments:1.3.0", { name: "grpc", number: 9090 });

new MeshPolicy("access", {
    services: [
        { id: "storefront", namespace: "shop", serviceAccount: "storefront", ports: [{ port: 8080, protocol: "http" }] },
        { id: "orders", namespace: "shop", serviceAccount: "orders", ports: [{ port: 8080, protocol: "http" }] },
        { id: "payments", namespace: "payments", serviceAccount: "payments", ports: [{ port: 9090, protocol: "grpc" }] },
    ],
    allow: [
        { from: { ingressGateway: true }, to: "storefront", methods: ["GET", "HEAD"] },
        { from: { service: "storefront" }, to: "orders", methods: ["GET", "POST"], paths: ["/api/orders", "/api/orders/*"] },
        { from: { service: "orders" }, to: "payments", grpcMethods: ["shop.payments.v1.Payments/Charge"] },
    ],
    // Each MeshNamespace already makes its namespace STRICT and default-deny.
    mtls: "inherit",
    defaultDeny: false,
    dependsOn: mesh.ready,
    namespaceDependsOn: { shop: shop.ready, payments: payments.ready },
});

export const istioVersion = mesh.version;
export const namespaces = [shop.namespace, payments.namespace];
