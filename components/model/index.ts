// The model's public surface (re-exported by the package root). Every file listed here has
// declarations that name no zod type: test/package/public-declarations.test.ts walks the built
// declarations from each package entry point and fails if one imports "zod". The schemas stay
// internal (import them from their own files).
export * from "./install-types";
export * from "./namespace-types";
export * from "./mesh-policy";
export * from "../istio/schema/spec-types";
export * from "./namespace-dependencies";
export * from "./public-checks";
export { DNS1123_LABEL_PATTERN } from "../validation/dns-names";
