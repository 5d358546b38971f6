// Drives a CrossGuard policy pack over its analyzer gRPC protocol, as the Pulumi CLI does.
export { PolicyPackInfo, PolicyDescription, PolicyPackRunOptions, PolicyPackRunResult, PolicyVerdict, verdictFailsRun } from "./types";
export { AnalysisResult, NotApplicable, PolicyPackSession, PolicyPackRpcError, PolicyPackSessionOptions, startPolicyPack } from "./session";
export { analyzeManifests, analyzeStackWith, manifestResources, runPolicyPack } from "./run";
export { PolicyConfigEntry, PolicyConfigError, reconcilePolicyConfig } from "./policy-config";
export { defaultPackDir } from "./pack-process";
export { analyzeRequest, analyzeStackRequest } from "./requests";
export { toAnalyzerValue } from "./wire-encoding";
