import { NamespaceEnrolment, namespaceEnrolment, workloadEnrolment, WorkloadEnrolment } from "../../components/istio";
import { podUsesHostNetwork } from "../../components/kube";
import { materialize } from "./object";
import { PodTemplate } from "./workload";

export { NamespaceEnrolment, namespaceEnrolment };

/** The pod facts mesh membership reads, copied through the SDK proxy (an unknown value throws). */
function podInput(template: PodTemplate): { labels: Record<string, string>; annotations: Record<string, string>; hostNetwork: boolean } {
    return { labels: template.labels, annotations: template.annotations, hostNetwork: podUsesHostNetwork({ hostNetwork: materialize(template.spec["hostNetwork"]) }) };
}

/**
 * Mesh membership of a workload (components/istio/enrolment): `namespaceLabels` undefined when
 * the stack does not create or label the namespace (then the pod alone decides, as if the
 * namespace were labelled for injection).
 */
export function enrolmentOf(namespace: string, namespaceLabels: Readonly<Record<string, string>> | undefined, template: PodTemplate): WorkloadEnrolment {
    return workloadEnrolment({ name: namespace, labels: namespaceLabels }, podInput(template));
}
