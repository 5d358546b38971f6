import { z } from "zod";
import { DNS1123_LABEL_PATTERN, DNS1123_SUBDOMAIN_PATTERN } from "../validation/dns-names";
import { labelKey, labelValue } from "./labels";
import { quoted } from "../validation/quote";
import { safeRecord } from "./record";
import { HTTP_METHODS } from "./mesh-policy-types";
import { invalidTemplateLiteral, TEMPLATE_LITERAL_CHARACTERS } from "../istio/path-template";

/**
 * Field-level rules of the MeshPolicy input: names, identities and Istio match strings. Each
 * message names what is allowed, so an error tells the user how to fix the value.
 */


/** A DNS-1123 label (service ids, namespaces): lowercase alphanumerics and '-', at most 63 chars. */
export const dnsLabel = z
    .string()
    .refine((v) => v.length <= 63 && DNS1123_LABEL_PATTERN.test(v), {
        error: (issue) => `${quoted(issue.input)} is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
    });

/** A Kubernetes ServiceAccount name: a DNS-1123 subdomain, at most 253 chars. */
export const serviceAccountName = z
    .string()
    .refine((v) => v.length <= 253 && DNS1123_SUBDOMAIN_PATTERN.test(v), {
        error: (issue) => `${quoted(issue.input)} is not a valid service account name (a DNS-1123 subdomain: lowercase letters, digits, '-' and '.')`,
    });

/** A SPIFFE trust domain as Istio writes it in principals: no scheme, no wildcard. */
export const trustDomain = z.string().superRefine((v, ctx) => {
    if (v.startsWith("spiffe://")) {
        ctx.addIssue({ code: "custom", message: `must not start with spiffe:// (Istio principals are <trust-domain>/ns/<namespace>/sa/<account>; use ${quoted(v.slice(9))})` });
    } else if (v.includes("*")) {
        ctx.addIssue({ code: "custom", message: `must not contain * (a trust domain is matched exactly)` });
    } else if (!(v.length <= 253 && /^[a-z0-9]([-a-z0-9_]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9_]*[a-z0-9])?)*$/.test(v))) {
        ctx.addIssue({ code: "custom", message: `${quoted(v)} is not a valid trust domain (lowercase letters, digits, '-', '_' and '.')` });
    }
});

/** Istio's WorkloadSelector accepts at most 4096 labels (CRD maxProperties of matchLabels). */
export const MAX_SELECTOR_LABELS = 4096;

/**
 * Workload selector labels: at least one label, valid keys and values, no key a plain object
 * loses. Empty is refused: Istio treats `matchLabels: {}` as a subset of every pod's labels
 * (pkg/config/labels/instance.go `SubsetOf`), i.e. the whole namespace.
 */
export const selectorLabels = safeRecord(labelKey, labelValue)
    .refine((labels) => Object.keys(labels).length > 0, "must not be empty (an empty selector would select every workload of the namespace)")
    .refine((labels) => Object.keys(labels).length <= MAX_SELECTOR_LABELS, `must have at most ${MAX_SELECTOR_LABELS} labels (Istio's WorkloadSelector limit)`);

/** The HTTP methods istiod accepts in AuthorizationPolicies (Go's net/http method set); defined in the zod-free mesh-policy-types.ts. */
export { HTTP_METHODS };

export const httpMethod = z.string().refine((m) => (HTTP_METHODS as readonly string[]).includes(m), {
    error: (issue) => `${quoted(issue.input)} is not an HTTP method (allowed: ${HTTP_METHODS.join(", ")}; upper case)`,
});

export const port = z.number().int("must be an integer").min(1, "must be a port from 1 to 65535").max(65535, "must be a port from 1 to 65535");

/**
 * Where `*` may appear in an Istio match string: alone (any non-empty value), as the first
 * character (suffix match) or as the last (prefix match). Anywhere else it is a literal `*`
 * (Istio matches it exactly), which is never what the author meant: reject it.
 */
export function wildcardProblem(value: string, what: string): string | undefined {
    const stars = [...value].filter((c) => c === "*").length;
    if (stars === 0 || value === "*") return undefined;
    if (stars === 1 && (value.startsWith("*") || value.endsWith("*"))) return undefined;
    if (stars === 2 && value.startsWith("*") && value.endsWith("*")) {
        return `${quoted(value)}: a ${what} may use * at its start (suffix match) or at its end (prefix match), not both`;
    }
    return `${quoted(value)}: * in the middle of a ${what} is matched literally by Istio; use it only as the first or the last character`;
}

