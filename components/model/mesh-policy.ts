import { MeshguardValidationError } from "../errors";
import { checkMeshPolicyReferences } from "./mesh-policy-references";
import { meshPolicySchema } from "./mesh-policy-schema";
import { MeshPolicyConfig, MeshPortProtocol, MeshService } from "./mesh-policy-types";
import { toIssues } from "../validation/validate";

// The public types are the zod-free ones (mesh-policy-types.ts); the schema stays internal.
export * from "./mesh-policy-types";
export { DEFAULT_CLUSTER_DOMAIN, DEFAULT_INGRESS_GATEWAY } from "../constants";

/**
 * Validates a MeshPolicy input: structure, then references between its parts (unknown services,
 * undeclared ports, HTTP fields on TCP ports, shared identities...). Throws a
 * MeshguardValidationError naming every offending field; returns the input with defaults applied.
 */
export function parseMeshPolicy(input: unknown, subject = "MeshPolicy input"): MeshPolicyConfig {
    const parsed = meshPolicySchema.safeParse(input);
    if (!parsed.success) throw new MeshguardValidationError(subject, toIssues(parsed.error));
    const issues = checkMeshPolicyReferences(parsed.data);
    if (issues.length > 0) throw new MeshguardValidationError(subject, issues);
    return parsed.data;
}

/** The workload selector of a service: its declared labels, or `{ app: <id> }`. */
export function meshServiceSelector(service: MeshService): Record<string, string> {
    return service.selector ?? { app: service.id };
}

/** True for ports whose traffic carries HTTP attributes (methods, paths, hosts, JWTs). */
export function isHttpProtocol(protocol: MeshPortProtocol): boolean {
    return protocol !== "tcp";
}
