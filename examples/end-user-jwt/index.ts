// End-user authentication: a RequestAuthentication validates JWTs from one OIDC issuer, and the
// reports API only admits requests carrying a valid token from that issuer, for the
// "reports-api" audience, whose `groups` claim includes "analysts", and only to read (GET, HEAD).
// A RequestAuthentication alone would let requests WITHOUT a token through: the ALLOW rule on
// requestPrincipals is what makes the token mandatory.
import * as k8s from "@pulumi/kubernetes";
import { IstioMesh, MeshNamespace, MeshPolicy } from "meshguard";

const issuer = "https://auth.example.com";

const mesh = new IstioMesh("mesh", {
    gateway: true,
    meshConfig: {
        pathNormalization: { normalization: "MERGE_SLASHES" },
        outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
    },
});
const analytics = new MeshNamespace("analytics", { name: "analytics", mesh });

const labels = { app: "reports" };
const metadata = { name: "reports", namespace: analytics.namespace, labels };
const opts = { dependsOn: analytics.ready };
new k8s.core.v1.ServiceAccount("reports", { metadata }, opts);
new k8s.apps.v1.Deployment("reports", {
    metadata,
    spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: {
                serviceAccountName: "reports",
                securityContext: { runAsNonRoot: true, runAsUser: 10001 },
                containers: [{ name: "reports", image: "ghcr.io/example/reports:1.9.0", ports: [{ containerPort: 8080 }] }],
            },
        },
    },
}, opts);
new k8s.core.v1.Service("reports", {
    metadata,
    spec: { selector: labels, ports: [{ name: "http", port: 8080 }] },
}, opts);

new MeshPolicy("access", {
    services: [{ id: "reports", namespace: "analytics", serviceAccount: "reports", ports: [{ port: 8080, protocol: "http" }] }],
    allow: [{
        from: {
            endUsers: {
                issuer,
                jwksUri: `${issuer}/.well-known/jwks.json`,
                audiences: ["reports-api"],
                claims: { groups: ["analysts"] },
            },
        },
        to: "reports",
        methods: ["GET", "HEAD"],
    }],
    // The MeshNamespace already makes "analytics" STRICT and default-deny.
    mtls: "inherit",
    defaultDeny: false,
    dependsOn: mesh.ready,
    namespaceDependsOn: { analytics: analytics.ready },
});
