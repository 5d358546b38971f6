// Public API of meshguard: what users compose. Each area owns its barrel; this file only
// re-exports them. Internals used by the CLI, the pack and advanced callers live behind subpath
// exports (package.json "exports"; README "Public API"):
//   meshguard/testing   expectAllowed/expectDenied/... (also re-exported here)
//   meshguard/istio     Istio semantics: kinds, enrolment, matching, compileRule, SelectorIndex
//   meshguard/analyzer  the policy pack's gRPC client (analyzeRequest, toAnalyzerValue, runPolicyPack)
//   meshguard/offline   the offline Pulumi runtime (OfflineRecorder, runProgramOffline, wire values)
export * from "./constants";
export * from "./errors";
export * from "./manifest";
export * from "./model";
export * from "./compile";
export * from "./simulate";
export * from "./render";
export * from "./istio-mesh";
export * from "./mesh-namespace";
export * from "./mesh-policy";
export * from "./testing";
