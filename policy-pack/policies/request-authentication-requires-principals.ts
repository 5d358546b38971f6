import { StackValidationPolicy } from "@pulumi/policy";
import { SelectorIndex } from "../../components/istio";
import { configSchema } from "../lib/config";
import { asList, asRecord, isRecord } from "../lib/object";
import { objectExemption, readMeshStack, reportOnObject, selectorLabels, specOf, StackObject } from "../lib/stack";

/** True when some ALLOW rule of the policy needs a validated JWT (requestPrincipals or request.auth.* conditions). */
function requiresToken(policy: StackObject): boolean {
    return tokenRequirementPath(policy) !== undefined;
}

/**
 * Where the first ALLOW rule that needs a validated JWT asks for it (`spec.rules[0].from[1].source.requestPrincipals`
 * or `spec.rules[0].when[0]`), or undefined when no rule does.
 */
function tokenRequirementPath(policy: StackObject): string | undefined {
    const spec = specOf(policy);
    if ((spec["action"] ?? "ALLOW") !== "ALLOW") return undefined;
    for (const [r, rawRule] of asList(spec["rules"]).entries()) {
        const rule = asRecord(rawRule);
        const source = asList(rule["from"]).findIndex((f) => asList(asRecord(asRecord(f)["source"])["requestPrincipals"]).length > 0);
        if (source >= 0) return `spec.rules[${r}].from[${source}].source.requestPrincipals`;
        const when = asList(rule["when"]).findIndex(
            (c) => isRecord(c) && typeof c["key"] === "string" && c["key"].startsWith("request.auth.") && asList(c["values"]).length > 0,
        );
        if (when >= 0) return `spec.rules[${r}].when[${when}]`;
    }
    return undefined;
}

/** True when some workload could be selected by both selectors (no label with two different values). */
function selectorsOverlap(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
    if (a === undefined || b === undefined) return true;
    return Object.entries(a).every(([k, v]) => b[k] === undefined || b[k] === v);
}

/**
 * ALLOW policies that require a validated token on workloads no RequestAuthentication applies to.
 * Without one, Envoy never validates a token there, so `requestPrincipals` (even `["*"]`, Istio's
 * "any valid token" pattern) and `request.auth.*` never match: the rule allows nothing. Where a
 * RequestAuthentication does apply, `["*"]` means "any token its issuers sign", which is the
 * documented pattern and not reported.
 */
function reportTokenRulesWithoutAuthentication(stack: ReturnType<typeof readMeshStack>, reportViolation: Parameters<StackValidationPolicy["validateStack"]>[1]): void {
    const root = stack.config.rootNamespace;
    // Per namespace: an index for the common case (a RequestAuthentication whose selector is a subset
    // of the policy's), and the selectors for the rare overlap check, so the stack stays linear.
    const byNamespace = new Map<string, { index: SelectorIndex<Selected>; selectors: (Readonly<Record<string, string>> | undefined)[] }>();
    for (const ra of stack.istio.get("RequestAuthentication") ?? []) {
        const namespace = ra.object.namespace ?? "";
        let entry = byNamespace.get(namespace);
        if (entry === undefined) {
            entry = { index: new SelectorIndex<Selected>(), selectors: [] };
            byNamespace.set(namespace, entry);
        }
        const matchLabels = selectorLabels(specOf(ra));
        entry.index.add({ matchLabels });
        entry.selectors.push(matchLabels);
    }
    for (const policy of stack.istio.get("AuthorizationPolicy") ?? []) {
        if (objectExemption(stack, policy.object) !== undefined) continue;
        const path = tokenRequirementPath(policy);
        if (path === undefined) continue;
        const namespace = policy.object.namespace ?? "";
        const labels = selectorLabels(specOf(policy));
        const scopes = namespace === root ? [...byNamespace.values()] : [byNamespace.get(namespace), byNamespace.get(root)];
        const applies = scopes.some(
            (scope) =>
                scope !== undefined &&
                ((labels !== undefined && scope.index.anySelects(labels)) || scope.selectors.some((selector) => selectorsOverlap(selector, labels))),
        );
        if (applies) continue;
        reportOnObject(
            reportViolation,
            policy,
            path,
            `requires a validated request token, but no RequestAuthentication in ${JSON.stringify(namespace)} or the root namespace ${JSON.stringify(root)} applies to the workloads this policy selects, so no request ever carries one and the rule never matches (it allows nothing; requestPrincipals: ["*"] means "any valid token", not "anyone")`,
            "add a RequestAuthentication for these workloads that lists the accepted issuers, or remove the rule",
        );
    }
}

interface Selected {
    readonly matchLabels?: Readonly<Record<string, string>>;
}

/**
 * The selectors of the token-requiring ALLOW policies, per namespace. A policy covers a
 * RequestAuthentication when it lives in the same namespace (or in the root namespace, mesh-wide)
 * and applies to at least every workload it selects: no selector, or a subset of its labels.
 * Indexed, so each RequestAuthentication is checked without scanning every policy of its namespace.
 */
function requiringSelectors(policies: readonly StackObject[]): Map<string, SelectorIndex<Selected>> {
    const byNamespace = new Map<string, SelectorIndex<Selected>>();
    for (const policy of policies) {
        const namespace = policy.object.namespace ?? "";
        let index = byNamespace.get(namespace);
        if (index === undefined) {
            index = new SelectorIndex<Selected>();
            byNamespace.set(namespace, index);
        }
        index.add({ matchLabels: selectorLabels(specOf(policy)) });
    }
    return byNamespace;
}

export const requestAuthenticationRequiresPrincipals: StackValidationPolicy = {
    name: "request-authentication-requires-principals",
    description:
        "A RequestAuthentication only rejects invalid tokens; requests without a token still pass. Each one should be paired with an ALLOW AuthorizationPolicy on the same workloads that requires requestPrincipals (or request.auth claims). Conversely, an ALLOW rule that requires a token (requestPrincipals, even [\"*\"]) on workloads no RequestAuthentication applies to never matches.",
    enforcementLevel: "advisory",
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const stack = readMeshStack(args, reportViolation, { istioKinds: ["AuthorizationPolicy", "RequestAuthentication"] });
        const requiring = requiringSelectors((stack.istio.get("AuthorizationPolicy") ?? []).filter(requiresToken));
        const root = stack.config.rootNamespace;
        for (const ra of stack.istio.get("RequestAuthentication") ?? []) {
            if (objectExemption(stack, ra.object) !== undefined) continue;
            const namespace = ra.object.namespace ?? "";
            const labels = selectorLabels(specOf(ra)) ?? {};
            if (requiring.get(namespace)?.anySelects(labels) || requiring.get(root)?.anySelects(labels)) continue;
            reportOnObject(
                reportViolation,
                ra,
                "spec.jwtRules",
                "no AuthorizationPolicy on the same workloads requires a request principal, so requests WITHOUT a token are still accepted (a RequestAuthentication only rejects invalid tokens)",
                'add an ALLOW AuthorizationPolicy for these workloads whose rules set from.source.requestPrincipals (e.g. ["<issuer>/*"]) or a request.auth.claims condition',
            );
        }
        reportTokenRulesWithoutAuthentication(stack, reportViolation);
    },
};
