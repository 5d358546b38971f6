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

/**
 * The policy's configuration with defaults applied. The Pulumi CLI already sends the schema
 * defaults; applying them here too keeps the pack correct when driven without a Configure call.
 */
export function readConfig(raw: Record<string, unknown>): InjectionConfig {
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
