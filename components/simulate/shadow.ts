import { Decision } from "./types";

/**
 * What the dry-run (`istio.io/dry-run: "true"`) policies of a destination decide on their own: the
 * shadow engines. istiod puts a workload's dry-run ALLOW policies in the ALLOW RBAC filter's
 * `shadow_rules` and its dry-run DENY policies in the DENY filter's
 * (pilot/pkg/security/authz/builder/builder.go `build`); Envoy evaluates each shadow engine like
 * an enforced one and only records the result (the RBAC filter's `shadow_allowed`/`shadow_denied`
 * statistics, Envoy docs "Role Based Access Control (RBAC) Filter"). So: a matching dry-run DENY → denied;
 * else, with dry-run ALLOW policies, allowed when one matches and denied when none does.
 *
 * `undefined` when no dry-run policy applies, or none could be evaluated (the decision was taken
 * before authorization: NetworkPolicy, mTLS, JWT). Needs a `decide()` result (the fast
 * `verdict()` skips dry-run evaluation). An undecidable match makes the result `unknown`.
 */
export type ShadowVerdict = "allowed" | "denied" | "unknown";

export function shadowVerdict(decision: Decision): ShadowVerdict | undefined {
    const deny = decision.dryRun.filter((o) => o.policy.action === "DENY");
    const allow = decision.dryRun.filter((o) => o.policy.action === "ALLOW");
    if (deny.some((o) => o.matched === "match")) return "denied";
    const denyUnknown = deny.some((o) => o.matched === "unknown");
    if (allow.length === 0) return deny.length === 0 ? undefined : denyUnknown ? "unknown" : "allowed";
    if (denyUnknown) return "unknown";
    if (allow.some((o) => o.matched === "match")) return "allowed";
    return allow.some((o) => o.matched === "unknown") ? "unknown" : "denied";
}
