import { AuthorizationSpecCompiler, compileAuthorizationSpec } from "./authz-policy";
import { CompiledRule } from "./authz-rule";
import { isRecord } from "./authz-spec";
import { hasInnerWildcard, isPathTemplate } from "./match";
import { CallerReach, identitySetOf, isIdentityKey, ruleCallerReach } from "./caller-reach";
import { describeIdentitySet, identitySetCovers, principalPatternSet } from "./identity-patterns";
import { admitsOnlyPlaintextOnNamedPorts } from "./plaintext-rule";

/** A judgement about one rule (or one value of a rule) of an AuthorizationPolicy. */
export interface RuleFinding {
    /** Index in `spec.rules`. */
    readonly rule: number;
    /** Where: `spec.rules[0]`, or the value itself, e.g. `spec.rules[0].to[0].operation.paths[1]`. */
    readonly path: string;
    /** A sentence. */
    readonly reason: string;
}

/**
 * The rules of an ALLOW AuthorizationPolicy (action ALLOW or unset) that admit any caller, callers
 * of every namespace, or callers of namespaces nobody named. Judged from the set of identities each
 * source pattern can match (caller-reach.ts), so `cluster.local/*`, `c*`, `*\/sa/default` and
 * `namespaces: ["prod*"]` are caught as well as `*`. A rule admitting only plaintext callers
 * (`notPrincipals: ["*"]`) on named ports is left to the mTLS verdict of those ports
 * (plaintext-rule.ts). Named namespaces (`namespaces: ["prod"]`,
 * `cluster.local/ns/prod/sa/*`) are accepted: namespace granularity is a deliberate least-privilege
 * choice. No finding for DENY/AUDIT/CUSTOM.
 * Throws MeshguardValidationError when the spec is malformed (e.g. a string where a list belongs).
 */
export function findAllowAnyCaller(spec: unknown, namespace?: string, compile: AuthorizationSpecCompiler = compileAuthorizationSpec): RuleFinding[] {
    const compiled = compile(spec, undefined, namespace);
    if (compiled.action !== "ALLOW") return [];
    const findings: RuleFinding[] = [];
    for (const rule of compiled.rules) {
        // Plaintext callers on named ports: judged with the mTLS mode of those ports (plaintext-rule.ts).
        if (admitsOnlyPlaintextOnNamedPorts(rule)) continue;
        const reach = ruleCallerReach(rule);
        const path = `spec.rules[${rule.index}]`;
        const scope = rule.to === undefined ? "any operation" : "the operations in its `to`";
        const reason = reachReason(reach, path, scope);
        if (reason !== undefined) findings.push({ rule: rule.index, path, reason });
    }
    return findings;
}

function reachReason(reach: CallerReach, path: string, scope: string): string | undefined {
    switch (reach.level) {
        case "anyone":
            return `${path} admits any caller, including plaintext callers without a workload identity, to ${scope}: ${reach.why}.`;
        case "every-namespace":
            return `${path} admits workload identities from every namespace to ${scope}: ${reach.why} (an mTLS identity is still required, so only plaintext callers are excluded).`;
        case "open-namespaces":
            return `${path} admits callers from namespaces nobody named to ${scope}: ${reach.why}, including namespaces created later with a fitting name.`;
        default:
            return undefined;
    }
}

const PORT_CONSTRAINTS = new Set(["ports", "destination.port"]);

/**
 * Rules (and values) that can never match the traffic they seem to target. The set is fixed:
 *  1. Rules istiod drops for every request: an unknown `when` key (any action), or under ALLOW a
 *     value istiod cannot generate (bad IP/CIDR, port, path template).
 *  2. Under DENY/AUDIT/CUSTOM, invalid values istiod silently ignores (the rule gets wider).
 *  3. A DENY rule with HTTP-only fields (methods, paths, hosts, requestPrincipals, request.*
 *     conditions) and no port constraint: for TCP traffic istiod ignores those fields, so it denies
 *     ALL TCP traffic from the matching sources, on every port.
 *  4. Values that can never be what they look like: a `*` that is not alone, leading or trailing
 *     (matched literally; not for namespaces, where istiod makes every `*` a glob); principals
 *     written with `spiffe://` or that match no workload identity; wildcards in trustDomains (only
 *     at the start or end) and serviceAccounts (none); lower-case methods (methods are
 *     case-sensitive); paths that start with neither `/` nor `*`.
 *  5. A DENY rule none of whose sources can match: each requires an mTLS identity that its own
 *     exemption (`notPrincipals`, `notNamespaces`, ... e.g. `notPrincipals: ["*"]`) exempts, so the
 *     rule denies nothing.
 */
