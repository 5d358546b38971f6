import { MeshguardValidationError } from "../errors";
import { isRecord } from "../kube";

/**
 * Loose reading of an AuthorizationPolicy spec as the API server would store it: wrong shapes
 * (a string where a list is required) are errors, unknown fields are reported and pruned, as the
 * structural schema prunes them.
 */
export type AuthzActionName = "ALLOW" | "DENY" | "AUDIT" | "CUSTOM";

export interface SpecReadContext {
    readonly subject: string;
    /** Unknown fields found (pruned by the API server): `spec.rules[0].from[0].source.principal`. */
    readonly pruned: string[];
    /** The policy's namespace, when known: a bare `serviceAccounts` value means `<namespace>/<sa>`. */
    readonly namespace?: string;
    /** Set when a bare service account was read: the result depends on `namespace`. */
    namespaceDependent?: boolean;
}

export { isRecord };

export function fail(ctx: SpecReadContext, path: string, message: string): never {
    throw new MeshguardValidationError(ctx.subject, [{ path, message }]);
}

export function readRecord(value: unknown, path: string, ctx: SpecReadContext): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) fail(ctx, path, "must be an object");
    return value;
}

export function readList(value: unknown, path: string, ctx: SpecReadContext): unknown[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) fail(ctx, path, "must be a list");
    return value;
}

export function readStrings(value: unknown, path: string, ctx: SpecReadContext): string[] {
    const list = readList(value, path, ctx) ?? [];
    return list.map((item, i) => {
        // ports are integers in some hand-written manifests; the schema types them as strings.
        if (typeof item === "number" && Number.isInteger(item)) return String(item);
        if (typeof item !== "string") fail(ctx, `${path}[${i}]`, "must be a string");
        return item;
    });
}

export function notePruned(record: Record<string, unknown>, known: readonly string[], path: string, ctx: SpecReadContext): void {
    for (const field of Object.keys(record)) {
        if (!known.includes(field)) ctx.pruned.push(`${path}.${field}`);
    }
}

export function readAction(spec: Record<string, unknown>, ctx: SpecReadContext): AuthzActionName {
    const action = spec["action"] ?? "ALLOW";
    if (action === "ALLOW" || action === "DENY" || action === "AUDIT" || action === "CUSTOM") return action;
    return fail(ctx, "spec.action", `must be one of ALLOW, DENY, AUDIT, CUSTOM (got ${JSON.stringify(action)})`);
}
