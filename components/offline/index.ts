export { loadProject, PulumiProject } from "./project";
export { OfflineRecorder, OfflineRuntimeOptions, RegisteredResource } from "./recorder";
export { OfflineRun, OfflineRunOptions, runProgramOffline } from "./run-program";
export { containsUnknown, toPlainValue, UNKNOWN_PLACEHOLDER, UNKNOWN_SENTINEL } from "./wire-values";
export { DEFAULT_TIMEOUT_SECONDS, DidNotSettle, settleWithin, StallReason } from "./settle";
