// Two workloads and a policy letting only "web" GET /api/* on "api" (test fixture for explain).
import * as k8s from "@pulumi/kubernetes";

for (const name of ["web", "api"]) {
    new k8s.apps.v1.Deployment(name, {
        metadata: { name, namespace: "demo" },
        spec: {
            selector: { matchLabels: { app: name } },
            template: {
                metadata: { labels: { app: name } },
                spec: { serviceAccountName: name, containers: [{ name, image: "example/app:1", ports: [{ containerPort: 8080 }] }] },
            },
        },
    });
}

new k8s.apiextensions.CustomResource("api-allow", {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name: "api-allow", namespace: "demo" },
    spec: {
        selector: { matchLabels: { app: "api" } },
        rules: [{ from: [{ source: { principals: ["cluster.local/ns/demo/sa/web"] } }], to: [{ operation: { methods: ["GET"], paths: ["/api/*"] } }] }],
    },
});
