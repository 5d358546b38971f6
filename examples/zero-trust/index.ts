// Zero trust: nothing may call anything unless a relationship says so. STRICT mTLS mesh-wide
// (IstioMesh), an allow-nothing policy for the whole mesh in the root namespace (gateways
// included), default deny in every namespace, and explicit allows: the ingress gateway may read
// the storefront, the storefront may read the catalog, and only the catalog may open TCP
// connections to its database. ISTIO_MUTUAL DestinationRules pin mTLS on the client side too.
// NetworkPolicies in both directions derive from the same relationships (L3/L4, CNI-enforced), and
// the only way out of the cluster is the storefront's declared payment API: a ServiceEntry for
// api.stripe.com:443 (with REGISTRY_ONLY, the sidecars reach nothing else) and an egress rule for
// port 443 to addresses outside the cluster, for the storefront's pods only.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { allowNothingPolicy, DEFAULT_ROOT_NAMESPACE, IstioMesh, MeshNamespace, MeshPolicy } from "meshguard";

const mesh = new IstioMesh("mesh", {
    gateway: true,
    meshConfig: {
        pathNormalization: { normalization: "MERGE_SLASHES" },
        outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
    },
});

// Mesh-wide default deny: an ALLOW policy with an empty spec in the root namespace selects every
// workload of the mesh and matches nothing.
const meshAllowNothing = allowNothingPolicy(DEFAULT_ROOT_NAMESPACE);
new k8s.apiextensions.CustomResource("mesh-allow-nothing", meshAllowNothing, { dependsOn: mesh.ready });

const web = new MeshNamespace("web", { name: "web", mesh });
const data = new MeshNamespace("data", { name: "data", mesh });

/** A workload with its own ServiceAccount and a Service exposing `port` (named after `protocol`). */
function workload(namespace: MeshNamespace, name: string, image: string, port: number, protocol: "http" | "tcp"): void {
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
                    securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001 },
                    containers: [{ name, image, ports: [{ containerPort: port }] }],
                },
            },
        },
    }, opts);
    // Istio picks the protocol from the port name prefix (http-*, tcp-*).
    new k8s.core.v1.Service(name, { metadata, spec: { selector: labels, ports: [{ name: `${protocol}-${name}`, port }] } }, opts);
}

workload(web, "storefront", "ghcr.io/example/storefront:4.0.0", 8080, "http");
workload(web, "catalog", "ghcr.io/example/catalog:2.2.0", 8080, "http");
workload(data, "catalog-db", "docker.io/library/postgres:17.2", 5432, "tcp");

new MeshPolicy("access", {
    services: [
        { id: "storefront", namespace: "web", serviceAccount: "storefront", ports: [{ port: 8080, protocol: "http" }] },
        { id: "catalog", namespace: "web", serviceAccount: "catalog", ports: [{ port: 8080, protocol: "http" }] },
        { id: "catalog-db", namespace: "data", serviceAccount: "catalog-db", ports: [{ port: 5432, protocol: "tcp" }] },
    ],
    allow: [
        { from: { ingressGateway: true }, to: "storefront", methods: ["GET", "HEAD"] },
        { from: { service: "storefront" }, to: "catalog", methods: ["GET"], paths: ["/products", "/products/*"] },
        { from: { service: "catalog" }, to: "catalog-db", ports: [5432] },
    ],
    external: [{ from: { service: "storefront" }, hosts: ["api.stripe.com"], ports: [{ port: 443, protocol: "https" }] }],
    networkPolicies: { ingress: true, egress: true },
    destinationRules: true,
    // Each MeshNamespace already makes its namespace STRICT and default-deny.
    mtls: "inherit",
    defaultDeny: false,
    dependsOn: mesh.ready,
    namespaceDependsOn: { web: web.ready, data: data.ready },
});
