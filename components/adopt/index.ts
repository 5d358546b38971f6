// Adoption on a running mesh: relationships discovered from Istio's metrics, and reviewable diffs.
export { parsePrometheusResponse, PrometheusInputError, PrometheusSample } from "./prometheus";
export { isSuccess, ObservedCall, observedCalls, OPTIONAL_LABELS, parsePrincipal, REQUIRED_LABELS } from "./istio-metrics";
export { DroppedTraffic, DropReason, ObservedEdge } from "./observed-edges";
export { discover, DiscoverOptions, Discovery, DiscoveredRelationship } from "./discover";
export { formatDiscoveryReport, meshPolicyModule } from "./discover-report";
export { ANY_PATH, diffMeshObjects, MeshDiff, MeshDiffOptions, MtlsChange, ObjectRef, OTHER_PATHS, ReachabilityChange, weakensMtls } from "./mesh-diff";
export { formatDiffMarkdown, formatDiffText, isEmptyDiff, isWidening } from "./diff-format";
export { formatReplay, Replay, ReplayedCall, replayObservedTraffic } from "./replay";
export { ImportInputError, importMeshPolicy, ImportOptions, ImportVerdict, MeshImport } from "./import";
export { findingLine, ImportFinding } from "./import-findings";
export { formatImportReport, importedPolicyModule } from "./import-report";
