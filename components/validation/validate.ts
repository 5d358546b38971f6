import { z } from "zod";
import { MeshguardValidationError, ValidationIssue } from "../errors";
import { quoted } from "./quote";

/** Renders a zod path as a field expression: `services[1].ports[0].protocol`. */
export function formatPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const key of path) {
        if (typeof key === "number") {
            out += `[${key}]`;
        } else {
            const text = String(key);
            out += /^[A-Za-z_$][\w$]*$/.test(text) ? (out === "" ? text : `.${text}`) : `[${quoted(text)}]`;
        }
    }
    return out;
}

/** Turns zod issues into meshguard issues, one line each, sorted by path for stable messages. */
export function toIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    for (const issue of error.issues) {
        issues.push(...flattenIssue(issue, [...prefix, ...issue.path]));
    }
    const seen = new Set<string>();
    return issues.filter((i) => {
        const key = `${i.path}\u0000${i.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}

function flattenIssue(issue: z.core.$ZodIssue, path: readonly PropertyKey[]): ValidationIssue[] {
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => ({
            path: formatPath([...path, key]),
            message: "unknown field (not part of the schema; check its spelling)",
        }));
    }
    if (issue.code === "invalid_key") {
        // A record key that failed its schema: report the key's own problems at the key's path.
        const key = String(path[path.length - 1] ?? "");
        return issue.issues.map((inner) => ({ path: formatPath(path), message: `key ${quoted(key)} ${inner.message}` }));
    }
    return [{ path: formatPath(path), message: issue.message }];
}

/**
 * Parses `value` with `schema` or throws a MeshguardValidationError naming every bad field.
 * `subject` names what was validated, e.g. `IstioMesh "istio" args`.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, subject: string): z.output<S> {
    const result = schema.safeParse(value);
    if (!result.success) {
        throw new MeshguardValidationError(subject, toIssues(result.error));
    }
    return result.data;
}
