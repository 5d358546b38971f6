export * from "./install";
export * from "./namespace";
export * from "./mesh-policy";
export * from "./istio-security";
export { formatPath, parseOrThrow, toIssues } from "./validate";
