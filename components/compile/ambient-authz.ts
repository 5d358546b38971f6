import { ALLOW_NOTHING_NAME, MANAGED_BY_LABELS, SECURITY_API_VERSION } from "../constants";
import { GATEWAY_API_GROUP } from "../istio/target-refs";
import { K8sManifest } from "../manifest";
import type { IstioRule, IstioSource } from "../istio/schema/authorization-policy";
import { namespaceDataplane, passesWaypoint, serviceWaypoint } from "../model/ambient";
import { MeshDenyRule, MeshPolicyConfig, MeshRelationship, MeshService, meshServiceSelector } from "../model/mesh-policy";
import { allowPolicyName, callerOf, operationsOf } from "./authz-allow";
import { denyPolicyName, denyRule, NAMESPACE_DENY_NAME, sortedUniqueRules } from "./authz-deny";
import { authorizationPolicy, compareStrings, mergeRules, principalOf, RuleDraft, servicePorts, workloadPorts } from "./authz-rules";
import { jwtRulesOf } from "./jwt";
import { stableName } from "./naming";

/**
 * Destinations in an ambient namespace with a waypoint W (docs/mesh-policy.md, "Ambient namespaces").
 * Two proxies decide, so each destination gets a policy for each:
 *
 *  - At W, attached with `targetRefs` to the destination's Service (waypoints apply only policies
 *    attached to them or their Services, never selector policies: pilot/pkg/model/policyattachment.go):
 *    `<id>.waypoint-allow` with every relationship, L4 and L7, on Service ports; `<id>.waypoint-jwt`
 *    (RequestAuthentication) and `<id>.waypoint-deny` likewise. Per namespace, `allow-nothing.waypoint`
 *    attached to the Gateway W denies what no Service policy allows, and a namespace-wide deny rule
 *    becomes `deny-unlisted-callers.waypoint` on W.
 *  - At the destination's ztunnel, the selector policies keep their sidecar-mode names
 *    (`<id>-allow`, `<id>-deny`): a request that passed W arrives with W's identity (its service
 *    account is the Gateway's name: pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go and
 *    the istio-waypoint class's DisableNameSuffix), so `<id>-allow` admits W's principal on the
 *    container ports of those relationships, plus the callers that never pass W with their own
 *    identity (sidecar callers, and the ingress gateway unless the namespace sets
 *    ingressUseWaypoint; their relationships are L4 only, see model/ambient.ts). Deny rules exempt W
 *    at ztunnel: W already applied them with the caller's identity.
 * A request sent to a pod IP skips W and reaches ztunnel with the caller's own identity, which
 * `<id>-allow` does not admit for callers that pass W: denied (fail closed).
 * At W, the policies attached to the Gateway and those attached to the request's Service are one
 * list per Service chain (pilot/pkg/networking/plugin/authz/authorization.go `NewBuilderForService`,
 * pilot/pkg/model/policyattachment.go `ShouldAttachPolicy`), so ALLOW policies of both are ORed and
 * `allow-nothing.waypoint` denies only what no `<id>.waypoint-allow` admits. W's pods are
 * labelled `istio.io/dataplane-mode: none` (manifests/charts/istio-control/istio-discovery/files/
 * waypoint.yaml): ztunnel does not capture them. Selector policies never reach W unless ENABLE_LAYERED_WAYPOINT_AUTHORIZATION_POLICIES is on (default off,
 * pilot/pkg/features/ambient.go); with it on, the namespace's allow-nothing would select W's own
 * pods and deny everything through W (fail closed).
 */

/** metadata.name of a destination's waypoint ALLOW policy ("." never occurs in a service id). */
export function waypointAllowName(service: MeshService): string {
    return stableName([`${service.id}.waypoint-allow`]);
}
export function waypointDenyName(service: MeshService): string {
    return stableName([`${service.id}.waypoint-deny`]);
}
export function waypointJwtName(service: MeshService): string {
    return stableName([`${service.id}.waypoint-jwt`]);
}
export const WAYPOINT_ALLOW_NOTHING_NAME = `${ALLOW_NOTHING_NAME}.waypoint`;
export const WAYPOINT_NAMESPACE_DENY_NAME = `${NAMESPACE_DENY_NAME}.waypoint`;

/** The principal of a namespace's waypoint. */
export function waypointPrincipal(config: MeshPolicyConfig, namespace: string, waypoint: string): string {
    return principalOf(config.trustDomain, namespace, waypoint);
}

/** True for the relationships whose destination is enforced by a waypoint (compiled here, not by authz-allow). */
export function toWaypointDestination(config: MeshPolicyConfig, services: ReadonlyMap<string, MeshService>): (rel: { to?: string; toNamespace?: string }) => boolean {
    return (rel) => {
        if (rel.to !== undefined) return serviceWaypoint(config, services.get(rel.to) as MeshService) !== undefined;
        const mode = namespaceDataplane(config, rel.toNamespace as string);
        return mode.dataplane === "ambient" && mode.waypoint !== undefined;
    };
}

const serviceRef = (service: MeshService) => ({ group: "", kind: "Service", name: service.id });
const gatewayRef = (waypoint: string) => ({ group: GATEWAY_API_GROUP, kind: "Gateway", name: waypoint });

