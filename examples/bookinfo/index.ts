// Istio's Bookinfo sample behind the ingress gateway, least privilege: the gateway may only reach
// the product page's routes, the product page may only read details and reviews, and only
// reviews may read ratings. Everything else is denied (STRICT mTLS, default deny).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_GATEWAY_NAME, IstioMesh, MeshNamespace, MeshPolicy } from "meshguard";

const PORT = 9080;
const IMAGE_TAG = "1.20.2";

const mesh = new IstioMesh("mesh", {
    gateway: true,
    meshConfig: {
        pathNormalization: { normalization: "MERGE_SLASHES" },
        outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
    },
});
const bookinfo = new MeshNamespace("bookinfo", { name: "bookinfo", mesh });
const inNamespace: pulumi.CustomResourceOptions = { dependsOn: bookinfo.ready };

/** A Bookinfo service: its ServiceAccount (bookinfo-<app>), its Service and one Deployment per version. */
function bookinfoService(app: string, versions: string[]): void {
    const account = `bookinfo-${app}`;
    new k8s.core.v1.ServiceAccount(account, { metadata: { name: account, namespace: bookinfo.namespace, labels: { account: app } } }, inNamespace);
    new k8s.core.v1.Service(app, {
        metadata: { name: app, namespace: bookinfo.namespace, labels: { app, service: app } },
        spec: { selector: { app }, ports: [{ name: "http", port: PORT }] },
    }, inNamespace);
    for (const version of versions) {
        const labels = { app, version };
        new k8s.apps.v1.Deployment(`${app}-${version}`, {
            metadata: { name: `${app}-${version}`, namespace: bookinfo.namespace, labels },
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

bookinfoService("productpage", ["v1"]);
bookinfoService("details", ["v1"]);
bookinfoService("reviews", ["v1", "v2", "v3"]);
bookinfoService("ratings", ["v1"]);

// The entry point: the ingress gateway serves the product page's routes (Istio's bookinfo-gateway).
new k8s.apiextensions.CustomResource("bookinfo-gateway", {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: { name: "bookinfo-gateway", namespace: bookinfo.namespace },
    spec: {
        // The gateway chart labels its pods istio=<release name without "istio-">.
        selector: { istio: DEFAULT_GATEWAY_NAME.replace(/^istio-/, "") },
        servers: [{ port: { number: 8080, name: "http", protocol: "HTTP" }, hosts: ["*"] }],
    },
}, { dependsOn: [...mesh.ready, ...bookinfo.ready] });
new k8s.apiextensions.CustomResource("bookinfo", {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "bookinfo", namespace: bookinfo.namespace },
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
}, { dependsOn: [...mesh.ready, ...bookinfo.ready] });

const service = (id: string) => ({ id, namespace: "bookinfo", serviceAccount: `bookinfo-${id}`, ports: [{ port: PORT, protocol: "http" as const }] });
new MeshPolicy("access", {
    services: [service("productpage"), service("details"), service("reviews"), service("ratings")],
    allow: [
        { from: { ingressGateway: true }, to: "productpage", methods: ["GET"], paths: ["/productpage", "/static/*", "/logout", "/api/v1/products", "/api/v1/products/*"] },
        { from: { ingressGateway: true }, to: "productpage", methods: ["POST"], paths: ["/login"] },
        { from: { service: "productpage" }, to: "details", methods: ["GET"] },
        { from: { service: "productpage" }, to: "reviews", methods: ["GET"] },
        { from: { service: "reviews" }, to: "ratings", methods: ["GET"] },
    ],
    // The MeshNamespace already makes "bookinfo" STRICT and default-deny.
    mtls: "inherit",
    defaultDeny: false,
    dependsOn: mesh.ready,
    namespaceDependsOn: { bookinfo: bookinfo.ready },
});
