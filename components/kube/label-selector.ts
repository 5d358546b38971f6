import { MeshguardValidationError } from "../errors";
import { asList, asRecord, asStringMap } from "./records";

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
    const record = asRecord(value);
    const matchExpressions = asList(record["matchExpressions"]).map((raw, i): LabelRequirement => {
        const e = asRecord(raw);
        const key = e["key"];
        const operator = e["operator"];
        const values = asList(e["values"]).filter((v): v is string => typeof v === "string");
        const at = `${path}.matchExpressions[${i}]`;
        if (typeof key !== "string" || key === "") throw new MeshguardValidationError(subject, [{ path: `${at}.key`, message: "must be a non-empty label key" }]);
        if (typeof operator !== "string" || !(OPERATORS as readonly string[]).includes(operator)) {
            throw new MeshguardValidationError(subject, [{ path: `${at}.operator`, message: `must be one of ${OPERATORS.join(", ")} (got ${JSON.stringify(operator)})` }]);
        }
        const needsValues = operator === "In" || operator === "NotIn";
        if (needsValues !== values.length > 0) {
            throw new MeshguardValidationError(subject, [{ path: `${at}.values`, message: needsValues ? `must not be empty for ${operator}` : `must be empty for ${operator}` }]);
        }
        return { key, operator: operator as LabelRequirement["operator"], values };
    });
    return { matchLabels: asStringMap(record["matchLabels"]), matchExpressions };
}

export function labelSelectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
    const has = (key: string) => Object.prototype.hasOwnProperty.call(labels, key);
    for (const [key, value] of Object.entries(selector.matchLabels)) {
        if (!has(key) || labels[key] !== value) return false;
    }
    return selector.matchExpressions.every((req) => {
        switch (req.operator) {
            case "In":
                return has(req.key) && req.values.includes(labels[req.key]);
            case "NotIn":
                return !has(req.key) || !req.values.includes(labels[req.key]);
            case "Exists":
                return has(req.key);
            case "DoesNotExist":
                return !has(req.key);
        }
    });
}

