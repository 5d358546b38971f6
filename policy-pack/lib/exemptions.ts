import { PackConfig } from "./config";

/** Glob match: `*` any run of characters (also empty), `?` exactly one; everything else literal. */
export function globMatch(pattern: string, value: string): boolean {
    let compiled = compiledPatterns.get(pattern);
    if (compiled === undefined) {
        const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
        compiled = new RegExp(`^${source}$`);
        compiledPatterns.set(pattern, compiled);
    }
    return compiled.test(value);
}

const compiledPatterns = new Map<string, RegExp>();

export function matchesAny(patterns: readonly string[], value: string): string | undefined {
    return patterns.find((p) => globMatch(p, value));
}

/**
 * Why an object is exempt from a policy by configuration, or undefined. `exemptNames` patterns
 * with a `/` match `namespace/name`, the others match the name alone.
 */
export function exemptionReason(config: PackConfig, namespace: string | undefined, name: string): string | undefined {
    if (namespace !== undefined) {
        const ns = matchesAny(config.exemptNamespaces, namespace);
        if (ns !== undefined) return `namespace ${namespace} is exempt (exemptNamespaces: "${ns}")`;
    }
    const qualified = namespace === undefined ? name : `${namespace}/${name}`;
    const byName = config.exemptNames.find((p) => globMatch(p, p.includes("/") ? qualified : name));
    return byName === undefined ? undefined : `${qualified} is exempt (exemptNames: "${byName}")`;
}
