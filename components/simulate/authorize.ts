import { AuthzAttributes, ruleResult, Tri } from "../istio";
import { DestinationPolicies } from "./destination";
import { IndexedAuthorizationPolicy } from "./inventory";
import { DecisionStage, PolicyRef, Verdict } from "./types";

/** The authorization stage's outcome (after mTLS and JWT), without any text. */
export interface AuthzOutcome {
    readonly verdict: Verdict;
    readonly stage: Extract<DecisionStage, "custom" | "deny" | "no-allow-policy" | "allow" | "no-allow-match">;
    /** The deciding policy and rule (for "unknown": the one that could not be decided, or the CUSTOM policy). */
    readonly policy?: IndexedAuthorizationPolicy;
    readonly rule?: number;
    /** "match", or "unknown" when the request lacks data the rule needs. */
    readonly matched?: Tri;
    /** For an undecided DENY or a CUSTOM provider: what happens if it lets the request through. */
    readonly then?: AuthzOutcome;
}

export interface PolicyMatch {
    readonly result: Tri;
    readonly rule?: number;
}

/** The first rule of a policy that matches (or, failing that, the first that cannot be decided). */
export function firstMatch(p: IndexedAuthorizationPolicy, attrs: AuthzAttributes): PolicyMatch {
    let unknown: number | undefined;
    for (const rule of p.spec.rules) {
        const r = ruleResult(rule, attrs);
        if (r === "match") return { result: "match", rule: rule.index };
        if (r === "unknown") unknown ??= rule.index;
    }
    return unknown === undefined ? { result: "no-match" } : { result: "unknown", rule: unknown };
}

/**
 * Istio's order: CUSTOM (the provider is asked first) → DENY → no ALLOW policy: allowed → any
 * ALLOW matches: allowed → denied. An undecidable DENY rule or a CUSTOM provider only matters
 * when the rest would allow: then the verdict is "unknown".
 */
export function authorize(policies: DestinationPolicies, attrs: AuthzAttributes): AuthzOutcome {
    let custom: AuthzOutcome | undefined;
    for (const p of policies.custom) {
        const m = firstMatch(p, attrs);
        if (m.result !== "no-match" && custom?.matched !== "match") custom = { verdict: "unknown", stage: "custom", policy: p, rule: m.rule, matched: m.result };
    }
    let denyUndecided: AuthzOutcome | undefined;
    for (const p of policies.deny) {
        const m = firstMatch(p, attrs);
        if (m.result === "match") return { verdict: "denied", stage: "deny", policy: p, rule: m.rule, matched: "match" };
        if (m.result === "unknown") denyUndecided ??= { verdict: "unknown", stage: "deny", policy: p, rule: m.rule, matched: "unknown" };
    }
    const base = allowStage(policies.allow, attrs);
    if (base.verdict !== "allowed") return base;
    if (denyUndecided !== undefined) return { ...denyUndecided, then: base };
    if (custom !== undefined) return { ...custom, then: base };
    return base;
}

function allowStage(allow: readonly IndexedAuthorizationPolicy[], attrs: AuthzAttributes): AuthzOutcome {
    if (allow.length === 0) return { verdict: "allowed", stage: "no-allow-policy" };
    let undecided: AuthzOutcome | undefined;
    for (const p of allow) {
        const m = firstMatch(p, attrs);
        if (m.result === "match") return { verdict: "allowed", stage: "allow", policy: p, rule: m.rule, matched: "match" };
        if (m.result === "unknown") undecided ??= { verdict: "unknown", stage: "allow", policy: p, rule: m.rule, matched: "unknown" };
    }
    return undecided ?? { verdict: "denied", stage: "no-allow-match" };
}

export function policyRef(p: IndexedAuthorizationPolicy, rule?: number): PolicyRef {
    return { kind: "AuthorizationPolicy", namespace: p.namespace, name: p.name, action: p.spec.action, rule };
}

const MISSING_DATA = "the request lacks data its rules need (an IP address or Envoy metadata)";

/** One sentence explaining an outcome. */
export function authzReason(o: AuthzOutcome, destLabel: string, policies: DestinationPolicies): string {
    const p = o.policy;
    const name = p === undefined ? "" : `${p.namespace}/${p.name}`;
    switch (o.stage) {
        case "custom": {
            const provider = p?.spec.provider === undefined ? "its extension provider" : `extension provider "${p.spec.provider}"`;
            const rule = o.rule === undefined ? "" : ` rule ${o.rule}`;
            const then = o.then === undefined ? "" : `; if it allows: ${authzReason(o.then, destLabel, policies)}`;
            return `CUSTOM policy ${name}${rule} ${o.matched === "match" ? "matches" : "may match"}, so ${provider} decides${then}`;
        }
        case "deny":
            if (o.verdict === "denied") return `DENY policy ${name} rule ${o.rule} matches the request.`;
            return `DENY policy ${name} may match, but ${MISSING_DATA}${o.then === undefined ? "." : `; if it does not: ${authzReason(o.then, destLabel, policies)}`}`;
        case "no-allow-policy":
            return `No ALLOW policy selects ${destLabel} and no DENY policy matched, so Istio allows the request.`;
        case "allow":
            return o.verdict === "allowed" ? `ALLOW policy ${name} rule ${o.rule} matches the request.` : `ALLOW policy ${name} may match, but ${MISSING_DATA}.`;
        case "no-allow-match": {
            const count = policies.allow.length;
            const names = policies.allow.map((a) => `${a.namespace}/${a.name}`).join(", ");
            return `${count} ALLOW ${count === 1 ? "policy selects" : "policies select"} ${destLabel} (${names}) and no rule of ${count === 1 ? "it" : "them"} matches the request.`;
        }
    }
}
