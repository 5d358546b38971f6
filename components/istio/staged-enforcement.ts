import { dryRunState } from "./dry-run";

/**
 * Staged enforcement (MeshPolicy `dryRunServices`): a destination whose AuthorizationPolicies run in
 * dry-run still sits in a namespace whose allow-nothing policy is enforced. istiod puts dry-run
 * policies in the RBAC filter's `shadow_rules` and enforced ones in its `rules`, per action, and an
 * ALLOW policy without rules becomes an enforced never-matching policy
 * (pilot/pkg/security/authz/builder/builder.go, `build` and `isDryRun`): the enforced allow-nothing
 * alone would deny every request to the dry-run destination. So meshguard pairs it with an
 * enforced "staged allow" policy that opens exactly the destination's declared ports, marked with
 * this annotation so the pack reports it as "dry-run, not enforced" instead of an allow-all mistake.
 */
export const STAGED_ENFORCEMENT_ANNOTATION = "meshguard.io/staged-enforcement";
export const STAGED_ENFORCEMENT_VALUE = "dry-run";

/** What a staged allow opens: the selected workloads' ports, to any caller. */
export interface StagedAllow {
    readonly matchLabels: Readonly<Record<string, string>>;
    readonly ports: readonly string[];
}

// Plain objects only: a preview marker for an unknown value (a class instance) is never a record here.
const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));
const onlyKeys = (o: Record<string, unknown>, keys: readonly string[]) => Object.keys(o).every((k) => keys.includes(k));

/**
 * The staged allow meshguard emits, recognised by exact shape only: the annotation, enforced (no
 * dry-run), ALLOW, a non-empty `selector.matchLabels`, and one rule with one operation naming
 * only non-empty `ports`. Anything else (another field, a second rule, a `from`, no selector) is
 * not one, and is judged as the AuthorizationPolicy it is.
 */
export function stagedAllowOf(annotations: Readonly<Record<string, unknown>> | undefined, spec: unknown): StagedAllow | undefined {
    if (annotations?.[STAGED_ENFORCEMENT_ANNOTATION] !== STAGED_ENFORCEMENT_VALUE || dryRunState(annotations) !== "enforced") return undefined;
    if (!isRecord(spec) || !onlyKeys(spec, ["selector", "action", "rules"]) || (spec["action"] ?? "ALLOW") !== "ALLOW") return undefined;
    const selector = spec["selector"];
    if (!isRecord(selector) || !onlyKeys(selector, ["matchLabels"]) || !isRecord(selector["matchLabels"])) return undefined;
    const labels = selector["matchLabels"];
    if (Object.keys(labels).length === 0 || !Object.values(labels).every((v) => typeof v === "string")) return undefined;
    const rules = spec["rules"];
    if (!Array.isArray(rules) || rules.length !== 1 || !isRecord(rules[0]) || !onlyKeys(rules[0], ["to"])) return undefined;
    const to = rules[0]["to"];
    if (!Array.isArray(to) || to.length !== 1 || !isRecord(to[0]) || !onlyKeys(to[0], ["operation"])) return undefined;
    const operation = to[0]["operation"];
    if (!isRecord(operation) || !onlyKeys(operation, ["ports"])) return undefined;
    const ports = operation["ports"];
    if (!Array.isArray(ports) || ports.length === 0 || !ports.every((p) => typeof p === "string" && p !== "")) return undefined;
    return { matchLabels: labels as Record<string, string>, ports: ports as string[] };
}
