import { KubeObject, objectAt, stringMap } from "./kube-object";

/** A workload found among the objects: what an AuthorizationPolicy selector or a principal points at. */
export interface WorkloadInfo {
    readonly namespace: string;
    readonly name: string;
    readonly kind: string;
    /** Labels of its pods (what `selector.matchLabels` is compared with). */
    readonly podLabels: Record<string, string>;
    /** The service account its pods run as (Kubernetes defaults to "default"). */
    readonly serviceAccount: string;
}

/** Where each workload kind keeps its pod template. */
const POD_TEMPLATE_PATH: Readonly<Record<string, readonly string[]>> = {
    Deployment: ["spec", "template"],
    StatefulSet: ["spec", "template"],
    DaemonSet: ["spec", "template"],
    ReplicaSet: ["spec", "template"],
    Job: ["spec", "template"],
    CronJob: ["spec", "jobTemplate", "spec", "template"],
    Pod: [],
};

/** Every workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod) in order. */
export function findWorkloads(objects: readonly KubeObject[]): WorkloadInfo[] {
    const out: WorkloadInfo[] = [];
    for (const object of objects) {
        const templatePath = POD_TEMPLATE_PATH[object.kind];
        if (templatePath === undefined || !object.apiVersion.match(/^(apps\/|batch\/|v1$)/)) continue;
        const pod = templatePath.length === 0 ? object : objectAt(object, ...templatePath);
        const account = objectAt(pod, "spec")?.["serviceAccountName"];
        out.push({
            namespace: object.metadata?.namespace || "default",
            name: object.metadata?.name ?? "",
            kind: object.kind,
            podLabels: stringMap(objectAt(pod, "metadata", "labels")),
            serviceAccount: typeof account === "string" && account !== "" ? account : "default",
        });
    }
    return out;
}
