import { createHash } from "crypto";

/** Kubernetes object names (and label values) are at most 63 characters in meshguard. */
export const MAX_NAME_LENGTH = 63;
const HASH_LENGTH = 8;

/**
 * A stable, collision-free name of at most `maxLength` characters from `parts` joined with "-".
 * Short names are returned as they are; a longer name is cut and suffixed with "-" and 8 hex
 * characters of the SHA-256 of the full name, so two different long names keep distinct results
 * and the same input always yields the same name (renaming never happens unless the input changes).
 */
export function stableName(parts: readonly string[], maxLength: number = MAX_NAME_LENGTH): string {
    if (maxLength < HASH_LENGTH + 2) throw new RangeError(`maxLength must be at least ${HASH_LENGTH + 2}`);
    const full = parts.filter((p) => p !== "").join("-");
    if (full.length <= maxLength) return full;
    const hash = createHash("sha256").update(full).digest("hex").slice(0, HASH_LENGTH);
    const head = full.slice(0, maxLength - HASH_LENGTH - 1).replace(/[-.]+$/, "");
    return `${head}-${hash}`;
}

/**
 * The Pulumi name of a compiled object registered by a component: `<component>-<namespace>/<name>`
 * (namespaces never contain "/", so distinct objects of a kind get distinct names), bounded like
 * `stableName`. It depends only on the object's namespace and name, which derive from the
 * destination, so editing the graph never renames untouched objects.
 */
export function childResourceName(componentName: string, namespace: string | undefined, name: string, maxLength: number = MAX_NAME_LENGTH): string {
    return stableName([componentName, namespace === undefined ? name : `${namespace}/${name}`], maxLength);
}
