import { AuthzAttributes } from "./attributes";
import { conditionKey, KeySemantics, OPERATION_KEYS, SOURCE_KEYS, Tri } from "./authz-keys";
import { AuthzActionName, notePruned, readList, readRecord, readStrings, SpecReadContext } from "./authz-spec";
import { triAnd, triNot } from "./tri";

/** One attribute constraint: any of `values` AND none of `notValues`. */
export interface Constraint {
    readonly semantics: KeySemantics;
    readonly values: readonly string[];
    readonly notValues: readonly string[];
}

/**
 * A rule as istiod turns it into Envoy RBAC for one action. Under ALLOW, a value istiod cannot
 * generate drops the whole rule (smaller allow); under DENY/AUDIT/CUSTOM it drops just that value
 * (wider deny): pilot/pkg/security/authz/model `checkError`.
 */
export interface CompiledRule {
    readonly index: number;
    readonly action: AuthzActionName;
    /** Set when istiod drops the rule for every request (unknown `when` key, or a bad value under ALLOW). */
    readonly skipReason?: string;
    /** undefined = no `from` (any source). */
    readonly from?: readonly (readonly Constraint[])[];
    /** undefined = no `to` (any operation). */
    readonly to?: readonly (readonly Constraint[])[];
    readonly when: readonly Constraint[];
    /** HTTP-only keys the rule uses (for TCP: rule dropped under ALLOW, keys ignored otherwise). */
    readonly httpOnlyKeys: readonly string[];
    /** Values istiod ignores under a non-ALLOW action (they widen the rule). */
    readonly droppedValues: readonly string[];
}

export interface RuleMatch {
    readonly result: Tri;
    /** True when istiod drops the rule (it can never match this request). */
    readonly skipped: boolean;
    /** A sentence: why it did not match, or what could not be decided. */
    readonly detail: string;
}

/** The fields of a source or operation: each key with its `not` form, in the order constraints are built. */
interface FieldTable {
    readonly fields: readonly { readonly name: string; readonly notName: string; readonly semantics: KeySemantics }[];
    /** Every field name (for pruning). */
    readonly known: readonly string[];
}

function fieldTable(keys: Readonly<Record<string, KeySemantics>>): FieldTable {
    const fields = Object.entries(keys).map(([name, semantics]) => ({ name, notName: `not${name[0].toUpperCase()}${name.slice(1)}`, semantics }));
    return { fields, known: fields.flatMap((f) => [f.name, f.notName]) };
}

const SOURCE_TABLE = fieldTable(SOURCE_KEYS);
const OPERATION_TABLE = fieldTable(OPERATION_KEYS);

