import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { MeshguardValidationError, ValidationIssue } from "./errors";
import { formatPath, parseOrThrow, toIssues } from "./validation/validate";

/** Component args validated now (`known`, when every value is plain) or once their outputs resolve. */
export interface ResolvedInputs<T> {
    /** The validated args when none of them is a Pulumi output or promise. */
    readonly known: T | undefined;
    /** The validated args; fails with the same MeshguardValidationError once a deferred value is known. */
    readonly output: pulumi.Output<T>;
}

/** Stands in for a deferred value while the plain values around it are validated. */
const DEFERRED: unique symbol = Symbol("meshguard.deferred");

const PLAIN_ONLY_MESSAGE = "must be a plain value, not a Pulumi output or promise: it decides which resources are registered";

/**
 * Validates component args that may contain Pulumi outputs or promises at any depth.
 *
 * Plain values are validated synchronously: a bad one throws a MeshguardValidationError before
 * anything is registered. Deferred values are validated with the same schema (so with the same
 * messages) once they are known; the error then surfaces from the registrations that consume
 * `output`. Fields listed in `plainOnly` (formatted paths such as `gateway.createNamespace`) decide
 * the shape of the resource graph and are rejected when deferred.
 */
export function resolveInputs<S extends z.ZodType>(
    schema: S,
    args: unknown,
    subject: string,
    plainOnly: readonly string[] = [],
): ResolvedInputs<z.output<S>> {
    const deferredPaths: PropertyKey[][] = [];
    const substituted = substituteDeferred(args, [], deferredPaths);
    if (deferredPaths.length === 0) {
        const known = parseOrThrow(schema, args, subject);
        return { known, output: pulumi.output(known) as pulumi.Output<z.output<S>> };
    }

    const issues: ValidationIssue[] = [];
    for (const path of deferredPaths) {
        const formatted = formatPath(path);
        if (plainOnly.some((p) => p === formatted || isPathPrefix(formatted, p))) {
            issues.push({ path: formatted, message: PLAIN_ONLY_MESSAGE });
        }
    }
    const result = schema.safeParse(substituted);
    if (!result.success) {
        const plainIssues = result.error.issues.filter((i) => !isCausedByDeferred(i, [], deferredPaths));
        if (plainIssues.length > 0) {
            issues.push(...toIssues(new z.ZodError(plainIssues)));
        }
    }
    if (issues.length > 0) {
        throw new MeshguardValidationError(subject, issues);
    }
    const output = (pulumi.output(args) as pulumi.Output<unknown>).apply((plain) => parseOrThrow(schema, plain, subject));
    return { known: undefined, output: output as pulumi.Output<z.output<S>> };
}

/** True for a value that only becomes known later: a Pulumi output or a promise. */
function isDeferred(value: unknown): boolean {
    return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/**
 * True when an issue only reflects a placeholder: it lies under a deferred path, or it is a union
 * mismatch one of whose alternatives failed only under deferred paths.
 */
function isCausedByDeferred(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[], deferredPaths: readonly PropertyKey[][]): boolean {
    const path = [...prefix, ...issue.path];
    if (deferredPaths.some((d) => d.length <= path.length && d.every((k, i) => path[i] === k))) return true;
    return issue.code === "invalid_union" && issue.errors.some((branch) => branch.every((i) => isCausedByDeferred(i, path, deferredPaths)));
}

function substituteDeferred(value: unknown, path: PropertyKey[], found: PropertyKey[][]): unknown {
    if (isDeferred(value)) {
        found.push(path);
        return DEFERRED;
    }
    if (Array.isArray(value)) {
        return value.map((v, i) => substituteDeferred(v, [...path, i], found));
    }
    if (isPlainObject(value)) {
        const out: Record<string, unknown> = {};
        // defineProperty, not assignment: a `__proto__` key must reach the schema (which refuses it), not the setter.
        for (const [k, v] of Object.entries(value)) {
            Object.defineProperty(out, k, { value: substituteDeferred(v, [...path, k], found), enumerable: true, writable: true, configurable: true });
        }
        Object.setPrototypeOf(out, Object.getPrototypeOf(value));
        return out;
    }
    return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    if (value === null || typeof value !== "object") return false;
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
}

/** `prefix` names a field that contains `path` (the empty path contains everything). */
function isPathPrefix(prefix: string, path: string): boolean {
    return prefix === "" || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}
