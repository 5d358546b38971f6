// Public API of meshguard. Each area owns its barrel; this file only re-exports them.
export * from "./constants";
export * from "./errors";
export * from "./manifest";
export * from "./model";
export * from "./compile";
export * from "./istio";
export * from "./simulate";
export * from "./render";
export * from "./analyzer";
export * from "./offline";
export * from "./istio-mesh";
export * from "./mesh-namespace";
export * from "./mesh-policy";
export * from "./testing";
