import { StackValidationPolicy } from "@pulumi/policy";
import { ZtunnelAuthorization, ztunnelAuthorization, ZtunnelRule } from "../../components/istio";
import { ambientReach } from "../lib/ambient";
import { configSchema } from "../lib/config";
import { objectExemption, readMeshStack, reportOnObject, specOf } from "../lib/stack";

export const authorizationPolicyZtunnelHttp: StackValidationPolicy = {
    name: "authorization-policy-ztunnel-http",
    description:
        "A selector-based AuthorizationPolicy that reaches ambient workloads is enforced by ztunnel, which sees no HTTP: rules with methods, paths, hosts, requestPrincipals, remoteIpBlocks or L7 conditions are dropped (ALLOW) or lose those parts (DENY), so the policy must not rely on them; L7 rules belong on a waypoint (targetRefs).",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const stack = readMeshStack(args, reportViolation, { workloads: true, istioKinds: ["AuthorizationPolicy"] });
        for (const entry of stack.istio.get("AuthorizationPolicy") ?? []) {
            if (objectExemption(stack, entry.object) !== undefined) continue;
            // The translation istiod and ztunnel apply is read once, by the shared reader.
            const ztunnel = ztunnelAuthorization(specOf(entry), entry.object.annotations);
            const changed = ztunnel.rules.filter((r) => r.fate !== "kept");
            if (!ztunnel.enforced || changed.length === 0) continue;
            const reach = ambientReach(stack, entry, true);
            if (reach === undefined) continue;
            const namespace = entry.object.namespace ?? "default";
            reportOnObject(
                reportViolation,
                entry,
                "spec.rules",
                `ztunnel enforces this ${ztunnel.action} policy (${reach}) but cannot see ${ztunnel.l7.length > 0 ? ztunnel.l7.join(", ") : "trustDomains"}: ${changed.map((r) => ruleFate(ztunnel, r)).join("; ")}; ${outcome(ztunnel)}`,
                `give namespace ${namespace} a waypoint (MeshNamespace waypoint: true) and move the HTTP rules to a policy with targetRefs to the Service or the waypoint Gateway, keeping only principals, namespaces and ports in selector policies (MeshPolicy does both with namespaces.${namespace}.waypoint)`,
            );
        }
    },
};

/** What ztunnel does with one rule (components/istio/ztunnel-authz.ts has the sources). */
function ruleFate(ztunnel: ZtunnelAuthorization, rule: ZtunnelRule): string {
    const at = `rules[${rule.index}]${rule.l7.length > 0 ? ` (${rule.l7.join(", ")})` : ""}`;
    switch (rule.fate) {
        case "dropped":
            return `${at} is dropped and never matches`;
        case "inert":
            return `${at} never matches, so the DENY does not deny what it describes`;
        default: {
            const parts: string[] = [];
            if (rule.broader) parts.push(`is enforced without its HTTP parts, so it ${ztunnel.action === "DENY" ? "denies" : "admits"} every connection the rest matches`);
            if (rule.narrower) parts.push(`loses its HTTP-only entries, so it ${ztunnel.action === "DENY" ? "denies" : "admits"} less than written`);
            return `${at} ${parts.join(" and ")}`;
        }
    }
}

function outcome(ztunnel: ZtunnelAuthorization): string {
    if (ztunnel.action !== "ALLOW") return "the DENY ztunnel enforces is not the one written";
    const live = ztunnel.rules.filter((r) => r.fate !== "dropped").length;
    return live === 0 ? "ztunnel enforces it as allow-nothing for these pods" : "ztunnel admits only what the remaining L4 rules admit";
}