/** Compiles `spec.rules[index]` for `action`. Throws MeshguardValidationError on malformed shapes. */
export function compileRule(rule: unknown, index: number, action: AuthzActionName, ctx: SpecReadContext): CompiledRule {
    const path = `spec.rules[${index}]`;
    const record = readRecord(rule, path, ctx) ?? {};
    notePruned(record, ["from", "to", "when"], path, ctx);
    const problems: string[] = [];
    const dropped: string[] = [];
    const allowLike = action === "ALLOW";
    const build = (semantics: KeySemantics, values: string[], notValues: string[], where: string): Constraint | undefined => {
        const keep = (list: string[]) =>
            list.filter((v) => {
                const why = semantics.invalid(v);
                if (why === undefined) return true;
                (allowLike ? problems : dropped).push(`${where}: ${why}`);
                return false;
            });
        const c = { semantics, values: keep(qualify(semantics, values, ctx)), notValues: keep(qualify(semantics, notValues, ctx)) };
        return c.values.length === 0 && c.notValues.length === 0 ? undefined : c;
    };

    const fieldList = (list: unknown, field: "from" | "to", wrapper: "source" | "operation") => {
        const entries = readList(list, `${path}.${field}`, ctx);
        // An empty list is the same as no list for istiod's generator (the webhook rejects it).
        if (entries === undefined || entries.length === 0) return undefined;
        const table = wrapper === "source" ? SOURCE_TABLE : OPERATION_TABLE;
        return entries.map((entry, i) => {
            const entryPath = `${path}.${field}[${i}]`;
            const outer = readRecord(entry, entryPath, ctx) ?? {};
            notePruned(outer, [wrapper], entryPath, ctx);
            const inner = readRecord(outer[wrapper], `${entryPath}.${wrapper}`, ctx) ?? {};
            notePruned(inner, table.known, `${entryPath}.${wrapper}`, ctx);
            const constraints: Constraint[] = [];
            for (const { name, notName, semantics } of table.fields) {
                const values = inner[name];
                const notValues = inner[notName];
                // Both absent: no constraint, nothing read (what build returns for two empty lists).
                if ((values === undefined || values === null) && (notValues === undefined || notValues === null)) continue;
                const c = build(
                    semantics,
                    readStrings(values, `${entryPath}.${wrapper}.${name}`, ctx),
                    readStrings(notValues, `${entryPath}.${wrapper}.${notName}`, ctx),
                    `${entryPath}.${wrapper}`,
                );
                if (c !== undefined) constraints.push(c);
            }
            return constraints;
        });
    };

    const from = fieldList(record["from"], "from", "source");
    const to = fieldList(record["to"], "to", "operation");
    const when: Constraint[] = [];
    let skipReason: string | undefined;
    (readList(record["when"], `${path}.when`, ctx) ?? []).forEach((condition, i) => {
        const condPath = `${path}.when[${i}]`;
        const cond = readRecord(condition, condPath, ctx) ?? {};
        notePruned(cond, ["key", "values", "notValues"], condPath, ctx);
        const keyName = typeof cond["key"] === "string" ? cond["key"] : "";
        const semantics = conditionKey(keyName);
        if (semantics === undefined) {
            // model.New returns "unknown attribute" and the builder skips the rule, whatever the action.
            skipReason ??= `${condPath}.key ${JSON.stringify(keyName)} is not a supported condition key, so istiod drops the rule`;
            return;
        }
        const values = readStrings(cond["values"], `${condPath}.values`, ctx);
        const notValues = readStrings(cond["notValues"], `${condPath}.notValues`, ctx);
        const c = build(semantics, values, notValues, condPath);
        if (c !== undefined) when.push(c);
    });
    if (skipReason === undefined && problems.length > 0) {
        skipReason = `istiod cannot generate ${problems.join("; ")}, so it drops this ALLOW rule`;
    }
    const all = [...(from ?? []).flat(), ...(to ?? []).flat(), ...when];
    const httpOnlyKeys = [...new Set(all.filter((c) => c.semantics.httpOnly).map((c) => c.semantics.key))];
    return { index, action, skipReason, from, to, when, httpOnlyKeys, droppedValues: dropped };
}

const SERVICE_ACCOUNT_KEYS = new Set(["serviceAccounts", "source.serviceAccount"]);

/**
 * A bare service account (`sa`) means `<policy namespace>/sa` (istiod serviceAccountRegex); it is
 * qualified here when the namespace is known, and left bare (undecidable) otherwise.
 */
function qualify(semantics: KeySemantics, values: string[], ctx: SpecReadContext): string[] {
    if (!SERVICE_ACCOUNT_KEYS.has(semantics.key) || values.every((v) => v.includes("/"))) return values;
    ctx.namespaceDependent = true;
    if (ctx.namespace === undefined) return values;
    return values.map((v) => (v.includes("/") ? v : `${ctx.namespace}/${v}`));
}

function anyValue(values: readonly string[], c: Constraint, attrs: AuthzAttributes): Tri {
    let result: Tri = "no-match";
    for (const v of values) {
        const r = c.semantics.test(v, attrs);
        if (r === "match") return r;
        if (r === "unknown") result = r;
    }
    return result;
}

function evalConstraint(c: Constraint, attrs: AuthzAttributes): Tri {
    const positive = c.values.length === 0 ? "match" : anyValue(c.values, c, attrs);
    if (positive === "no-match" || c.notValues.length === 0) return positive;
    return triAnd([positive, triNot(anyValue(c.notValues, c, attrs))]);
}

function failing(constraints: readonly Constraint[], attrs: AuthzAttributes, use: (c: Constraint) => boolean, want: Tri): string[] {
    return constraints.filter((c) => use(c) && evalConstraint(c, attrs) === want).map((c) => c.semantics.key);
}

/** Which parts of a rule to evaluate: all of it, or only what constrains the caller. */
export type RulePart = "all" | "caller";

const CALLER_CONDITIONS = /^(source\.|remote\.ip$|request\.auth\.)/;

/**
 * Evaluates a compiled rule against a request: ANY `from` source AND ANY `to` operation AND ALL
 * `when` conditions (fields inside one source/operation ANDed, values inside a list ORed).
 * With part "caller", only `from` and the caller-identity conditions are evaluated.
 */
