import { KubernetesType, parseKubernetesType, splitApiVersion } from "./type-token";
import { asList, asRecord, asStringMap, nonEmptyString, valueAt } from "./records";

/** A kind whose objects run pods, and where its pod template sits. */
export interface WorkloadKind {
    readonly kind: string;
    /** Property path of the pod template ([] for a Pod: its own metadata and spec). */
    readonly template: readonly string[];
}

const SPEC_TEMPLATE = ["spec", "template"] as const;

/**
 * Every built-in kind that runs pods, with the API groups that serve it (any version: an old
 * `extensions/v1beta1` Deployment still runs pods) and the path of its pod template.
 */
const WORKLOAD_KINDS: Readonly<Record<string, { readonly groups: readonly string[]; readonly template: readonly string[] }>> = {
    Pod: { groups: [""], template: [] },
    ReplicationController: { groups: [""], template: SPEC_TEMPLATE },
    Deployment: { groups: ["apps", "extensions"], template: SPEC_TEMPLATE },
    StatefulSet: { groups: ["apps"], template: SPEC_TEMPLATE },
    DaemonSet: { groups: ["apps", "extensions"], template: SPEC_TEMPLATE },
    ReplicaSet: { groups: ["apps", "extensions"], template: SPEC_TEMPLATE },
    Job: { groups: ["batch"], template: SPEC_TEMPLATE },
    CronJob: { groups: ["batch"], template: ["spec", "jobTemplate", "spec", "template"] },
};

/** The workload kinds, in the table's order (for messages and generators). */
export const WORKLOAD_KIND_NAMES: readonly string[] = Object.keys(WORKLOAD_KINDS);

/** The workload kind of a Kubernetes type (group + kind, any version), or undefined. */
export function workloadKindOf(type: KubernetesType): WorkloadKind | undefined {
    if (!Object.prototype.hasOwnProperty.call(WORKLOAD_KINDS, type.kind) || type.version === "") return undefined;
    const known = WORKLOAD_KINDS[type.kind];
    return known.groups.includes(type.group) ? { kind: type.kind, template: known.template } : undefined;
}

/** The workload kind of an object's apiVersion and kind. */
export function workloadKindOfObject(apiVersion: string, kind: string): WorkloadKind | undefined {
    return workloadKindOf({ ...splitApiVersion(apiVersion), kind });
}

/** The workload kind of a Pulumi type token (`kubernetes:apps/v1:Deployment`). */
export function workloadKindOfType(token: string): WorkloadKind | undefined {
    const type = parseKubernetesType(token);
    return type === undefined ? undefined : workloadKindOf(type);
}

/** The pod template of a workload object, read as plain data. */
export interface PodTemplateData {
    /** `spec.template`, `spec.jobTemplate.spec.template`, "" for a Pod. */
    readonly path: string;
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
    readonly spec: Record<string, unknown>;
}

export function podTemplateOf(object: unknown, workload: WorkloadKind): PodTemplateData {
    const template = workload.template.length === 0 ? asRecord(object) : asRecord(valueAt(object, workload.template));
    const metadata = asRecord(template["metadata"]);
    return {
        path: workload.template.join("."),
        labels: asStringMap(metadata["labels"]),
        annotations: asStringMap(metadata["annotations"]),
        spec: asRecord(template["spec"]),
    };
}

/**
 * The service account a pod runs as: `serviceAccountName`, else the deprecated alias
 * `serviceAccount` (the API server copies it over when serviceAccountName is empty:
 * kubernetes pkg/apis/core/v1/conversion.go, Convert_v1_PodSpec_To_core_PodSpec), else "default"
 * (the ServiceAccount admission plugin's default).
 */
export function podServiceAccount(podSpec: Record<string, unknown>): string {
    return nonEmptyString(podSpec["serviceAccountName"]) ?? nonEmptyString(podSpec["serviceAccount"]) ?? "default";
}

/** True when the pod shares the node's network namespace (`spec.hostNetwork: true`). */
export function podUsesHostNetwork(podSpec: Record<string, unknown>): boolean {
    return podSpec["hostNetwork"] === true;
}

/** A declared container port of a pod (`spec.containers[].ports[]`). */
export interface ContainerPort {
    readonly containerPort: number;
    readonly name?: string;
}

export function containerPorts(podSpec: Record<string, unknown>): ContainerPort[] {
    const out: ContainerPort[] = [];
    for (const container of asList(podSpec["containers"])) {
        for (const port of asList(asRecord(container)["ports"])) {
            const record = asRecord(port);
            if (typeof record["containerPort"] !== "number") continue;
            const name = nonEmptyString(record["name"]);
            out.push(name === undefined ? { containerPort: record["containerPort"] } : { containerPort: record["containerPort"], name });
        }
    }
    return out;
}
