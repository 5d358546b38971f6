import { isRecord } from "../kube";
import { dryRunState } from "./dry-run";
import { readPolicyTargets } from "./target-refs";

/**
 * What ztunnel enforces of an AuthorizationPolicy (Istio 1.30.3). Sources:
 * - istiod pilot/pkg/serviceregistry/ambient/authorization.go convertAuthorizationPolicy and
 *   handleRule (what istiod sends to ztunnel), and
 * - ztunnel src/rbac.rs Authorization::matches (how ztunnel 1.30.3 evaluates it).
 * Facts:
 * - a policy with targetRef(s) is not sent to ztunnel; nor is one with action CUSTOM or AUDIT
 *   (status "ztunnel does not support the <action> action"), nor a dry-run policy (unless istiod
 *   runs with AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY, default false).
 * - ztunnel sees no HTTP: operation hosts/methods/paths (and not*), source requestPrincipals and
 *   remoteIpBlocks (and not*), and every `when` key other than source.ip, source.namespace,
 *   source.principal, destination.ip, destination.port are L7. `trustDomains` / `notTrustDomains`
 *   are not converted at all (silently ignored, not even reported).
 * - ALLOW: a rule using any L7 attribute is dropped whole (never matches). A policy left without
 *   rules still applies and matches nothing, so the workload's traffic is denied unless another
 *   ALLOW matches (more restrictive than written).
 * - DENY: the L7 attributes are removed and the rest kept. Each `from`/`to` entry becomes one
 *   match; an entry left empty is SKIPPED by ztunnel (rbac.rs: an empty match never matches), so a
 *   rule whose every `from` (or every `to`) entry was L7-only, or that has an L7 `when`, never
 *   matches: the DENY loses that rule (LESS restrictive than written). istiod 1.30.3's status text
 *   says such a DENY is "more restrictive than requested"; ztunnel's code says otherwise, and the
 *   code wins (istio master's authorization.go now says "will have no effect" for this case).
 *   An entry keeping L4 fields (e.g. ports) denies on those alone (more restrictive).
 */

/** How ztunnel treats one rule. */
export type ZtunnelRuleFate = "kept" | "dropped" | "altered" | "inert";

export interface ZtunnelRule {
    readonly index: number;
    /**
     * kept: as written; dropped: an ALLOW rule with L7 attributes (never matches); inert: never
     * matches (every `from` or every `to` entry, or a `when`, was L7-only or unconverted);
     * altered: enforced without some attributes (see broader/narrower).
     */
    readonly fate: ZtunnelRuleFate;
    /** An entry lost attributes but kept others: it matches more than written. */
    readonly broader: boolean;
    /** An entry was removed while others remain: the rule matches less than written. */
    readonly narrower: boolean;
    /** The L7 attributes found in the rule (istiod's names: methods, paths, request.headers[x], ...). */
    readonly l7: readonly string[];
}

export interface ZtunnelAuthorization {
    /** False when ztunnel never receives the policy (see `ignoredBecause`). */
    readonly enforced: boolean;
    readonly ignoredBecause?: string;
    readonly action: string;
    /** Per rule, in order. */
    readonly rules: readonly ZtunnelRule[];
    /** Every L7 attribute found, sorted (as istiod lists them in its status message). */
    readonly l7: readonly string[];
    /** The spec ztunnel effectively enforces, in AuthorizationPolicy shape (selector, action, L4 rules). */
    readonly spec: Record<string, unknown>;
}

const L7_OPERATION = ["hosts", "notHosts", "methods", "notMethods", "paths", "notPaths"];
const L7_SOURCE = ["requestPrincipals", "notRequestPrincipals", "remoteIpBlocks", "notRemoteIpBlocks"];
/** Not converted by handleRule, and not reported as L7 either. */
const IGNORED_SOURCE = ["trustDomains", "notTrustDomains"];
const L4_WHEN = ["source.ip", "source.namespace", "source.principal", "destination.ip", "destination.port"];

