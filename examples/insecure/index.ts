// A deliberately INSECURE stack: the mistakes meshguard's policy pack exists to catch, written by
// hand with plain Kubernetes objects (no meshguard component would emit them). Never deploy it:
// `pulumi preview --policy-pack ../../policy-pack` (or `meshguard preview examples/insecure`)
// must fail.
import * as k8s from "@pulumi/kubernetes";
import { IstioMesh } from "meshguard";

// The install itself is sound: a pinned Istio, a mesh-wide STRICT PeerAuthentication.
const mesh = new IstioMesh("mesh", {
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
