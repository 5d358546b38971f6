import { ValidationIssue } from "../errors";
import { listed, quoted } from "../validation/quote";
import { formatPath } from "../validation/validate";
import { dnsLabel, nonEmptyList } from "./mesh-policy-fields";
import type { MeshPolicyConfig } from "./mesh-policy-types";

/**
 * `dryRunServices`: staged enforcement (shadow mode). The listed destinations' AuthorizationPolicies
 * are emitted with `istio.io/dry-run: "true"` (evaluated and logged, not enforced) while every
 * other workload stays enforced; docs/mesh-policy.md "Staged enforcement" and
 * components/compile/staged-enforcement.ts say how.
 */
export const dryRunServicesField = nonEmptyList(dnsLabel, "must list at least one service id (omit the field to enforce every destination)");

/** Cross-reference checks of `dryRunServices`: declared ids, no repeats, not combined with `dryRun: true`. */
export function checkDryRunServices(config: MeshPolicyConfig): ValidationIssue[] {
    const list = config.dryRunServices;
    if (list === undefined) return [];
    const issues: ValidationIssue[] = [];
    if (config.dryRun) {
        issues.push({
            path: "dryRunServices",
            message: "cannot be combined with dryRun: true (every AuthorizationPolicy is already in dry-run). Fix: remove dryRun, or remove dryRunServices",
        });
    }
    const declared = config.services.map((s) => s.id);
    const seen = new Map<string, number>();
    list.forEach((id, i) => {
        const path = formatPath(["dryRunServices", i]);
        if (!declared.includes(id)) {
            issues.push({ path, message: `unknown service ${quoted(id)} (declared: ${listed([...declared].sort())}). Fix: list ids of services[]` });
        } else if (seen.has(id)) {
            issues.push({ path, message: `duplicate service "${id}" (also dryRunServices[${seen.get(id)}])` });
        }
        if (!seen.has(id)) seen.set(id, i);
    });
    return issues;
}
