// The ground floor: one reading of Kubernetes objects (records, type tokens, workload kinds and
// pod templates, Helm resources) for the simulator, the renderer, the policy pack and the CLI.
export { asList, asRecord, asStringMap, hasPath, isRecord, nonEmptyString, recordAt, stringsAt, valueAt } from "./records";
export { LabelRequirement, LabelSelector, labelSelectorMatches, maySelectPodCarrying, readLabelSelector, selectsEveryPodCarrying } from "./label-selector";
export { annotationsOf, KubeObject, labelsOf, nameOf, namespaceOf, typeOfObject } from "./object";
export { apiVersionOf, KubernetesType, kubernetesTypeToken, parseKubernetesType, patchedKind, splitApiVersion, typeOfApiVersion } from "./type-token";
export { readServices, ServicePortRecord, ServiceRecord, serviceSelects } from "./services";
export { HELM_CHART_TYPE, HELM_RELEASE_TYPE, HELM_V3_CHART_TYPE, isHelmInstallType, isHelmResource } from "./helm";
export {
    ContainerPort,
    containerPorts,
    podServiceAccount,
    PodTemplateData,
    podTemplateOf,
    podUsesHostNetwork,
    WORKLOAD_KIND_NAMES,
    WorkloadKind,
    workloadKindOf,
    workloadKindOfObject,
    workloadKindOfType,
} from "./workloads";