export function evaluateRule(rule: CompiledRule, attrs: AuthzAttributes, part: RulePart = "all"): RuleMatch {
    const skipped = skipReason(rule, attrs);
    if (skipped !== undefined) return { result: "no-match", skipped: true, detail: skipped };
    const parts = ruleParts(rule, attrs, part);
    const result = triAnd([parts.from, parts.to, parts.when]);
    return { result, skipped: false, detail: explain(rule, attrs, parts, result, part) };
}

/** evaluateRule without the explanation: the hot path of reachability reports. */
export function ruleResult(rule: CompiledRule, attrs: AuthzAttributes, part: RulePart = "all"): Tri {
    if (rule.skipReason !== undefined || droppedForTcp(rule, attrs)) return "no-match";
    const { from, to, when } = ruleParts(rule, attrs, part);
    return triAnd([from, to, when]);
}

function ruleParts(rule: CompiledRule, attrs: AuthzAttributes, part: RulePart): { from: Tri; to: Tri; when: Tri } {
    const tcp = attrs.protocol === "tcp";
    let when: Tri = "match";
    for (const c of rule.when) {
        if (!usedCondition(c, tcp, part)) continue;
        const r = evalConstraint(c, attrs);
        if (r === "no-match") return { from: "match", to: "match", when: r };
        if (r === "unknown") when = r;
    }
    const from = rule.from === undefined ? "match" : anyEntry(rule.from, attrs, tcp);
    const to = rule.to === undefined || part === "caller" ? "match" : anyEntry(rule.to, attrs, tcp);
    return { from, to, when };
}

/** For TCP, istiod ignores HTTP-only values under DENY/AUDIT/CUSTOM (a wider rule). */
function used(c: Constraint, tcp: boolean): boolean {
    return !(tcp && c.semantics.httpOnly);
}

function usedCondition(c: Constraint, tcp: boolean, part: RulePart): boolean {
    return used(c, tcp) && (part === "all" || CALLER_CONDITIONS.test(c.semantics.key));
}

/** istiod drops ALLOW rules with HTTP-only fields from TCP filter chains. */
function droppedForTcp(rule: CompiledRule, attrs: AuthzAttributes): boolean {
    return attrs.protocol === "tcp" && rule.action === "ALLOW" && rule.httpOnlyKeys.length > 0;
}

/** OR over `from`/`to` entries of the AND of each entry's constraints (HTTP-only ones skipped for TCP). */
function anyEntry(entries: readonly (readonly Constraint[])[], attrs: AuthzAttributes, tcp: boolean): Tri {
    let result: Tri = "no-match";
    for (const constraints of entries) {
        let entry: Tri = "match";
        for (const c of constraints) {
            if (!used(c, tcp)) continue;
            const r = evalConstraint(c, attrs);
            if (r === "no-match") {
                entry = r;
                break;
            }
            if (r === "unknown") entry = r;
        }
        if (entry === "match") return entry;
        if (entry === "unknown") result = entry;
    }
    return result;
}

/** Why istiod drops this rule for this request's protocol, or undefined. */
function skipReason(rule: CompiledRule, attrs: AuthzAttributes): string | undefined {
    if (rule.skipReason !== undefined) return rule.skipReason;
    if (droppedForTcp(rule, attrs)) {
        return `it uses HTTP-only field(s) ${rule.httpOnlyKeys.join(", ")}, and istiod drops such ALLOW rules for TCP traffic`;
    }
    return undefined;
}

function explain(rule: CompiledRule, attrs: AuthzAttributes, parts: { from: Tri; to: Tri; when: Tri }, result: Tri, part: RulePart): string {
    if (result === "match") return "it matches";
    const tcp = attrs.protocol === "tcp";
    const want: Tri = result === "no-match" ? "no-match" : "unknown";
    const reasons: string[] = [];
    const perEntry = (entries: readonly (readonly Constraint[])[], field: string) =>
        entries.map((constraints, i) => `${field}[${i}]: ${failing(constraints, attrs, (c) => used(c, tcp), want).join(", ")}`).join("; ");
    if (parts.from === want && rule.from !== undefined) reasons.push(`from (${perEntry(rule.from, "from")})`);
    if (parts.to === want && rule.to !== undefined) reasons.push(`to (${perEntry(rule.to, "to")})`);
    if (parts.when === want) reasons.push(`when (${failing(rule.when, attrs, (c) => usedCondition(c, tcp, part), want).join(", ")})`);
    return result === "no-match"
        ? `it does not match on ${reasons.join(" and ")}`
        : `it cannot be decided without more request data on ${reasons.join(" and ")}`;
}