export function findIneffectiveRules(spec: unknown, compile: AuthorizationSpecCompiler = compileAuthorizationSpec): RuleFinding[] {
    const compiled = compile(spec);
    const findings: RuleFinding[] = [];
    const rawRules = isRecord(spec) && Array.isArray(spec["rules"]) ? (spec["rules"] as unknown[]) : [];
    for (const rule of compiled.rules) {
        const path = `spec.rules[${rule.index}]`;
        if (rule.skipReason !== undefined) {
            findings.push({ rule: rule.index, path, reason: `${path} never matches: ${rule.skipReason}.` });
        }
        if (rule.droppedValues.length > 0) {
            findings.push({
                rule: rule.index,
                path,
                reason: `${path} is wider than written: istiod ignores ${rule.droppedValues.join("; ")}.`,
            });
        }
        if (rule.action === "DENY" && rule.skipReason === undefined && rule.httpOnlyKeys.length > 0 && !constrainsPort(rule)) {
            findings.push({
                rule: rule.index,
                path,
                reason:
                    `${path} denies ALL TCP traffic from its sources on every port: for TCP, istiod ignores its HTTP-only ` +
                    `field(s) ${rule.httpOnlyKeys.join(", ")}; add \`ports\` to limit it to the HTTP ports.`,
            });
        }
        if (rule.action === "DENY" && rule.skipReason === undefined) {
            const nothing = deniesNothing(rule);
            if (nothing !== undefined) findings.push({ rule: rule.index, path, reason: `${path} denies nothing: ${nothing}.` });
        }
        findings.push(...valueFindings(rawRules[rule.index], rule.index, path));
    }
    return findings;
}

/**
 * Why no source of a DENY rule can match, or undefined when one can. A source cannot match when
 * one of its identity fields only matches identities that the exemptions of the same source (or the
 * rule's identity `notValues` conditions) exempt.
 */
function deniesNothing(rule: CompiledRule): string | undefined {
    if (rule.from === undefined) return undefined;
    const whenExempt = rule.when.filter((c) => isIdentityKey(c.semantics.key));
    const reasons: string[] = [];
    for (const [i, constraints] of rule.from.entries()) {
        const identity = [...constraints.filter((c) => isIdentityKey(c.semantics.key)), ...whenExempt];
        const exemptions = identity.flatMap((c) => c.notValues.map((v) => ({ key: c.semantics.key, value: v, set: identitySetOf(c.semantics.key, v) })));
        const why = identity
            .filter((c) => c.values.length > 0)
            .map((c) => {
                const uncovered = c.values.find((v) => {
                    const set = identitySetOf(c.semantics.key, v);
                    return set !== undefined && !exemptions.some((e) => e.set !== undefined && identitySetCovers(e.set, set));
                });
                if (uncovered !== undefined) return undefined;
                const exempt = exemptions.find((e) => e.set !== undefined);
                return exempt === undefined || exempt.set === undefined
                    ? `from[${i}].source.${c.semantics.key} matches no workload identity`
                    : `from[${i}].source.${c.semantics.key} only matches identities that its exemption ${exempt.key} ${JSON.stringify(exempt.value)} exempts (${describeIdentitySet(exempt.set)})`;
            })
            .find((r) => r !== undefined);
        if (why === undefined) return undefined;
        reasons.push(why);
    }
    return reasons.join("; ");
}

function constrainsPort(rule: CompiledRule): boolean {
    const constraints = [...(rule.to ?? []).flat(), ...rule.when];
    return constraints.some((c) => PORT_CONSTRAINTS.has(c.semantics.key));
}

/** Fields compared with Istio's string matching (where an inner `*` is literal). */
const STRING_MATCH_FIELDS = new Set([
    "principals", "namespaces", "trustDomains", "serviceAccounts", "requestPrincipals", "hosts", "methods", "paths",
    "notPrincipals", "notNamespaces", "notTrustDomains", "notServiceAccounts", "notRequestPrincipals", "notHosts", "notMethods", "notPaths",
]);

