import { MeshguardValidationError } from "../errors";
import { asList, asRecord, asStringMap, isRecord } from "./records";

/**
 * A Kubernetes LabelSelector (metav1.LabelSelector): matchLabels and matchExpressions are ANDed;
 * an empty selector selects everything. Operators In, NotIn, Exists, DoesNotExist, as the
 * apimachinery labels package defines them (NotIn and DoesNotExist match a missing key).
 */
export interface LabelSelector {
    readonly matchLabels: Readonly<Record<string, string>>;
    readonly matchExpressions: readonly LabelRequirement[];
}

export interface LabelRequirement {
    readonly key: string;
    readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    readonly values: readonly string[];
}

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;

/** Reads a LabelSelector; throws naming `path` when an expression is invalid (the API server rejects it). */
export function readLabelSelector(value: unknown, subject: string, path: string): LabelSelector {
    // The API server refuses a selector of the wrong shape; reading it leniently (dropping what is
    // not a string) would select MORE pods than its author wrote, so it is refused here too.
    const fail = (at: string, message: string): never => {
        throw new MeshguardValidationError(subject, [{ path: at, message }]);
    };
    if (value !== undefined && value !== null && !isRecord(value)) fail(path, "must be a label selector (an object)");
    const record = asRecord(value);
    const rawLabels = record["matchLabels"];
    if (rawLabels !== undefined && rawLabels !== null && !isRecord(rawLabels)) fail(`${path}.matchLabels`, "must be a map of label keys to string values");
    for (const [key, v] of Object.entries(asRecord(rawLabels))) {
        if (typeof v !== "string") fail(`${path}.matchLabels.${key}`, `must be a string (got ${JSON.stringify(v) ?? typeof v})`);
    }
    const rawExpressions = record["matchExpressions"];
    if (rawExpressions !== undefined && rawExpressions !== null && !Array.isArray(rawExpressions)) fail(`${path}.matchExpressions`, "must be a list");
    const matchExpressions = asList(rawExpressions).map((raw, i): LabelRequirement => {
        const e = asRecord(raw);
        const key = e["key"];
        const operator = e["operator"];
        const at = `${path}.matchExpressions[${i}]`;
        const rawValues = e["values"];
        if (rawValues !== undefined && rawValues !== null && !(Array.isArray(rawValues) && rawValues.every((v) => typeof v === "string"))) fail(`${at}.values`, "must be a list of strings");
        const values = asList(rawValues) as string[];
        if (typeof key !== "string" || key === "") fail(`${at}.key`, "must be a non-empty label key");
        if (typeof operator !== "string" || !(OPERATORS as readonly string[]).includes(operator)) {
            fail(`${at}.operator`, `must be one of ${OPERATORS.join(", ")} (got ${JSON.stringify(operator)})`);
        }
        const needsValues = operator === "In" || operator === "NotIn";
        if (needsValues !== values.length > 0) fail(`${at}.values`, needsValues ? `must not be empty for ${operator}` : `must be empty for ${operator}`);
        return { key: key as string, operator: operator as LabelRequirement["operator"], values };
    });
    return { matchLabels: asStringMap(rawLabels), matchExpressions };
}

export function labelSelectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
    const has = (key: string) => Object.prototype.hasOwnProperty.call(labels, key);
    for (const [key, value] of Object.entries(selector.matchLabels)) {
        if (!has(key) || labels[key] !== value) return false;
    }
    // NotIn and DoesNotExist match a missing key (apimachinery labels.Requirement.Matches).
    return selector.matchExpressions.every((req) => (has(req.key) ? requirementHolds(req, labels[req.key]) : req.operator === "NotIn" || req.operator === "DoesNotExist"));
}

/**
 * Whether the selector selects EVERY pod that carries `labels`, whatever other labels it carries.
 * A requirement on a key the known labels lack holds only if it holds for any value or absence of
 * that key, which no requirement does (NotIn and DoesNotExist fail once the key appears).
 */
export function selectsEveryPodCarrying(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
    const has = (key: string) => Object.prototype.hasOwnProperty.call(labels, key);
    for (const [key, value] of Object.entries(selector.matchLabels)) {
        if (!has(key) || labels[key] !== value) return false;
    }
    return selector.matchExpressions.every((req) => has(req.key) && requirementHolds(req, labels[req.key]));
}

/**
 * Whether the selector MAY select a pod that carries `labels` (and perhaps more): false only when a
 * known label rules it out, since a key the known labels lack may be on the pod with any value.
 */
export function maySelectPodCarrying(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
    const has = (key: string) => Object.prototype.hasOwnProperty.call(labels, key);
    for (const [key, value] of Object.entries(selector.matchLabels)) {
        if (has(key) && labels[key] !== value) return false;
    }
    return selector.matchExpressions.every((req) => !has(req.key) || requirementHolds(req, labels[req.key]));
}

/** A requirement on a key the pod carries with `value`. */
function requirementHolds(req: LabelRequirement, value: string): boolean {
    switch (req.operator) {
        case "In":
            return req.values.includes(value);
        case "NotIn":
            return !req.values.includes(value);
        case "Exists":
            return true;
        case "DoesNotExist":
            return false;
    }
}
