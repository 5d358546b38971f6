import { istioKindFromType, IstioSecurityKind } from "../../components/istio";
import { parseKubernetesType, WorkloadKind, workloadKindOfType } from "../../components/kube";

export { HELM_CHART_TYPE, HELM_RELEASE_TYPE, HELM_V3_CHART_TYPE, isHelmInstallType, KubernetesType, parseKubernetesType } from "../../components/kube";

/** The Istio kind of a resource type, matched on group + kind for every served version. */
export function istioKindOfType(type: string): IstioSecurityKind | undefined {
    return istioKindFromType(type);
}

/** A workload kind and where its pod template sits (the ground floor's workload table). */
export type WorkloadType = WorkloadKind;

/** The workload kind (and pod template path) of a resource type, any version. */
export function workloadTypeOf(type: string): WorkloadType | undefined {
    return workloadKindOfType(type);
}

/** "Namespace" for a namespace the stack creates, "NamespacePatch" for one it labels. */
export function namespaceTypeOf(type: string): "Namespace" | "NamespacePatch" | undefined {
    const parsed = parseKubernetesType(type);
    if (parsed === undefined || parsed.group !== "") return undefined;
    return parsed.kind === "Namespace" || parsed.kind === "NamespacePatch" ? parsed.kind : undefined;
}
