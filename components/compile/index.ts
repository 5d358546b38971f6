export * from "./install";
export * from "./namespace";
export * from "./mesh-policy";
export * from "./naming";
export * from "./security-manifests";
