// The authorization simulator: Istio's decision for one request, and reachability over a mesh.
export {
    Decision,
    DecisionLayer,
    DecisionStage,
    NetworkLayerReport,
    DryRunOutcome,
    EnforcementHop,
    EnforcementPoint,
    MtlsMode,
    PolicyRef,
    RequestSource,
    SimPort,
    SimProtocol,
    SimRequest,
    SimWorkload,
    Verdict,
} from "./types";
export { AuthorizationSimulator, ResolvedSource, simulateRequest, SimulatorInput } from "./evaluator";
export { workloadsFromManifests, protocolOfServicePort } from "./workloads";
export {
    defaultProbes,
    EXTERNAL_CALLER,
    formatReachability,
    PairReachability,
    ProbeOutcome,
    reachability,
    ReachabilityOptions,
    ReachabilityProbe,
    ReachabilityReport,
    samplePath,
} from "./reachability";
export { formatDecision, formatExternalDecision } from "./format";
export { ExternalDecision, ExternalDecisionLayer, ExternalDestination, ServiceEntryIndex, SimExternalRequest } from "./external";
export { shadowVerdict, ShadowVerdict } from "./shadow";
export { L4Protocol, NetworkEndpoint, NetworkLayerOutcome, NetworkPolicyLayer } from "./network-policy";
export { LabelSelector, labelSelectorMatches, readLabelSelector } from "../kube";
export { formatDataplanes, hasAmbient, NamespaceDataplane, namespaceDataplanes } from "./dataplanes";
