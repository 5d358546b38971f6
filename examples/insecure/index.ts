// A deliberately INSECURE stack: the mistakes meshguard's policy pack exists to catch, written by
// hand with plain Kubernetes objects (no meshguard component would emit them). Never deploy it:
// `pulumi preview --policy-pack ../../policy-pack` (or `meshguard preview examples/insecure`)
// must fail.
import * as k8s from "@pulumi/kubernetes";
import { IstioMesh } from "meshguard";

// The install itself is sound: a pinned Istio with the ambient data plane (sidecar namespaces
// still work beside ambient ones), a mesh-wide STRICT PeerAuthentication.
const mesh = new IstioMesh("mesh", {
    dataplane: "ambient",
    gatewayApi: "assume-present",
    meshConfig: {
        pathNormalization: { normalization: "MERGE_SLASHES" },
        outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
    },
});
const afterMesh = { dependsOn: mesh.ready };

// Mistake 1: a namespace in the mesh whose PeerAuthentication accepts plaintext (PERMISSIVE),
// overriding the mesh-wide STRICT policy: plaintext callers carry no identity to authorize.
const legacy = new k8s.core.v1.Namespace("legacy", {
    metadata: { name: "legacy", labels: { "istio-injection": "enabled" } },
}, afterMesh);
new k8s.apiextensions.CustomResource("legacy-permissive", {
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    metadata: { name: "default", namespace: legacy.metadata.name },
    spec: { mtls: { mode: "PERMISSIVE" } },
});

// Mistake 2: an ALLOW policy with an empty rule matches every request: allow-all, and no
// allow-nothing baseline, so the namespace is not default-deny.
new k8s.apiextensions.CustomResource("legacy-allow-all", {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name: "allow-all", namespace: legacy.metadata.name },
    spec: { rules: [{}] },
});

// Mistake 3: a pod opted out of sidecar injection: no mTLS, no policy enforcement for it.
const reportLabels = { app: "report-job" };
new k8s.apps.v1.Deployment("report-job", {
    metadata: { name: "report-job", namespace: legacy.metadata.name },
    spec: {
        selector: { matchLabels: reportLabels },
        template: {
            metadata: { labels: { ...reportLabels, "sidecar.istio.io/inject": "false" } },
            spec: {
                securityContext: { runAsNonRoot: true, runAsUser: 10001 },
                containers: [{ name: "report", image: "ghcr.io/example/report-job:3.1.0" }],
            },
        },
    },
});

// Mistake 4: a namespace running workloads without sidecar injection: outside the mesh entirely.
const batch = new k8s.core.v1.Namespace("batch", { metadata: { name: "batch" } });
const exporterLabels = { app: "exporter" };
new k8s.apps.v1.Deployment("exporter", {
    metadata: { name: "exporter", namespace: batch.metadata.name },
    spec: {
        selector: { matchLabels: exporterLabels },
        template: {
            metadata: { labels: exporterLabels },
            spec: {
                securityContext: { runAsNonRoot: true, runAsUser: 10001 },
                containers: [{ name: "exporter", image: "ghcr.io/example/exporter:1.0.0" }],
            },
        },
    },
});

// Mistake 5 (ambient): an HTTP rule in an ambient namespace without a waypoint. ztunnel enforces
// the policy and cannot see methods, so it drops the rule: the ledger accepts nobody, and the
// author believes GET is allowed. L7 rules need a waypoint (MeshNamespace waypoint) and targetRefs.
const payments = new k8s.core.v1.Namespace("payments", {
    metadata: { name: "payments", labels: { "istio.io/dataplane-mode": "ambient" } },
}, afterMesh);
new k8s.networking.v1.NetworkPolicy("payments-default-deny-ingress", {
    metadata: { name: "default-deny-ingress", namespace: payments.metadata.name },
    spec: { podSelector: {}, policyTypes: ["Ingress"] },
});
new k8s.apiextensions.CustomResource("payments-allow-nothing", {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name: "allow-nothing", namespace: payments.metadata.name },
    spec: {},
});
const ledgerLabels = { app: "ledger" };
new k8s.apps.v1.Deployment("ledger", {
    metadata: { name: "ledger", namespace: payments.metadata.name },
    spec: {
        selector: { matchLabels: ledgerLabels },
        template: {
            metadata: { labels: ledgerLabels },
            spec: {
                securityContext: { runAsNonRoot: true, runAsUser: 10001 },
                containers: [{ name: "ledger", image: "ghcr.io/example/ledger:2.4.0" }],
            },
        },
    },
});
new k8s.apiextensions.CustomResource("ledger-get-only", {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name: "ledger-get-only", namespace: payments.metadata.name },
    spec: {
        selector: { matchLabels: ledgerLabels },
        rules: [{ from: [{ source: { principals: ["cluster.local/ns/legacy/sa/default"] } }], to: [{ operation: { methods: ["GET"] } }] }],
    },
});
