import { Tri } from "./authz-keys";

/** Kleene logic over Tri: a definite answer wins over `unknown` where it decides the result. */
export function triAnd(values: Iterable<Tri>): Tri {
    let result: Tri = "match";
    for (const v of values) {
        if (v === "no-match") return "no-match";
        if (v === "unknown") result = "unknown";
    }
    return result;
}

export function triNot(value: Tri): Tri {
    return value === "match" ? "no-match" : value === "no-match" ? "match" : "unknown";
}
