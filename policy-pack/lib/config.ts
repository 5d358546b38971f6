import { PolicyConfigSchema } from "@pulumi/policy";
import { DEFAULT_ROOT_NAMESPACE } from "../../components/constants";

/** Namespaces where workloads may legitimately run without a sidecar (Istio's own, Kubernetes'). */
export const DEFAULT_INJECTION_EXEMPT_NAMESPACES: readonly string[] = Object.freeze([
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "istio-system",
]);

/** Configuration every meshguard policy accepts (besides the standard `enforcementLevel`). */
export interface PackConfig {
    /** Namespace patterns (`*` any run of characters, `?` one character) the policy ignores. */
    readonly exemptNamespaces: readonly string[];
    /** Object name patterns the policy ignores: `name` or `namespace/name`, same wildcards. */
    readonly exemptNames: readonly string[];
    /** Istio's root namespace (meshConfig.rootNamespace): mesh-wide policies live there. */
    readonly rootNamespace: string;
}

/** Policies about sidecar injection also accept the namespaces exempt from injection. */
export interface InjectionConfig extends PackConfig {
    readonly injectionExemptNamespaces: readonly string[];
}

const patternList = (description: string) => ({
    type: "array" as const,
    items: { type: "string" as const, minLength: 1 },
    default: [] as string[],
    description,
});

const COMMON_PROPERTIES: PolicyConfigSchema["properties"] = {
    exemptNamespaces: patternList("Namespaces this policy ignores; `*` matches any run of characters and `?` one character."),
    exemptNames: patternList("Object names this policy ignores, as `name` or `namespace/name`; `*` and `?` wildcards."),
    rootNamespace: {
        type: "string",
        minLength: 1,
        default: DEFAULT_ROOT_NAMESPACE,
        description: "Istio's root namespace (meshConfig.rootNamespace); policies there apply mesh-wide.",
    },
};

/** The config schema of a policy: the common properties, plus the injection exemptions if asked. */
export function configSchema(options: { injection?: boolean } = {}): PolicyConfigSchema {
    const properties = { ...COMMON_PROPERTIES };
    if (options.injection) {
        properties["injectionExemptNamespaces"] = {
            ...patternList("Namespaces whose workloads may run without sidecar injection."),
            default: [...DEFAULT_INJECTION_EXEMPT_NAMESPACES],
        };
    }
    return { properties };
}

/** One configuration read: the raw values it was read from (lists by identity) and the result. */
interface ConfigReading {
    readonly exemptNamespaces: unknown;
    readonly exemptNames: unknown;
    readonly injectionExemptNamespaces: unknown;
    readonly rootNamespace: string;
    readonly config: InjectionConfig;
}

/** Readings per first raw list (or NO_LISTS), at most MAX_READINGS each. */
const readings = new WeakMap<object, ConfigReading[]>();
const NO_LISTS = {};
const MAX_READINGS = 16;

/**
 * The policy's configuration with defaults applied. The Pulumi CLI already sends the schema
 * defaults; applying them here too keeps the pack correct when driven without a Configure call.
 *
 * Read for every policy call: the SDK's `getConfig` builds a new object each time (server.js
 * makeGetConfigFun), but the lists in it are the same objects the Configure call stored, never
 * changed. So a reading is kept per list, by identity, with the root namespace (a string): the
 * same lists and root namespace give the same (shared, read-only) configuration. Values that are
 * not lists read as the defaults whatever they are, so they are compared only as "not a list".
 */
export function readConfig(raw: Record<string, unknown>): InjectionConfig {
    const exemptNamespaces = raw["exemptNamespaces"];
    const exemptNames = raw["exemptNames"];
    const injectionExemptNamespaces = raw["injectionExemptNamespaces"];
    const rootNamespace = typeof raw["rootNamespace"] === "string" && raw["rootNamespace"] !== "" ? raw["rootNamespace"] : DEFAULT_ROOT_NAMESPACE;
    const anchor = [exemptNamespaces, exemptNames, injectionExemptNamespaces].find((v): v is unknown[] => Array.isArray(v)) ?? NO_LISTS;
    let kept = readings.get(anchor);
    const hit = kept?.find(
        (r) =>
            sameList(r.exemptNamespaces, exemptNamespaces) &&
            sameList(r.exemptNames, exemptNames) &&
            sameList(r.injectionExemptNamespaces, injectionExemptNamespaces) &&
            r.rootNamespace === rootNamespace,
    );
    if (hit !== undefined) return hit.config;
    const config = readUncached(raw);
    if (kept === undefined) {
        kept = [];
        readings.set(anchor, kept);
    }
    if (kept.length < MAX_READINGS) kept.push({ exemptNamespaces, exemptNames, injectionExemptNamespaces, rootNamespace, config });
    return config;
}

/** The same list (by identity), or both not lists (then both read as the default). */
function sameList(a: unknown, b: unknown): boolean {
    return Array.isArray(a) || Array.isArray(b) ? a === b : true;
}

function readUncached(raw: Record<string, unknown>): InjectionConfig {
    return {
        exemptNamespaces: stringList(raw["exemptNamespaces"], []),
        exemptNames: stringList(raw["exemptNames"], []),
        rootNamespace: typeof raw["rootNamespace"] === "string" && raw["rootNamespace"] !== "" ? raw["rootNamespace"] : DEFAULT_ROOT_NAMESPACE,
        injectionExemptNamespaces: stringList(raw["injectionExemptNamespaces"], DEFAULT_INJECTION_EXEMPT_NAMESPACES),
    };
}

function stringList(value: unknown, fallback: readonly string[]): readonly string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : fallback;
}
