import * as assert from "assert";
import {
    apiVersionOf,
    isHelmResource,
    kubernetesTypeToken,
    parseKubernetesType,
    podServiceAccount,
    podTemplateOf,
    splitApiVersion,
    WORKLOAD_KIND_NAMES,
    workloadKindOfObject,
    workloadKindOfType,
} from "../../components/kube";

describe("kube: the ground floor for Kubernetes objects", () => {
    it("reads type tokens in both directions", () => {
        for (const token of ["kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Namespace", "kubernetes:security.istio.io/v1beta1:AuthorizationPolicy"]) {
            const parsed = parseKubernetesType(token);
            assert.ok(parsed !== undefined, token);
            assert.strictEqual(kubernetesTypeToken(parsed), token);
        }
        assert.deepStrictEqual(parseKubernetesType("kubernetes:core/v1:NamespacePatch"), { group: "", version: "v1", kind: "NamespacePatch" });
        assert.deepStrictEqual([parseKubernetesType("aws:s3/bucket:Bucket"), parseKubernetesType("kubernetes:a:b:c")], [undefined, undefined]);
        assert.deepStrictEqual(splitApiVersion("v1"), { group: "", version: "v1" });
        assert.deepStrictEqual([apiVersionOf("", "v1"), apiVersionOf("batch", "v1")], ["v1", "batch/v1"]);
        assert.deepStrictEqual([isHelmResource("kubernetes:helm.sh/v4:Chart"), isHelmResource("kubernetes:apps/v1:Deployment")], [true, false]);
    });

    it("has one workload table: every pod-template kind in its API groups, any version", () => {
        assert.deepStrictEqual(WORKLOAD_KIND_NAMES, ["Pod", "ReplicationController", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]);
        const kinds = [
            ["v1", "Pod"], ["v1", "ReplicationController"], ["apps/v1", "Deployment"], ["extensions/v1beta1", "Deployment"], ["apps/v1", "StatefulSet"],
            ["extensions/v1beta1", "DaemonSet"], ["apps/v1", "ReplicaSet"], ["batch/v1", "Job"], ["batch/v1beta1", "CronJob"],
        ].map(([apiVersion, kind]) => workloadKindOfObject(apiVersion, kind)?.template.join("."));
        assert.deepStrictEqual(kinds, ["", "spec.template", "spec.template", "spec.template", "spec.template", "spec.template", "spec.template", "spec.template", "spec.jobTemplate.spec.template"]);
        assert.deepStrictEqual([workloadKindOfObject("example.com/v1", "Deployment"), workloadKindOfObject("apps/v1", "Pod"), workloadKindOfType("kubernetes:batch/v1:CronJob")?.kind], [undefined, undefined, "CronJob"]);
    });

    it("reads the pod template and the service account as the API server does (serviceAccountName, else the deprecated serviceAccount)", () => {
        const cron = { spec: { jobTemplate: { spec: { template: { metadata: { labels: { app: "r", n: 1 }, annotations: { a: "b" } }, spec: { serviceAccount: "old" } } } } } };
        const template = podTemplateOf(cron, workloadKindOfObject("batch/v1", "CronJob")!);
        assert.deepStrictEqual(template, { path: "spec.jobTemplate.spec.template", labels: { app: "r" }, annotations: { a: "b" }, spec: { serviceAccount: "old" } });
        assert.deepStrictEqual(
            [podServiceAccount({ serviceAccountName: "new", serviceAccount: "old" }), podServiceAccount({ serviceAccount: "old" }), podServiceAccount({ serviceAccountName: "" }), podServiceAccount({})],
            ["new", "old", "default", "default"],
        );
    });
});
