import { z } from "zod";
import { quoted } from "../validation/quote";

/**
 * Record-shaped inputs (labels, selectors, JWT claims, Helm values) are plain objects keyed by
 * user text. Some keys do not survive being copied into a plain object: zod's record drops
 * `__proto__` without a word (its setter would replace the prototype), so a required JWT claim or
 * a selector label named `__proto__` would silently vanish. Keys that name Object.prototype members
 * (`constructor`, `toString`...) or `prototype` read back as inherited functions wherever code
 * indexes a record without an own-property check. All of them are refused, with the field named.
 */
const REFUSED_NAMES: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Why a record key is refused, or undefined when it is safe. */
export function unsafeRecordKeyProblem(key: string): string | undefined {
    if (REFUSED_NAMES.has(key) || key in Object.prototype || !survivesPlainObject(key)) {
        return `the key ${quoted(key)} is not allowed: it names a JavaScript object built-in and would be dropped or misread when copied into a plain object (rename it)`;
    }
    return undefined;
}

/** True when `{}[key] = value` creates an own, enumerable property that reads back `value`. */
function survivesPlainObject(key: string): boolean {
    const probe: Record<string, unknown> = {};
    const marker = [key];
    probe[key] = marker;
    return Object.prototype.hasOwnProperty.call(probe, key) && probe[key] === marker && Object.keys(probe).includes(key);
}

/**
 * A plain object: its prototype is Object.prototype (of any realm) or null. An object literal
 * written `{ __proto__: {...} }` gets another prototype and loses that key: it is refused.
 */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === null || proto === Object.prototype) return true;
    // Another realm's Object.prototype (a vm context): its own prototype is null and it owns isPrototypeOf.
    return Object.getPrototypeOf(proto) === null && Object.prototype.hasOwnProperty.call(proto, "isPrototypeOf") && Object.prototype.hasOwnProperty.call(proto, "hasOwnProperty");
}

/**
 * Reports unsafe keys of a record (and, with `deep`, of every nested object and array element)
 * and objects whose prototype is not a plain object's. Paths are relative to `value`.
 */
export function unsafeKeyIssues(value: unknown, deep: boolean, path: PropertyKey[] = [], seen = new Set<object>()): { path: PropertyKey[]; message: string }[] {
    if (typeof value !== "object" || value === null || seen.has(value)) return [];
    seen.add(value);
    if (Array.isArray(value)) {
        return deep ? value.flatMap((item, i) => unsafeKeyIssues(item, deep, [...path, i], seen)) : [];
    }
    const issues: { path: PropertyKey[]; message: string }[] = [];
    if (!isPlainRecord(value)) {
        // Class instances (their prototype owns `constructor`) are left to the schema; a literal's replaced prototype is not.
        const proto: unknown = Object.getPrototypeOf(value);
        if (typeof proto === "object" && proto !== null && !Object.prototype.hasOwnProperty.call(proto, "constructor")) {
            issues.push({ path, message: "must be a plain object: its prototype was replaced (an object literal key written __proto__ sets the prototype instead of a key; rename the key)" });
        }
        return issues;
    }
    for (const key of Object.keys(value)) {
        const problem = unsafeRecordKeyProblem(key);
        if (problem !== undefined) issues.push({ path: [...path, key], message: problem });
        else if (deep) issues.push(...unsafeKeyIssues(value[key], deep, [...path, key], seen));
    }
    return issues;
}

/**
 * THE record schema of every meshguard input: `z.record(key, value)` that first refuses keys a
 * plain object cannot hold faithfully (see `unsafeRecordKeyProblem`). With `deep`, nested objects
 * (free-form Helm values) are checked too. The input type stays the record's.
 */
export function safeRecord<K extends z.core.$ZodRecordKey, V extends z.ZodType>(
    key: K,
    value: V,
    options: { error?: string; deep?: boolean } = {},
) {
    const record = options.error === undefined ? z.record(key, value) : z.record(key, value, { error: options.error });
    return z.preprocess<unknown, typeof record, z.input<typeof record>>((input, ctx) => {
        for (const issue of unsafeKeyIssues(input, options.deep ?? false)) {
            ctx.addIssue({ code: "custom", message: issue.message, path: issue.path as (string | number)[], input });
        }
        return input;
    }, record);
}
