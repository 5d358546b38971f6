// Istio installed by meshguard, one namespace in the mesh (STRICT mTLS, default deny), a frontend
// and a backend, and one relationship: only the frontend may GET or POST /api/* on the backend.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IstioMesh, MeshNamespace, MeshPolicy } from "meshguard";

const mesh = new IstioMesh("mesh", {
    meshConfig: {
        // Path-based rules must see the path Envoy routes: collapse "//api" into "/api".
        pathNormalization: { normalization: "MERGE_SLASHES" },
        outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
    },
});
const shop = new MeshNamespace("shop", { name: "shop", mesh });

/** A ServiceAccount (the workload's mesh identity), a Deployment and a Service on port 8080. */
function app(name: string, image: string): void {
    const opts: pulumi.CustomResourceOptions = { dependsOn: shop.ready };
    const labels = { app: name };
    const metadata = { name, namespace: shop.namespace, labels };
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
                    containers: [{ name, image, ports: [{ name: "http", containerPort: 8080 }] }],
                },
            },
        },
    }, opts);
    new k8s.core.v1.Service(name, {
        metadata,
        spec: { selector: labels, ports: [{ name: "http", port: 8080, targetPort: 8080 }] },
    }, opts);
}

app("frontend", "ghcr.io/example/frontend:1.4.2");
app("backend", "ghcr.io/example/backend:2.0.1");

new MeshPolicy("access", {
    services: [
        { id: "frontend", namespace: "shop", serviceAccount: "frontend", ports: [{ port: 8080, protocol: "http" }] },
        { id: "backend", namespace: "shop", serviceAccount: "backend", ports: [{ port: 8080, protocol: "http" }] },
    ],
    allow: [{ from: { service: "frontend" }, to: "backend", methods: ["GET", "POST"], paths: ["/api/*"] }],
    // The MeshNamespace already makes "shop" STRICT and default-deny.
    mtls: "inherit",
    defaultDeny: false,
    dependsOn: mesh.ready,
    namespaceDependsOn: { shop: shop.ready },
});
