export * from "./install";
export * from "./namespace";
export * from "./mesh-policy";
export * from "./network-policy";
export * from "../istio/schema/security";
export * from "./namespace-dependencies";
export { formatPath, parseOrThrow, toIssues } from "../validation/validate";