/** `when` keys matched like a source field. */
const CONDITION_FIELDS: Readonly<Record<string, string>> = {
    "source.principal": "principals",
    "source.namespace": "namespaces",
    "source.trustDomain": "trustDomains",
    "source.serviceAccount": "serviceAccounts",
};

function valueFindings(rawRule: unknown, index: number, rulePath: string): RuleFinding[] {
    const findings: RuleFinding[] = [];
    const visit = (field: string, values: unknown, path: string) => {
        if (!Array.isArray(values)) return;
        values.forEach((value, i) => {
            if (typeof value !== "string") return;
            const reason = valueProblem(field, value);
            if (reason !== undefined) findings.push({ rule: index, path: `${path}[${i}]`, reason: `${path}[${i}] ${reason}` });
        });
    };
    if (!isRecord(rawRule)) return findings;
    for (const [field, wrapper] of [["from", "source"], ["to", "operation"]] as const) {
        const entries = rawRule[field];
        if (!Array.isArray(entries)) continue;
        entries.forEach((entry, i) => {
            const inner = isRecord(entry) ? entry[wrapper] : undefined;
            if (!isRecord(inner)) return;
            for (const [name, values] of Object.entries(inner)) {
                if (STRING_MATCH_FIELDS.has(name)) visit(name, values, `${rulePath}.${field}[${i}].${wrapper}.${name}`);
            }
        });
    }
    const when = rawRule["when"];
    if (Array.isArray(when)) {
        when.forEach((cond, i) => {
            if (!isRecord(cond) || typeof cond["key"] !== "string" || cond["key"].endsWith(".ip") || cond["key"] === "destination.port") return;
            const field = CONDITION_FIELDS[cond["key"]] ?? "values";
            visit(field, cond["values"], `${rulePath}.when[${i}].values`);
            visit(field, cond["notValues"], `${rulePath}.when[${i}].notValues`);
        });
    }
    return findings;
}

function literalStar(value: string): string {
    return `is ${JSON.stringify(value)}: Istio matches a "*" literally unless it stands alone, leads or trails, so this value only matches itself.`;
}

function valueProblem(field: string, value: string): string | undefined {
    const bare = field.startsWith("not") ? field[3].toLowerCase() + field.slice(4) : field;
    if (bare === "paths" && isPathTemplate(value)) return undefined;
    // istiod turns every `*` of a namespace into `.*` (srcNamespaceGenerator): a glob, not a literal.
    if (bare === "namespaces" || bare === "values") return bare === "values" && hasInnerWildcard(value) ? literalStar(value) : undefined;
    if (bare === "serviceAccounts") {
        return value.includes("*") ? `is ${JSON.stringify(value)}: serviceAccounts take no wildcards (istiod's webhook rejects it; istiod itself would match the "*" literally).` : undefined;
    }
    if (bare === "trustDomains" && value !== "*" && (hasInnerWildcard(value) || value.split("*").length > 2)) {
        return `is ${JSON.stringify(value)}: a trust domain may hold one "*", only at its start or end (istiod's webhook rejects it, and istiod would match any further "*" literally).`;
    }
    if (hasInnerWildcard(value)) return literalStar(value);
    if (bare === "principals" && value.startsWith("spiffe://")) {
        return `is ${JSON.stringify(value)}: Istio principals are written without "spiffe://", so it never matches.`;
    }
    if (bare === "principals" && principalPatternSet(value) === undefined) {
        return `is ${JSON.stringify(value)}: it matches no workload identity (principals are "<trust-domain>/ns/<namespace>/sa/<service-account>").`;
    }
    if (bare === "methods" && value !== "*" && value !== value.toUpperCase()) {
        return `is ${JSON.stringify(value)}: methods are case-sensitive, so it never matches ${JSON.stringify(value.toUpperCase())} requests.`;
    }
    if (bare === "paths" && /[?#]/.test(value) && value !== "*") {
        return `is ${JSON.stringify(value)}: Envoy matches the path without its query string and fragment, so a value with "?" or "#" never matches.`;
    }
    if (bare === "paths" && !value.startsWith("/") && !value.startsWith("*")) {
        return `is ${JSON.stringify(value)}: request paths start with "/", so it never matches.`;
    }
    return undefined;
}
