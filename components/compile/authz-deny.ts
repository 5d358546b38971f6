import { K8sManifest } from "../manifest";
import type { IstioRule, IstioSource } from "../istio/schema/authorization-policy";
import { MeshDenyRule, MeshPolicyConfig, MeshService, MeshServicePort, meshServiceSelector } from "../model/mesh-policy";
import { authorizationPolicy, compareStrings, gatewayPrincipal, servicePrincipal, sortedUnique, workloadPorts } from "./authz-rules";
import { stableName } from "./naming";

/** metadata.name of the namespace-wide DENY policy (cannot collide with `<id>-<suffix>` names). */
export const NAMESPACE_DENY_NAME = "deny-unlisted-callers";

export function denyPolicyName(service: MeshService): string {
    return stableName([service.id, "deny"]);
}

/**
 * Explicit deny rules with Istio's safe pattern: DENY with negative matching on L4 identity only
 * ("deny every caller that is not one of these"). No HTTP attribute is used, so the rule applies
 * to TCP traffic too (a DENY rule with HTTP-only fields would deny all TCP traffic instead).
 * One DENY policy per protected service, one per namespace for namespace-wide rules.
 */
export function compileDenyPolicies(config: MeshPolicyConfig, services: ReadonlyMap<string, MeshService>): K8sManifest[] {
    const byTarget = new Map<string, { namespace: string; service?: MeshService; rules: IstioRule[] }>();
    for (const rule of config.deny) {
        const service = rule.to === undefined ? undefined : (services.get(rule.to) as MeshService);
        const namespace = service?.namespace ?? (rule.toNamespace as string);
        const key = service === undefined ? `ns:${namespace}` : `svc:${service.id}`;
        const entry = byTarget.get(key) ?? { namespace, service, rules: [] };
        entry.rules.push(denyRule(config, rule, service, services));
        byTarget.set(key, entry);
    }
    return [...byTarget.values()].map(({ namespace, service, rules }) => {
        const sorted = sortedUniqueRules(rules);
        if (service === undefined) return authorizationPolicy(config, NAMESPACE_DENY_NAME, namespace, { action: "DENY", rules: sorted });
        return authorizationPolicy(config, denyPolicyName(service), namespace, {
            selector: { matchLabels: meshServiceSelector(service) },
            action: "DENY",
            rules: sorted,
        });
    });
}

export function denyRule(
    config: MeshPolicyConfig,
    rule: MeshDenyRule,
    target: MeshService | undefined,
    services: ReadonlyMap<string, MeshService>,
    portsOf: (ports: readonly MeshServicePort[]) => string[] = workloadPorts,
): IstioRule {
    const namespaces: string[] = [];
    const principals: string[] = [];
    for (const caller of rule.unlessFrom) {
        if (caller.namespace !== undefined) namespaces.push(caller.namespace);
        if (caller.service !== undefined) principals.push(servicePrincipal(config, services.get(caller.service) as MeshService));
        if (caller.ingressGateway !== undefined) principals.push(gatewayPrincipal(config));
    }
    // Fields of one source are ANDed: "namespace not listed AND principal not listed" denies
    // exactly the callers that match none of the exceptions.
    const source: IstioSource = {};
    if (namespaces.length > 0) source.notNamespaces = sortedUnique(namespaces);
    if (principals.length > 0) source.notPrincipals = sortedUnique(principals);
    const result: IstioRule = { from: [{ source }] };
    if (rule.ports !== undefined && target !== undefined) {
        result.to = [{ operation: { ports: portsOf(target.ports.filter((p) => rule.ports?.includes(p.port))) } }];
    }
    return result;
}

export function sortedUniqueRules(rules: IstioRule[]): IstioRule[] {
    const byKey = new Map(rules.map((r) => [JSON.stringify(r), r]));
    return [...byKey.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, r]) => r);
}
