import { DRY_RUN_ANNOTATION } from "../constants";

/** Go's strconv.ParseBool: the only spellings it accepts (anything else is an error). */
const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

export function parseGoBool(value: string): boolean | undefined {
    if (GO_TRUE.has(value)) return true;
    if (GO_FALSE.has(value)) return false;
    return undefined;
}

/**
 * How istiod treats an AuthorizationPolicy's `istio.io/dry-run` annotation:
 * - "dry-run": a Go true value; evaluated into shadow rules, never enforced;
 * - "enforced": absent or a Go false value;
 * - "invalid": any other value. istiod's isDryRun (pilot/pkg/security/authz/builder/builder.go)
 *   logs the ParseBool error and ENFORCES the policy; the validating webhook
 *   (pkg/config/validation/validation.go checkDryRunAnnotation) rejects the object outright.
 *   The simulator and renderer follow istiod (enforced, the less permissive reading of a policy
 *   that reached it); the pack's default-deny check does not count it (it never gets admitted).
 */
export type DryRunState = "enforced" | "dry-run" | "invalid";

export function dryRunState(annotations: Readonly<Record<string, unknown>> | undefined): DryRunState {
    const value = annotations === undefined ? undefined : annotations[DRY_RUN_ANNOTATION];
    if (value === undefined || value === null) return "enforced";
    if (typeof value !== "string") return "invalid";
    const parsed = parseGoBool(value);
    return parsed === undefined ? "invalid" : parsed ? "dry-run" : "enforced";
}

/** True when istiod evaluates the policy without enforcing it. */
export function isDryRun(annotations: Readonly<Record<string, unknown>> | undefined): boolean {
    return dryRunState(annotations) === "dry-run";
}
