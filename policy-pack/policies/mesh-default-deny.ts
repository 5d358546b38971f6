import { StackValidationPolicy } from "@pulumi/policy";
import { dryRunState } from "../../components/istio";
import { ALLOW_NOTHING_NAME } from "../../components/constants";
import { configSchema } from "../lib/config";
import { asList } from "../lib/object";
import { hasTargetRefs, meshNamespaces, namespaceExemption, readMeshStack, reportOnNamespace, selectorLabels, specOf, StackObject } from "../lib/stack";

/**
 * An allow-nothing policy: ALLOW (or unset) with no rules, no selector and no targetRefs, enforced:
 * `istio.io/dry-run` read as istiod reads it (Go ParseBool, components/istio/dry-run.ts), and an
 * unparsable value not counted (istiod's validating webhook rejects such an object). It applies to every workload of its namespace (of the mesh in the root namespace), so
 * only what another ALLOW policy admits gets through (Istio security best practices).
 */
export function isAllowNothing(entry: StackObject): boolean {
    const spec = specOf(entry);
    const action = spec["action"] ?? "ALLOW";
    const enforced = dryRunState(entry.object.annotations) === "enforced";
    return action === "ALLOW" && asList(spec["rules"]).length === 0 && selectorLabels(spec) === undefined && !hasTargetRefs(spec) && enforced;
}

export const meshDefaultDeny: StackValidationPolicy = {
    name: "mesh-default-deny",
    description:
        "Every mesh namespace that runs workloads must be default-deny: an allow-nothing AuthorizationPolicy (ALLOW, no rules, no selector) in the namespace or mesh-wide in the root namespace.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({ injection: true }),
    validateStack: (args, reportViolation) => {
        const stack = readMeshStack(args, reportViolation, { workloads: true, istioKinds: ["AuthorizationPolicy"] });
        const covered = new Set((stack.istio.get("AuthorizationPolicy") ?? []).filter(isAllowNothing).map((p) => p.object.namespace));
        if (covered.has(stack.config.rootNamespace)) return;
        for (const ns of meshNamespaces(stack)) {
            if (covered.has(ns.name) || (stack.workloadsByNamespace.get(ns.name) ?? []).length === 0) continue;
            if (namespaceExemption(stack, ns) !== undefined) continue;
            reportOnNamespace(
                reportViolation,
                ns,
                `AuthorizationPolicy ${ns.name}/${ALLOW_NOTHING_NAME}`,
                "is missing: without an allow-nothing policy, every workload that no ALLOW policy selects accepts requests from any caller",
                `add an AuthorizationPolicy with spec: {} in ${ns.name} (MeshNamespace/MeshPolicy emit one), or one in the root namespace ${stack.config.rootNamespace} for the whole mesh`,
            );
        }
    },
};
