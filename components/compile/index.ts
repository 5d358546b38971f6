export * from "./install";
export * from "./namespace";
export * from "./mesh-policy";
export * from "./naming";
export * from "./security-manifests";
export * from "./warnings";
export { MAX_OBJECT_BYTES, MAX_RULES_PER_POLICY } from "./limits";
export * from "./network-policy";
