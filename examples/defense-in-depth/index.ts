// Defense in depth: one relationship graph drives two layers. Istio (STRICT mTLS, default deny,
// explicit ALLOW rules) decides who may call what; Kubernetes NetworkPolicies (ingress AND
// egress) admit exactly the same (caller pod, callee pod, container port) triples at L3/L4, so a
// pod without a sidecar gets nowhere around the mesh. istiod is fenced in too: 15012 from the
// mesh, 15017 from the API server, 15014 only from the monitoring namespace.
//
// One caller lives outside the mesh: Prometheus in `monitoring`, without a sidecar, scraping the
// orders service's metrics port in plaintext. MeshPolicy's `outOfMesh` caller opens exactly that:
// PERMISSIVE on the metrics container port only (every other port of orders stays STRICT), an
// ALLOW rule for plaintext callers on that port only, and the NetworkPolicy that admits only the
// Prometheus pods to it. Prometheus itself belongs to the monitoring team's stack (e.g. the
// kube-prometheus-stack chart): the pack refuses sidecar-less workloads in namespaces this stack
// creates unless their namespace is listed in `injectionExemptNamespaces` (docs/policy-pack.md).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { allowNothingPolicy, DEFAULT_ROOT_NAMESPACE, IstioMesh, MeshNamespace, MeshPolicy } from "meshguard";

const mesh = new IstioMesh("mesh", {
    gateway: true,
    meshConfig: {
        pathNormalization: { normalization: "MERGE_SLASHES" },
        outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
    },
    controlPlaneNetworkPolicies: { monitoringNamespace: "monitoring" },
});

const meshAllowNothing = allowNothingPolicy(DEFAULT_ROOT_NAMESPACE);
new k8s.apiextensions.CustomResource("mesh-allow-nothing", meshAllowNothing, { dependsOn: mesh.ready });

const shop = new MeshNamespace("shop", { name: "shop", mesh });

/** A workload with its own ServiceAccount, its HTTP API on 8080 and its metrics on 9090. */
function workload(name: string, image: string): void {
    const opts: pulumi.CustomResourceOptions = { dependsOn: shop.ready };
    const labels = { app: name };
    const metadata = { name, namespace: shop.namespace, labels };
    new k8s.core.v1.ServiceAccount(name, { metadata }, opts);
    new k8s.apps.v1.Deployment(name, {
        metadata,
        spec: {
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: {
                    serviceAccountName: name,
                    securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001 },
                    containers: [{ name, image, ports: [{ name: "http", containerPort: 8080 }, { name: "metrics", containerPort: 9090 }] }],
                },
            },
        },
    }, opts);
    new k8s.core.v1.Service(name, {
        metadata,
        spec: { selector: labels, ports: [{ name: "http-api", port: 8080 }, { name: "http-metrics", port: 9090 }] },
    }, opts);
}

workload("storefront", "ghcr.io/example/storefront:4.0.0");
workload("orders", "ghcr.io/example/orders:1.9.0");

const ports = [{ port: 8080, protocol: "http" as const }, { port: 9090, protocol: "http" as const }];

new MeshPolicy("access", {
    services: [
        { id: "storefront", namespace: "shop", serviceAccount: "storefront", ports },
        { id: "orders", namespace: "shop", serviceAccount: "orders", ports },
    ],
    allow: [
        { from: { ingressGateway: true }, to: "storefront", ports: [8080], methods: ["GET", "HEAD"] },
        { from: { service: "storefront" }, to: "orders", ports: [8080], methods: ["GET", "POST"], paths: ["/orders", "/orders/*"] },
        // Prometheus has no sidecar: plaintext, no identity. Only its port, only its pods.
        { from: { outOfMesh: { namespace: "monitoring", selector: { "app.kubernetes.io/name": "prometheus" } } }, to: "orders", ports: [9090] },
    ],
    // Egress too: every pod of shop reaches exactly its callees, the cluster DNS and istiod.
    networkPolicies: { ingress: true, egress: true },
    // The MeshNamespace already makes shop STRICT and default-deny.
    mtls: "inherit",
    defaultDeny: false,
    dependsOn: mesh.ready,
    namespaceDependsOn: { shop: shop.ready },
});
