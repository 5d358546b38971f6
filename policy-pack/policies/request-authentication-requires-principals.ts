import { StackValidationPolicy } from "@pulumi/policy";
import { SelectorIndex } from "../../components/istio";
import { configSchema } from "../lib/config";
import { asList, asRecord, isRecord } from "../lib/object";
import { objectExemption, readMeshStack, reportOnObject, selectorLabels, specOf, StackObject } from "../lib/stack";

/** True when some ALLOW rule of the policy needs a validated JWT (requestPrincipals or request.auth.* conditions). */
function requiresToken(policy: StackObject): boolean {
    const spec = specOf(policy);
    if ((spec["action"] ?? "ALLOW") !== "ALLOW") return false;
    return asList(spec["rules"]).some((rawRule) => {
        const rule = asRecord(rawRule);
        const fromSource = asList(rule["from"]).some((f) => asList(asRecord(asRecord(f)["source"])["requestPrincipals"]).length > 0);
        const fromWhen = asList(rule["when"]).some((c) => isRecord(c) && typeof c["key"] === "string" && c["key"].startsWith("request.auth."));
        return fromSource || fromWhen;
    });
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
        "A RequestAuthentication only rejects invalid tokens; requests without a token still pass. Each one should be paired with an ALLOW AuthorizationPolicy on the same workloads that requires requestPrincipals (or request.auth claims).",
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
    },
};
