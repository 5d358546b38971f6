import { ContainerPort, containerPorts, labelsOf, nameOf, namespaceOf, podServiceAccount, podTemplateOf, podUsesHostNetwork, typeOfObject, workloadKindOfObject } from "../kube";
import { workloadEnrolment, WorkloadEnrolment } from "./enrolment";

/**
 * The labels of every Namespace among the objects (a Namespace and the patches labelling it are
 * merged, later objects winning). A namespace absent from the map is not among the objects.
 */
export function namespaceLabels(objects: readonly unknown[]): Map<string, Record<string, string>> {
    const out = new Map<string, Record<string, string>>();
    for (const object of objects) {
        const type = typeOfObject(object);
        const name = nameOf(object);
        if (type === undefined || type.kind !== "Namespace" || type.apiVersion !== "v1" || name === undefined) continue;
        out.set(name, { ...(out.get(name) ?? {}), ...labelsOf(object) });
    }
    return out;
}

/** A workload object among the manifests, read once: its identity, pod template and mesh membership. */
export interface ManifestWorkload {
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
    readonly podLabels: Record<string, string>;
    readonly podAnnotations: Record<string, string>;
    readonly hostNetwork: boolean;
    readonly serviceAccount: string;
    readonly ports: readonly ContainerPort[];
    readonly enrolment: WorkloadEnrolment;
}

/**
 * Every workload (each kind of the ground floor's workload table) among the objects, with its
 * mesh membership decided by components/istio/enrolment from its namespace's labels (when the
 * Namespace is among the objects) and its pod template.
 */
export function manifestWorkloads(objects: readonly unknown[]): ManifestWorkload[] {
    const namespaces = namespaceLabels(objects);
    const out: ManifestWorkload[] = [];
    for (const object of objects) {
        const type = typeOfObject(object);
        const workload = type === undefined ? undefined : workloadKindOfObject(type.apiVersion, type.kind);
        const name = nameOf(object);
        if (workload === undefined || name === undefined) continue;
        const namespace = namespaceOf(object);
        const pod = podTemplateOf(object, workload);
        out.push({
            kind: workload.kind,
            namespace,
            name,
            podLabels: pod.labels,
            podAnnotations: pod.annotations,
            hostNetwork: podUsesHostNetwork(pod.spec),
            serviceAccount: podServiceAccount(pod.spec),
            ports: containerPorts(pod.spec),
            enrolment: workloadEnrolment(
                { name: namespace, labels: namespaces.get(namespace) },
                { labels: pod.labels, annotations: pod.annotations, hostNetwork: podUsesHostNetwork(pod.spec) },
            ),
        });
    }
    return out;
}
