import * as assert from "assert";
import { protocolOfServicePort, workloadsFromManifests } from "../../components/simulate";

const deployment = (name: string, namespace: string, extra: { labels?: Record<string, string>; ports?: { name?: string; containerPort: number }[]; sa?: string } = {}) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: {
        template: {
            metadata: { labels: extra.labels ?? { app: name } },
            spec: { ...(extra.sa ? { serviceAccountName: extra.sa } : {}), containers: [{ name, ports: extra.ports ?? [{ containerPort: 8080 }] }] },
        },
    },
});

describe("workloads from manifests", () => {
    it("reads namespace, service account, pod labels and container ports with Service protocols", () => {
        const manifests = [
            deployment("db", "data", { sa: "db", ports: [{ name: "pg", containerPort: 5432 }, { containerPort: 9187 }] }),
            { apiVersion: "v1", kind: "Service", metadata: { name: "db", namespace: "data" }, spec: { selector: { app: "db" }, ports: [{ name: "tcp-postgres", port: 5432, targetPort: "pg" }, { name: "http-metrics", port: 80, targetPort: 9187 }] } },
            { apiVersion: "v1", kind: "Pod", metadata: { name: "debug" }, spec: { containers: [{ name: "sh" }] } },
        ];
        assert.deepStrictEqual(workloadsFromManifests(manifests), [
            { namespace: "data", name: "db", serviceAccount: "db", labels: { app: "db" }, ports: [{ port: 5432, protocol: "tcp", name: "pg" }, { port: 9187, protocol: "http" }], inMesh: true, meshReason: "namespace data is not among the objects (assumed labelled istio-injection=enabled)" },
            { namespace: "default", name: "debug", serviceAccount: "default", labels: {}, ports: [], inMesh: true, meshReason: "namespace default is not among the objects (assumed labelled istio-injection=enabled)" },
        ]);
    });

    it("puts pods that opt out of injection, or live in a namespace with injection disabled, outside the mesh", () => {
        const manifests = [
            // istiod's injectRequired accepts only "true"/"false" exactly: "False" falls back to the default (inject).
            deployment("a", "x", { labels: { app: "a", "sidecar.istio.io/inject": "False" } }),
            deployment("b", "legacy"),
            deployment("c", "x", { labels: { app: "c", "sidecar.istio.io/inject": "false" } }),
            { apiVersion: "v1", kind: "Namespace", metadata: { name: "legacy", labels: { "istio-injection": "disabled" } } },
        ];
        assert.deepStrictEqual(workloadsFromManifests(manifests).map((w) => [w.name, w.inMesh, w.meshReason]), [
            ["a", true, "namespace x is not among the objects (assumed labelled istio-injection=enabled)"],
            ["b", false, "namespace legacy is labelled istio-injection=disabled"],
            ["c", false, "pod label sidecar.istio.io/inject=false opts its pods out of sidecar injection"],
        ]);
    });

    it("reads every workload kind of the ground floor's table, the deprecated serviceAccount alias included", () => {
        const template = { metadata: { labels: { app: "x" } }, spec: { serviceAccount: "legacy-sa", containers: [{ name: "x" }] } };
        const manifests = [
            { apiVersion: "v1", kind: "ReplicationController", metadata: { name: "rc", namespace: "x" }, spec: { template } },
            { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "cron", namespace: "x" }, spec: { jobTemplate: { spec: { template } } } },
            { apiVersion: "extensions/v1beta1", kind: "Deployment", metadata: { name: "old", namespace: "x" }, spec: { template } },
            { apiVersion: "example.com/v1", kind: "Deployment", metadata: { name: "custom", namespace: "x" }, spec: { template } },
        ];
        assert.deepStrictEqual(workloadsFromManifests(manifests).map((w) => [w.name, w.serviceAccount]), [["rc", "legacy-sa"], ["cron", "legacy-sa"], ["old", "legacy-sa"]]);
    });

    it("selects protocols like Istio: appProtocol, then the port name prefix", () => {
        assert.strictEqual(protocolOfServicePort("http-web", undefined), "http");
        assert.strictEqual(protocolOfServicePort("grpc", undefined), "http");
        assert.strictEqual(protocolOfServicePort("web", "tcp"), "tcp");
        assert.strictEqual(protocolOfServicePort("mongo", undefined), "tcp");
        assert.strictEqual(protocolOfServicePort("web", undefined), undefined);
    });
});
