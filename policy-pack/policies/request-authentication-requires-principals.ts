import { StackValidationPolicy } from "@pulumi/policy";
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

/** The policy applies to (at least) every workload the RequestAuthentication selects. */
function covers(policy: StackObject, ra: StackObject, rootNamespace: string): boolean {
    if (policy.object.namespace !== ra.object.namespace && policy.object.namespace !== rootNamespace) return false;
    const policyLabels = selectorLabels(specOf(policy));
    if (policyLabels === undefined) return true;
    const raLabels = selectorLabels(specOf(ra)) ?? {};
    return Object.entries(policyLabels).every(([k, v]) => raLabels[k] === v);
}

export const requestAuthenticationRequiresPrincipals: StackValidationPolicy = {
    name: "request-authentication-requires-principals",
    description:
        "A RequestAuthentication only rejects invalid tokens; requests without a token still pass. Each one should be paired with an ALLOW AuthorizationPolicy on the same workloads that requires requestPrincipals (or request.auth claims).",
    enforcementLevel: "advisory",
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const stack = readMeshStack(args, reportViolation, { istioKinds: ["AuthorizationPolicy", "RequestAuthentication"] });
        // Indexed by namespace, so the check stays linear in the size of the stack.
        const requiring = new Map<string, StackObject[]>();
        for (const policy of (stack.istio.get("AuthorizationPolicy") ?? []).filter(requiresToken)) {
            const list = requiring.get(policy.object.namespace ?? "") ?? [];
            list.push(policy);
            requiring.set(policy.object.namespace ?? "", list);
        }
        const root = stack.config.rootNamespace;
        for (const ra of stack.istio.get("RequestAuthentication") ?? []) {
            if (objectExemption(stack, ra.object) !== undefined) continue;
            const candidates = [...(requiring.get(ra.object.namespace ?? "") ?? []), ...(ra.object.namespace === root ? [] : requiring.get(root) ?? [])];
            if (candidates.some((policy) => covers(policy, ra, root))) continue;
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
