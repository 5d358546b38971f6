import { ValidationIssue } from "../errors";
import { K8sManifest } from "../manifest";
import type { MeshPolicyConfig, MeshService } from "../model/mesh-policy";
import { allowPolicyName } from "./authz-allow";
import { denyPolicyName, NAMESPACE_DENY_NAME } from "./authz-deny";
import { requestAuthenticationName } from "./jwt";

/** `spec.rules` of an AuthorizationPolicy: maxItems 512 in the Istio 1.30 CRD. */
export const MAX_RULES_PER_POLICY = 512;
/**
 * The largest object meshguard emits: etcd's default `--max-request-bytes` (1.5 MiB), which the
 * Kubernetes API server's writes must fit in (an object is stored whole in one etcd request).
 */
export const MAX_OBJECT_BYTES = 1572864;

const SHOWN_INDEXES = 5;

/**
 * Limits only the compiled output reveals (relationships merge into rules), checked before the
 * schema self-check so the user gets the field at fault, the limit and the fix instead of a
 * "meshguard bug" report. Paths name the input: `allow` / `deny` with the relationships involved.
 */
export function compiledLimitIssues(config: MeshPolicyConfig, manifests: readonly K8sManifest[]): ValidationIssue[] {
    const owners = ownersByObject(config);
    const issues: ValidationIssue[] = [];
    for (const manifest of manifests) {
        const id = `${manifest.kind} ${manifest.metadata.namespace}/${manifest.metadata.name}`;
        const owner = owners.get(id);
        if (owner === undefined) continue;
        const rules = (manifest.spec as { rules?: unknown[] } | undefined)?.rules;
        if (manifest.kind === "AuthorizationPolicy" && rules !== undefined && rules.length > MAX_RULES_PER_POLICY) {
            issues.push({
                path: owner.field,
                message:
                    `${owner.describe(config)} compile to ${rules.length} rules in ${id}; Istio accepts at most ${MAX_RULES_PER_POLICY} rules per AuthorizationPolicy. ` +
                    `Fix: ${owner.field === "allow" ? "merge relationships: those with the same ports, methods, paths, hosts and JWT conditions share one rule, whatever their callers" : "merge deny rules of this target into fewer rules with more unlessFrom callers"}`,
            });
        }
        const bytes = Buffer.byteLength(JSON.stringify(manifest));
        if (bytes > MAX_OBJECT_BYTES) {
            issues.push({
                path: owner.field,
                message: `${owner.describe(config)} compile to ${id} of ${bytes} bytes; Kubernetes stores an object in one etcd request of at most ${MAX_OBJECT_BYTES} bytes (1.5 MiB by default). Fix: shorten or merge the lists of paths, hosts and callers`,
            });
        }
    }
    return issues;
}

interface Owner {
    field: "allow" | "deny";
    describe: (config: MeshPolicyConfig) => string;
}

/** Which input entries produced each per-destination object. */
function ownersByObject(config: MeshPolicyConfig): Map<string, Owner> {
    const owners = new Map<string, Owner>();
    const indexes = (field: "allow" | "deny", match: (entry: { to?: string; toNamespace?: string }) => boolean) =>
        (config[field] as { to?: string; toNamespace?: string }[]).flatMap((entry, i) => (match(entry) ? [i] : []));
    const list = (field: string, found: number[]) =>
        `${found.slice(0, SHOWN_INDEXES).map((i) => `${field}[${i}]`).join(", ")}${found.length > SHOWN_INDEXES ? `, … (${found.length} in all)` : ""}`;
    const forService = (field: "allow" | "deny", service: MeshService): Owner => ({
        field,
        describe: () => `the ${field === "allow" ? "relationships" : "deny rules"} to service "${service.id}" (${list(field, indexes(field, (e) => e.to === service.id))})`,
    });
    for (const service of config.services) {
        owners.set(`AuthorizationPolicy ${service.namespace}/${allowPolicyName(service)}`, forService("allow", service));
        owners.set(`RequestAuthentication ${service.namespace}/${requestAuthenticationName(service)}`, forService("allow", service));
        owners.set(`AuthorizationPolicy ${service.namespace}/${denyPolicyName(service)}`, forService("deny", service));
        owners.set(`AuthorizationPolicy ${service.namespace}/${NAMESPACE_DENY_NAME}`, {
            field: "deny",
            describe: () => `the deny rules on namespace ${service.namespace} (${list("deny", indexes("deny", (e) => e.toNamespace === service.namespace))})`,
        });
    }
    return owners;
}
