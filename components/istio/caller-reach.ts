import { CompiledRule, Constraint } from "./authz-rule";
import {
    describeIdentitySet,
    identityReach,
    IdentitySet,
    namespacePatternSet,
    principalPatternSet,
    serviceAccountPatternSet,
    trustDomainPatternSet,
} from "./identity-patterns";
import { parseIpBlock } from "./ip";

/**
 * How wide the set of callers a rule admits is, judged from what its source patterns can match
 * (not from probe callers), from narrowest to widest:
 *  - none: no caller can match;
 *  - named: callers of named namespaces (or named workloads), a token, or address ranges;
 *  - open-namespaces: a wildcard on the namespace name (`prod*`, `*-system`), so namespaces
 *    created later with a fitting name are in;
 *  - every-namespace: identities of every namespace (`*`, `cluster.local/*`, `*\/sa/default`);
 *  - anyone: also plaintext callers without a workload identity.
 */
export type ReachLevel = "none" | "named" | "open-namespaces" | "every-namespace" | "anyone";

export interface CallerReach {
    readonly level: ReachLevel;
    /** Why, as a clause: "from[0].source.principals \"*\" matches every workload identity of every trust domain". */
    readonly why: string;
}

const ORDER: readonly ReachLevel[] = ["none", "named", "open-namespaces", "every-namespace", "anyone"];
const rank = (r: CallerReach) => ORDER.indexOf(r.level);
const widest = (a: CallerReach, b: CallerReach) => (rank(b) > rank(a) ? b : a);
const narrowest = (a: CallerReach, b: CallerReach) => (rank(b) < rank(a) ? b : a);

type SetOf = (value: string) => IdentitySet | undefined;

/** Keys matched against the peer's mTLS identity, with the set each value can match. */
const IDENTITY_KEYS: Readonly<Record<string, SetOf>> = {
    principals: principalPatternSet,
    "source.principal": principalPatternSet,
    namespaces: namespacePatternSet,
    "source.namespace": namespacePatternSet,
    trustDomains: trustDomainPatternSet,
    "source.trustDomain": trustDomainPatternSet,
    // Qualified with the policy namespace at compile time when it is known (authz-rule `qualify`).
    serviceAccounts: (v) => serviceAccountPatternSet(v, undefined),
    "source.serviceAccount": (v) => serviceAccountPatternSet(v, undefined),
};
const IP_KEYS = new Set(["ipBlocks", "remoteIpBlocks", "source.ip", "remote.ip"]);
const TOKEN_KEY = /^(requestPrincipals$|request\.auth\.)/;

/** The identity set a value of an identity key can match (undefined: none; also undefined for other keys). */
export function identitySetOf(key: string, value: string): IdentitySet | undefined {
    return IDENTITY_KEYS[key]?.(value);
}

export function isIdentityKey(key: string): boolean {
    return key in IDENTITY_KEYS;
}

/** The reach of one constraint, or undefined when it does not constrain the caller (e.g. a header). */
export function constraintReach(c: Constraint, where: string): CallerReach | undefined {
    const key = c.semantics.key;
    const identity = IDENTITY_KEYS[key];
    const isCaller = identity !== undefined || IP_KEYS.has(key) || TOKEN_KEY.test(key);
    if (!isCaller) return undefined;
    if (c.values.length === 0) {
        return {
            level: "anyone",
            why: `${where} only excludes callers (${notName(key)}), which admits every other caller, plaintext callers without an identity or token included`,
        };
    }
    if (identity !== undefined) {
        let reach: CallerReach = { level: "none", why: `${where} matches no workload identity` };
        for (const value of c.values) {
            const set = identity(value);
            if (set === undefined) continue;
            const level: ReachLevel = ((r) => (r === "named-namespaces" ? "named" : r))(identityReach(set));
            reach = widest(reach, { level, why: `${where} ${JSON.stringify(value)} matches ${describeIdentitySet(set)}` });
        }
        return reach;
    }
    if (IP_KEYS.has(key)) {
        const everything = c.values.find((v) => parseIpBlock(v)?.prefix === 0);
        return everything === undefined
            ? { level: "named", why: `${where} limits callers to address ranges` }
            : { level: "anyone", why: `${where} ${JSON.stringify(everything)} covers every address` };
    }
    return { level: "named", why: `${where} requires a validated request token` };
}

function notName(key: string): string {
    return key.includes(".") ? `${key} notValues` : `not${key[0].toUpperCase()}${key.slice(1)}`;
}

const CALLER_CONDITION = /^(source\.|remote\.ip$|request\.auth\.)/;

/** The callers a compiled rule admits (its `from` ANDed with its caller `when` conditions). */
export function ruleCallerReach(rule: CompiledRule): CallerReach {
    if (rule.skipReason !== undefined) return { level: "none", why: rule.skipReason };
    let reach: CallerReach;
    if (rule.from === undefined) {
        reach = { level: "anyone", why: "it has no `from`" };
    } else {
        reach = { level: "none", why: "no source matches" };
        rule.from.forEach((constraints, i) => {
            let entry: CallerReach = { level: "anyone", why: `from[${i}].source keeps no constraint on the caller` };
            for (const c of constraints) {
                const r = constraintReach(c, `from[${i}].source.${c.semantics.key}`);
                if (r !== undefined) entry = narrowest(entry, r);
            }
            reach = widest(reach, entry);
        });
    }
    for (const c of rule.when) {
        if (!CALLER_CONDITION.test(c.semantics.key)) continue;
        const r = constraintReach(c, `when ${c.semantics.key}`);
        if (r !== undefined) reach = narrowest(reach, r);
    }
    return reach;
}
