// Istio's Bookinfo sample on the ambient data plane, least privilege across both modes:
// - `frontend` is a sidecar namespace: the ingress gateway may only reach the product page's
//   routes (L7, enforced by the product page's sidecar);
// - `bookinfo` is ambient with one waypoint: details, reviews and ratings run without sidecars.
//   Reviews may only GET ratings: an L7 rule, enforced at the waypoint (targetRefs to the Service),
//   and ztunnel admits only the waypoint's identity (docs/mesh-policy.md, "Ambient namespaces").
//   The product page's sidecar does not send through the waypoint (Istio 1.30), so its calls to
//   details and reviews are L4 relationships, decided by ztunnel on its own identity.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_GATEWAY_NAME, IstioMesh, MeshNamespace, MeshPolicy } from "meshguard";

const PORT = 9080;
const IMAGE_TAG = "1.20.2";

const mesh = new IstioMesh("mesh", {
    dataplane: "ambient",
    gatewayApi: "install",
    gateway: true,
    meshConfig: {
        pathNormalization: { normalization: "MERGE_SLASHES" },
        outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
    },
});
// MeshPolicy owns the default deny (allow-nothing in each namespace, and at the waypoint, which
// MeshNamespace does not attach); the namespaces keep their STRICT PeerAuthentication.
const frontend = new MeshNamespace("frontend", { name: "frontend", mesh, dataplane: "sidecar", defaultDeny: false });
const bookinfo = new MeshNamespace("bookinfo", { name: "bookinfo", mesh, waypoint: true, defaultDeny: false });

/** A Bookinfo service: its ServiceAccount (bookinfo-<app>), its Service and one Deployment per version. */
function bookinfoService(namespace: MeshNamespace, app: string, versions: string[]): void {
    const inNamespace: pulumi.CustomResourceOptions = { dependsOn: namespace.ready };
    const account = `bookinfo-${app}`;
    new k8s.core.v1.ServiceAccount(account, { metadata: { name: account, namespace: namespace.namespace, labels: { account: app } } }, inNamespace);
    new k8s.core.v1.Service(app, {
        metadata: { name: app, namespace: namespace.namespace, labels: { app, service: app } },
        spec: { selector: { app }, ports: [{ name: "http", port: PORT }] },
    }, inNamespace);
    for (const version of versions) {
        const labels = { app, version };
        new k8s.apps.v1.Deployment(`${app}-${version}`, {
            metadata: { name: `${app}-${version}`, namespace: namespace.namespace, labels },
            spec: {
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: account,
                        securityContext: { runAsNonRoot: true, runAsUser: 1000 },
                        containers: [{
                            name: app,
                            image: `docker.io/istio/examples-bookinfo-${app}-${version}:${IMAGE_TAG}`,
                            ports: [{ containerPort: PORT }],
                        }],
                    },
                },
            },
        }, inNamespace);
    }
}

bookinfoService(frontend, "productpage", ["v1"]);
bookinfoService(bookinfo, "details", ["v1"]);
bookinfoService(bookinfo, "reviews", ["v1", "v2", "v3"]);
bookinfoService(bookinfo, "ratings", ["v1"]);

// The entry point: the ingress gateway serves the product page's routes (Istio's bookinfo-gateway).
const atIngress = { dependsOn: [...mesh.ready, ...frontend.ready] };
new k8s.apiextensions.CustomResource("bookinfo-gateway", {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: { name: "bookinfo-gateway", namespace: frontend.namespace },
    spec: {
        // The gateway chart labels its pods istio=<release name without "istio-">.
        selector: { istio: DEFAULT_GATEWAY_NAME.replace(/^istio-/, "") },
        servers: [{ port: { number: 8080, name: "http", protocol: "HTTP" }, hosts: ["*"] }],
    },
}, atIngress);
new k8s.apiextensions.CustomResource("bookinfo", {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "bookinfo", namespace: frontend.namespace },
    spec: {
        hosts: ["*"],
        gateways: ["bookinfo-gateway"],
        http: [{
            match: [
                { uri: { exact: "/productpage" } },
                { uri: { prefix: "/static" } },
                { uri: { exact: "/login" } },
                { uri: { exact: "/logout" } },
                { uri: { prefix: "/api/v1/products" } },
            ],
            route: [{ destination: { host: "productpage", port: { number: PORT } } }],
        }],
    },
}, atIngress);

const service = (id: string, namespace: string) => ({ id, namespace, serviceAccount: `bookinfo-${id}`, ports: [{ port: PORT, protocol: "http" as const }] });
new MeshPolicy("access", {
    services: [service("productpage", "frontend"), service("details", "bookinfo"), service("reviews", "bookinfo"), service("ratings", "bookinfo")],
    // Each namespace's data plane and waypoint, as its MeshNamespace created them.
    namespaces: { frontend: frontend.meshPolicyNamespace, bookinfo: bookinfo.meshPolicyNamespace },
    allow: [
        { from: { ingressGateway: true }, to: "productpage", methods: ["GET"], paths: ["/productpage", "/static/*", "/logout", "/api/v1/products", "/api/v1/products/*"] },
        { from: { ingressGateway: true }, to: "productpage", methods: ["POST"], paths: ["/login"] },
        { from: { service: "productpage" }, to: "details" },
        { from: { service: "productpage" }, to: "reviews" },
        { from: { service: "reviews" }, to: "ratings", methods: ["GET"] },
    ],
    // The MeshNamespaces already make both namespaces STRICT.
    mtls: "inherit",
    dependsOn: mesh.ready,
    namespaceDependsOn: { frontend: frontend.ready, bookinfo: bookinfo.ready },
});