/**
 * Path templates (Istio ≥ 1.22, Envoy URI templates): `{*}` one non-empty segment, `{**}` any
 * rest of the path, possibly empty (`/api/{**}` matches `/api/`), and the last operator; meshguard
 * also requires each operator to be a whole segment. Matching: components/istio/match.ts matchPath.
 */
export function pathProblem(path: string): string | undefined {
    if (path === "*") return `"*" matches every path: omit paths to allow them all`;
    if (/[?#\s]/.test(path)) return `${quoted(path)}: paths match the URL path only (no query, fragment or whitespace)`;
    const isTemplate = path.includes("{*}") || path.includes("{**}");
    if (isTemplate) {
        if (!path.startsWith("/")) return `${quoted(path)}: a path template must start with /`;
        const withoutOperators = path.replace(/\{\*\*?\}/g, "");
        if (/[{}*]/.test(withoutOperators)) {
            return `${quoted(path)} is not a valid path template (only whole-segment {*} and {**} operators; no named variables or bare *)`;
        }
        const segments = path.split("/").slice(1);
        if (segments.some((s) => s.includes("{") && s !== "{*}" && s !== "{**}")) {
            return `${quoted(path)} is not a valid path template ({*} and {**} must each be a whole path segment)`;
        }
        const any = segments.indexOf("{**}");
        if (any >= 0 && segments.slice(any + 1).some((s) => s === "{*}" || s === "{**}")) {
            return `${quoted(path)} is not a valid path template ({**} must be the last operator)`;
        }
        const segment = invalidTemplateLiteral(path);
        if (segment !== undefined) return `${quoted(path)} is not a valid path template (segment ${quoted(segment)} must be made of ${TEMPLATE_LITERAL_CHARACTERS})`;
        return undefined;
    }
    if (/[{}]/.test(path)) return `${quoted(path)}: braces are only allowed as the {*} and {**} template operators`;
    const wildcard = wildcardProblem(path, "path");
    if (wildcard !== undefined) return wildcard;
    if (!path.startsWith("/") && !path.startsWith("*")) return `${quoted(path)}: a path must start with / (or with * for a suffix match)`;
    return undefined;
}

export const httpPath = z.string().superRefine((v, ctx) => {
    const problem = pathProblem(v);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

export const httpHost = z.string().superRefine((v, ctx) => {
    if (v === "" || /\s/.test(v)) {
        ctx.addIssue({ code: "custom", message: "must be a non-empty host name without whitespace" });
        return;
    }
    const problem = wildcardProblem(v, "host");
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

/** `package.Service/Method`, or `package.Service/*` for every method of the service. */
export const grpcMethod = z
    .string()
    .refine(
        (v) => /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\/([A-Za-z_][A-Za-z0-9_]*|\*)$/.test(v),
        { error: (issue) => `${quoted(issue.input)} is not a gRPC method (use package.Service/Method, or package.Service/* for all its methods)` },
    );

/** A JWT claim name as used in `request.auth.claims[<name>]` (no brackets). */
export const claimName = z
    .string()
    .refine((v) => /^[A-Za-z0-9_.:\-/]+$/.test(v), "is not a supported claim name (letters, digits and _ . : - /)");

export const nonEmptyMatchValue = z.string().superRefine((v, ctx) => {
    if (v === "") ctx.addIssue({ code: "custom", message: "must not be empty" });
    else if (v.includes("*")) ctx.addIssue({ code: "custom", message: `${quoted(v)}: wildcards are not supported here (values are matched exactly)` });
});

export const issuer = z.string().superRefine((v, ctx) => {
    if (v.trim() === "") ctx.addIssue({ code: "custom", message: "must be set: a JWT caller needs the token issuer (iss)" });
    else if (v.includes("*")) ctx.addIssue({ code: "custom", message: `${quoted(v)}: an issuer must not contain * (it is matched exactly)` });
});

export const jwksUri = z
    .string()
    .refine((v) => /^https?:\/\/[^/?#\s]+/i.test(v) && v.length <= 2048, "must be an http:// or https:// URL of the issuer's JSON Web Key Set");

/**
 * A list that must hold at least one element: an empty list is ambiguous (nothing, or
 * everything?) and Istio's webhook rejects empty lists in policies.
 */
export function nonEmptyList<T extends z.ZodType>(item: T, message = "must not be empty (omit the field instead)") {
    return z.array(item).min(1, message);
}
