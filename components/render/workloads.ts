import { manifestWorkloads } from "../istio";
import { KubeObject } from "../kube";

/** A workload found among the objects: what an AuthorizationPolicy selector or a principal points at. */
export interface WorkloadInfo {
    readonly namespace: string;
    readonly name: string;
    readonly kind: string;
    /** Labels of its pods (what `selector.matchLabels` is compared with). */
    readonly podLabels: Record<string, string>;
    /** The service account its pods run as (Kubernetes defaults to "default"). */
    readonly serviceAccount: string;
    /** False when its pods run without a sidecar (components/istio/enrolment): nothing is enforced on them. */
    readonly inMesh: boolean;
    /** Why it is in the mesh or not, naming the label. */
    readonly meshReason: string;
}

/** Every workload (each kind of the ground floor's workload table) among the objects, in order. */
export function findWorkloads(objects: readonly KubeObject[]): WorkloadInfo[] {
    return manifestWorkloads(objects).map((w) => ({
        namespace: w.namespace,
        name: w.name,
        kind: w.kind,
        podLabels: w.podLabels,
        serviceAccount: w.serviceAccount,
        inMesh: w.enrolment.inMesh,
        meshReason: w.enrolment.reason,
    }));
}