/** Every object of the waypoint layer and the ztunnel layer of waypoint destinations; `meshCallers.allow` holds mesh relationships only. */
export function compileWaypointPolicies(config: MeshPolicyConfig, meshCallers: MeshPolicyConfig, services: ReadonlyMap<string, MeshService>): K8sManifest[] {
    const manifests: K8sManifest[] = [];
    const toWaypoint = toWaypointDestination(config, services);
    const waypointNamespaces = [...new Set(config.services.map((s) => s.namespace))].filter((ns) => toWaypoint({ toNamespace: ns })).sort(compareStrings);
    if (config.defaultDeny) {
        for (const ns of waypointNamespaces) {
            manifests.push(authorizationPolicy(config, WAYPOINT_ALLOW_NOTHING_NAME, ns, { targetRefs: [gatewayRef(namespaceDataplane(config, ns).waypoint as string)] }));
        }
    }
    const byTarget = new Map<string, MeshRelationship[]>();
    for (const rel of meshCallers.allow.filter(toWaypoint)) byTarget.set(rel.to, [...(byTarget.get(rel.to) ?? []), rel]);
    for (const [id, rels] of byTarget) manifests.push(...destinationPolicies(config, services.get(id) as MeshService, rels, services));
    manifests.push(...denyPolicies(config, services, config.deny.filter(toWaypoint)));
    return manifests;
}

function destinationPolicies(config: MeshPolicyConfig, service: MeshService, rels: readonly MeshRelationship[], services: ReadonlyMap<string, MeshService>): K8sManifest[] {
    const waypoint = serviceWaypoint(config, service) as string;
    const atWaypoint: RuleDraft[] = [];
    const atZtunnel: RuleDraft[] = [];
    const viaWaypointPorts = new Set<string>();
    for (const rel of rels) {
        const caller = callerOf(config, rel.from, services);
        for (const operation of operationsOf(rel, service, servicePorts)) atWaypoint.push({ ...caller, operation });
        const direct = operationsOf(rel, service, workloadPorts);
        if (passesWaypoint(config, rel.from, service, services)) {
            direct.forEach((op) => op.ports?.forEach((p) => viaWaypointPorts.add(p)));
        } else {
            // Never an HTTP field here (model/ambient.ts rejects them): ports only, what ztunnel checks.
            for (const operation of direct) atZtunnel.push({ ...caller, operation });
        }
    }
    if (viaWaypointPorts.size > 0) {
        const ports = [...viaWaypointPorts].sort((a, b) => Number(a) - Number(b));
        atZtunnel.push({ field: "principals", values: [waypointPrincipal(config, service.namespace, waypoint)], operation: { ports } });
    }
    const manifests = [
        authorizationPolicy(config, waypointAllowName(service), service.namespace, { targetRefs: [serviceRef(service)], action: "ALLOW", rules: mergeRules(atWaypoint) }),
        authorizationPolicy(config, allowPolicyName(service), service.namespace, { selector: { matchLabels: meshServiceSelector(service) }, action: "ALLOW", rules: mergeRules(atZtunnel) }),
    ];
    const jwtRules = jwtRulesOf(rels);
    if (jwtRules.length > 0) {
        manifests.push({
            apiVersion: SECURITY_API_VERSION,
            kind: "RequestAuthentication",
            metadata: { name: waypointJwtName(service), namespace: service.namespace, labels: { ...MANAGED_BY_LABELS } },
            spec: { targetRefs: [serviceRef(service)], jwtRules },
        });
    }
    return manifests;
}

/** Deny rules to waypoint destinations: the same rule at the waypoint (Service ports) and at ztunnel (container ports, W exempted). */
function denyPolicies(config: MeshPolicyConfig, services: ReadonlyMap<string, MeshService>, rules: readonly MeshDenyRule[]): K8sManifest[] {
    const byTarget = new Map<string, { namespace: string; service?: MeshService; waypoint: IstioRule[]; ztunnel: IstioRule[] }>();
    for (const rule of rules) {
        const service = rule.to === undefined ? undefined : (services.get(rule.to) as MeshService);
        const namespace = service?.namespace ?? (rule.toNamespace as string);
        const key = service === undefined ? `ns:${namespace}` : `svc:${service.id}`;
        const entry = byTarget.get(key) ?? { namespace, service, waypoint: [], ztunnel: [] };
        entry.waypoint.push(denyRule(config, rule, service, services, servicePorts));
        entry.ztunnel.push(exemptWaypoint(denyRule(config, rule, service, services, workloadPorts), waypointPrincipal(config, namespace, namespaceDataplane(config, namespace).waypoint as string)));
        byTarget.set(key, entry);
    }
    return [...byTarget.values()].flatMap(({ namespace, service, waypoint, ztunnel }) => {
        const gateway = namespaceDataplane(config, namespace).waypoint as string;
        if (service === undefined) {
            return [
                authorizationPolicy(config, WAYPOINT_NAMESPACE_DENY_NAME, namespace, { targetRefs: [gatewayRef(gateway)], action: "DENY", rules: sortedUniqueRules(waypoint) }),
                authorizationPolicy(config, NAMESPACE_DENY_NAME, namespace, { action: "DENY", rules: sortedUniqueRules(ztunnel) }),
            ];
        }
        return [
            authorizationPolicy(config, waypointDenyName(service), namespace, { targetRefs: [serviceRef(service)], action: "DENY", rules: sortedUniqueRules(waypoint) }),
            authorizationPolicy(config, denyPolicyName(service), namespace, { selector: { matchLabels: meshServiceSelector(service) }, action: "DENY", rules: sortedUniqueRules(ztunnel) }),
        ];
    });
}

/** Fields of a source are ANDed: adding W to notPrincipals keeps the rule from matching W. */
function exemptWaypoint(rule: IstioRule, principal: string): IstioRule {
    const from = (rule.from ?? []).map(({ source }) => {
        const out: IstioSource = { ...source, notPrincipals: [...new Set([...(source?.notPrincipals ?? []), principal])].sort(compareStrings) };
        return { source: out };
    });
    return { ...rule, from };
}