/** What ztunnel makes of an AuthorizationPolicy spec (annotations: for dry-run). Never throws. */
export function ztunnelAuthorization(spec: unknown, annotations: Readonly<Record<string, unknown>> = {}): ZtunnelAuthorization {
    const record = isRecord(spec) ? spec : {};
    const action = typeof record["action"] === "string" ? (record["action"] as string) : "ALLOW";
    const rawRules = Array.isArray(record["rules"]) ? (record["rules"] as unknown[]) : [];
    const base = record["selector"] === undefined ? { action } : { selector: record["selector"], action };
    const ignored = (why: string): ZtunnelAuthorization => ({ enforced: false, ignoredBecause: why, action, rules: [], l7: [], spec: { ...base, rules: [] } });
    if (readPolicyTargets(record).targeted) return ignored("it uses targetRef(s), which attach it to waypoints and gateways, never to ztunnel");
    if (action !== "ALLOW" && action !== "DENY") return ignored(`ztunnel does not support the ${action} action`);
    if (dryRunState(annotations) === "dry-run") return ignored("it is dry-run, and istiod sends dry-run policies to ztunnel only with AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY (default off)");

    const rules: ZtunnelRule[] = [];
    const kept: unknown[] = [];
    rawRules.forEach((raw, index) => {
        const converted = convertRule(raw, action);
        rules.push({ index, fate: converted.fate, l7: converted.l7, broader: converted.broader, narrower: converted.narrower });
        if (converted.rule !== undefined) kept.push(converted.rule);
    });
    const l7 = [...new Set(rules.flatMap((r) => r.l7))].sort();
    return { enforced: true, action, rules, l7, spec: { ...base, rules: kept } };
}

interface Converted {
    readonly fate: ZtunnelRuleFate;
    readonly l7: string[];
    readonly broader: boolean;
    readonly narrower: boolean;
    /** The rule ztunnel enforces; undefined when it never matches. */
    readonly rule?: Record<string, unknown>;
}

function convertRule(raw: unknown, action: string): Converted {
    const rule = isRecord(raw) ? raw : {};
    const l7: string[] = [];
    let broader = false;
    let narrower = false;
    const entries = (field: "from" | "to", wrapper: "source" | "operation", strip: readonly string[]) => {
        const list = rule[field];
        if (!Array.isArray(list) || list.length === 0) return undefined;
        return list.map((entry) => {
            const inner = isRecord(entry) && isRecord(entry[wrapper]) ? (entry[wrapper] as Record<string, unknown>) : {};
            const out: Record<string, unknown> = {};
            let lost = false;
            for (const [k, v] of Object.entries(inner)) {
                const present = Array.isArray(v) && v.length > 0;
                if (strip.includes(k) || IGNORED_SOURCE.includes(k)) {
                    if (present && strip.includes(k)) l7.push(k);
                    lost ||= present;
                } else if (present) out[k] = v;
            }
            if (Object.keys(out).length === 0) {
                narrower ||= lost;
                return undefined;
            }
            broader ||= lost;
            return { [wrapper]: out };
        });
    };
    const from = entries("from", "source", L7_SOURCE);
    const to = entries("to", "operation", L7_OPERATION);
    const when = Array.isArray(rule["when"]) ? (rule["when"] as unknown[]) : [];
    let l7When = false;
    for (const c of when) {
        const key = isRecord(c) && typeof c["key"] === "string" ? (c["key"] as string) : "";
        if (!L4_WHEN.includes(key)) {
            l7.push(key);
            l7When = true;
        }
    }
    const unique = [...new Set(l7)];
    if (action === "ALLOW" && unique.length > 0) return { fate: "dropped", l7: unique, broader: false, narrower: false };
    // An empty match is skipped: a clause whose every match is empty never matches.
    const clauseDead = (list: (Record<string, unknown> | undefined)[] | undefined) => list !== undefined && list.every((e) => e === undefined);
    if (clauseDead(from) || clauseDead(to) || l7When) return { fate: "inert", l7: unique, broader: false, narrower: false };
    const out: Record<string, unknown> = {};
    if (from !== undefined) out["from"] = from.filter((e) => e !== undefined);
    if (to !== undefined) out["to"] = to.filter((e) => e !== undefined);
    if (when.length > 0) out["when"] = when;
    return { fate: broader || narrower ? "altered" : "kept", l7: unique, broader, narrower, rule: out };
}
