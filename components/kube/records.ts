/**
 * Readers for loosely typed data (YAML documents, resource inputs): each answers with a safe
 * default instead of throwing, so a caller decides what a missing or mistyped field means.
 */

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The value as a plain object, or {} when it is anything else. */
export function asRecord(value: unknown): Record<string, unknown> {
    return isRecord(value) ? value : {};
}

/** The value as a list, or [] when it is anything else. */
export function asList(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

/** A string-valued map such as `labels` or `matchLabels` (non-string values dropped). */
export function asStringMap(value: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(asRecord(value))) if (typeof v === "string") out[k] = v;
    return out;
}

/** The value at `path` inside `root` (undefined as soon as a step is missing). */
export function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
    let current = root;
    for (const step of path) {
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<string | number, unknown>)[step];
    }
    return current;
}

/** True when every step of `path` exists as an own or inherited key of nested records (a value may be undefined). */
export function hasPath(root: unknown, path: readonly string[]): boolean {
    let current: unknown = root;
    for (const key of path) {
        if (!isRecord(current) || !(key in current)) return false;
        current = current[key];
    }
    return true;
}

/** A nested field as a plain object (undefined when absent or not an object). */
export function recordAt(root: unknown, path: readonly string[]): Record<string, unknown> | undefined {
    const found = valueAt(root, path);
    return isRecord(found) ? found : undefined;
}

/** A field as a list of strings (non-strings dropped; undefined when absent or not a list). */
export function stringsAt(root: unknown, key: string): string[] | undefined {
    const list = asRecord(root)[key];
    return Array.isArray(list) ? list.filter((v): v is string => typeof v === "string") : undefined;
}

/** A non-empty string, else undefined. */
export function nonEmptyString(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}
