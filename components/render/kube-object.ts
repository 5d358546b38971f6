/**
 * A Kubernetes object as plain data, as read from YAML or decoded from a Pulumi resource's inputs.
 * Looser than K8sManifest: hand-written or auto-named objects may lack a name or a namespace.
 */
export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata?: {
        name?: string;
        namespace?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        [field: string]: unknown;
    };
    [field: string]: unknown;
}

/** Reads a nested field as a plain object (undefined when absent or not an object). */
export function objectAt(value: unknown, ...path: string[]): Record<string, unknown> | undefined {
    let current: unknown = value;
    for (const key of path) {
        if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
        current = (current as Record<string, unknown>)[key];
    }
    return current !== null && typeof current === "object" && !Array.isArray(current)
        ? (current as Record<string, unknown>)
        : undefined;
}

/** Reads a nested field as a list of strings (non-strings dropped; undefined when absent). */
export function stringsAt(value: unknown, key: string): string[] | undefined {
    const list = objectAt(value)?.[key];
    return Array.isArray(list) ? list.filter((v): v is string => typeof v === "string") : undefined;
}

/** A string-valued map such as `labels` or `matchLabels` (non-string values dropped). */
export function stringMap(value: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(objectAt(value) ?? {})) {
        if (typeof v === "string") out[k] = v;
    }
    return out;
}
