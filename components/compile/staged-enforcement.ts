import { MANAGED_BY_LABELS, SECURITY_API_VERSION } from "../constants";
import { STAGED_ENFORCEMENT_ANNOTATION, STAGED_ENFORCEMENT_VALUE } from "../istio/staged-enforcement";
import { K8sManifest } from "../manifest";
import { MeshPolicyConfig, MeshService, meshServiceSelector } from "../model/mesh-policy";
import { compareStrings, servicePorts, withDryRun, workloadPorts } from "./authz-rules";
import { waypointAllowName, waypointDenyName } from "./ambient-authz";
import { namespaceDataplane, serviceWaypoint } from "../model/ambient";
import { WAYPOINT_HBONE_PORT } from "../istio/waypoints";
import { allowPolicyName } from "./authz-allow";
import { denyPolicyName } from "./authz-deny";
import { ingressNetworkPolicyName, NAMESPACE_NAME_LABEL, NETWORK_POLICY_API_VERSION, WAYPOINT_INGRESS_NAME, waypointPodLabels } from "./network-policy";
import { stableName } from "./naming";

/**
 * Staged enforcement (`dryRunServices`): the listed destinations are observed, not enforced, and
 * every other workload stays exactly as enforced as without the option.
 *
 * - Their ALLOW and DENY policies get `istio.io/dry-run: "true"`: istiod moves them to the RBAC
 *   filter's `shadow_rules` (pilot/pkg/security/authz/builder/builder.go `build`), which Envoy
 *   evaluates and reports (`shadow_allowed`/`shadow_denied` stats, `shadow_engine_result`
 *   metadata) without acting on them. A destination without callers gets a dry-run allow-nothing
 *   for its workloads, so the shadow decision is the declared graph ("nobody") there too.
 * - The namespace's allow-nothing stays enforced (undeclared workloads of the namespace keep
 *   default deny), and it would deny everything to the destination (istiod makes an ALLOW policy
 *   without rules an enforced never-matching policy). So each listed destination gets an
 *   enforced "staged allow": ALLOW from anyone on its declared workload ports only, annotated
 *   `meshguard.io/staged-enforcement: dry-run` so the pack reports it as not enforced.
 * - NetworkPolicies have no dry-run: the destination's ingress policy admits every pod of the
 *   cluster on its declared ports (not only its declared callers), and with egress on, each
 *   isolated namespace may reach the listed destinations on those ports.
 * Namespace-wide deny rules (`deny[].toNamespace`) are not a destination's policies: they stay
 * enforced, the less permissive choice.
 * A destination behind a waypoint is staged in both layers: its waypoint policies go to dry-run
 * too (the waypoint is an Envoy: shadow rules as above), and an enforced staged allow attached to
 * its Service keeps the waypoint's allow-nothing from denying it. At ztunnel the staged allow
 * admits its ports; istiod sends ztunnel no dry-run policy by default
 * (pilot/pkg/serviceregistry/ambient/authorization.go `convertAuthorizationPolicy`), so only the
 * waypoint observes (an ambient destination without a waypoint is refused: model/ambient.ts).
 */
export function stageEnforcement(config: MeshPolicyConfig, services: ReadonlyMap<string, MeshService>, manifests: readonly K8sManifest[]): K8sManifest[] {
    const ids = config.dryRunServices;
    if (ids === undefined || ids.length === 0) return [...manifests];
    const staged = [...new Set(ids)].map((id) => services.get(id) as MeshService);
    const shadowNames = new Set(
        staged.flatMap((s) => [allowPolicyName(s), denyPolicyName(s), waypointAllowName(s), waypointDenyName(s)].map((name) => key("AuthorizationPolicy", s.namespace, name))),
    );
    const waypointNamespaces = [...new Set(staged.filter((s) => serviceWaypoint(config, s) !== undefined).map((s) => s.namespace))].sort(compareStrings);
    const ingressNames = new Set([
        ...staged.map((s) => key("NetworkPolicy", s.namespace, ingressNetworkPolicyName(s))),
        ...waypointNamespaces.map((ns) => key("NetworkPolicy", ns, WAYPOINT_INGRESS_NAME)),
    ]);
    const out = manifests
        .filter((m) => !ingressNames.has(key(m.kind, m.metadata.namespace, m.metadata.name)))
        .map((m) => (shadowNames.has(key(m.kind, m.metadata.namespace, m.metadata.name)) ? withDryRun(m) : m));
    for (const service of staged) {
        const selector = { matchLabels: { ...meshServiceSelector(service) } };
        if (!manifests.some((m) => key(m.kind, m.metadata.namespace, m.metadata.name) === key("AuthorizationPolicy", service.namespace, allowPolicyName(service)))) {
            out.push(withDryRun(authorizationPolicy(allowPolicyName(service), service.namespace, { selector, action: "ALLOW" })));
        }
        const staging = authorizationPolicy(stagedAllowName(service), service.namespace, {
            selector,
            action: "ALLOW",
            rules: [{ to: [{ operation: { ports: workloadPorts(service.ports) } }] }],
        });
        out.push({ ...staging, metadata: { ...staging.metadata, annotations: { [STAGED_ENFORCEMENT_ANNOTATION]: STAGED_ENFORCEMENT_VALUE } } });
        if (serviceWaypoint(config, service) !== undefined) out.push(...stageAtWaypoint(manifests, service));
        if (config.networkPolicies.ingress) out.push(openIngress(config, service));
    }
    // Undeclared callers of a staged waypoint destination pass its waypoint: its pods admit every pod on HBONE (their L7 policies still decide the other services).
    if (config.networkPolicies.ingress) for (const ns of waypointNamespaces) out.push(openWaypointIngress(config, ns));
    if (config.networkPolicies.egress) out.push(...egressToStaged(config, staged));
    return out;
}

function stageAtWaypoint(manifests: readonly K8sManifest[], service: MeshService): K8sManifest[] {
    const out: K8sManifest[] = [];
    const targetRefs = [{ group: "", kind: "Service", name: service.id }];
    if (!manifests.some((m) => key(m.kind, m.metadata.namespace, m.metadata.name) === key("AuthorizationPolicy", service.namespace, waypointAllowName(service)))) {
        out.push(withDryRun(authorizationPolicy(waypointAllowName(service), service.namespace, { targetRefs, action: "ALLOW" })));
    }
    const staging = authorizationPolicy(stableName([`${service.id}.waypoint-staged-allow`]), service.namespace, {
        targetRefs,
        action: "ALLOW",
        rules: [{ to: [{ operation: { ports: servicePorts(service.ports) } }] }],
    });
    out.push({ ...staging, metadata: { ...staging.metadata, annotations: { [STAGED_ENFORCEMENT_ANNOTATION]: STAGED_ENFORCEMENT_VALUE } } });
    return out;
}

/** metadata.name of the staged allow ("." never occurs in a service id, so no per-service name equals it). */
export function stagedAllowName(service: MeshService): string {
    return stableName([`${service.id}.staged-allow`]);
}

/** metadata.name of the per-namespace egress allowance to the staged destinations. */
export const STAGED_EGRESS_NAME = "allow-egress-to.dry-run-services";

function key(kind: string, namespace: string | undefined, name: string): string {
    return `${kind} ${namespace ?? ""}/${name}`;
}

function authorizationPolicy(name: string, namespace: string, spec: Record<string, unknown>): K8sManifest {
    return { apiVersion: SECURITY_API_VERSION, kind: "AuthorizationPolicy", metadata: { name, namespace, labels: { ...MANAGED_BY_LABELS } }, spec };
}

/** The declared container ports, and HBONE's 15008 when ambient pods may call (network-policy.ts `declaredEdges`). */
function tcpPorts(config: MeshPolicyConfig, service: MeshService): { protocol: "TCP"; port: number }[] {
    const ports = workloadPorts(service.ports).map(Number);
    const ambient = Object.values(config.namespaces).some((n) => n.dataplane === "ambient");
    return [...ports, ...(ambient && !ports.includes(WAYPOINT_HBONE_PORT) ? [WAYPOINT_HBONE_PORT] : [])].map((port) => ({ protocol: "TCP", port }));
}

function openIngress(config: MeshPolicyConfig, service: MeshService): K8sManifest {
    return {
        apiVersion: NETWORK_POLICY_API_VERSION,
        kind: "NetworkPolicy",
        metadata: { name: ingressNetworkPolicyName(service), namespace: service.namespace, labels: { ...MANAGED_BY_LABELS } },
        spec: {
            podSelector: { matchLabels: { ...meshServiceSelector(service) } },
            policyTypes: ["Ingress"],
            // Every pod of every namespace (not off-cluster addresses), on the declared ports only.
            ingress: [{ from: [{ namespaceSelector: {} }], ports: tcpPorts(config, service) }],
        },
    };
}

function openWaypointIngress(config: MeshPolicyConfig, namespace: string): K8sManifest {
    return {
        apiVersion: NETWORK_POLICY_API_VERSION,
        kind: "NetworkPolicy",
        metadata: { name: WAYPOINT_INGRESS_NAME, namespace, labels: { ...MANAGED_BY_LABELS } },
        spec: {
            podSelector: { matchLabels: waypointPodLabels(namespaceDataplane(config, namespace).waypoint as string) },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: WAYPOINT_HBONE_PORT }] }],
        },
    };
}

function egressToStaged(config: MeshPolicyConfig, staged: readonly MeshService[]): K8sManifest[] {
    const namespaces = [...new Set(config.services.map((s) => s.namespace))].sort(compareStrings);
    const egress = [...staged]
        .sort((a, b) => compareStrings(a.id, b.id))
        .flatMap((s) => {
            const waypoint = serviceWaypoint(config, s);
            const inNamespace = { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: s.namespace } } };
            const rule = { to: [{ ...inNamespace, podSelector: { matchLabels: { ...meshServiceSelector(s) } } }], ports: tcpPorts(config, s) };
            if (waypoint === undefined) return [rule];
            return [rule, { to: [{ ...inNamespace, podSelector: { matchLabels: waypointPodLabels(waypoint) } }], ports: [{ protocol: "TCP", port: WAYPOINT_HBONE_PORT }] }];
        });
    return namespaces.map((namespace) => ({
        apiVersion: NETWORK_POLICY_API_VERSION,
        kind: "NetworkPolicy",
        metadata: { name: STAGED_EGRESS_NAME, namespace, labels: { ...MANAGED_BY_LABELS } },
        spec: { podSelector: {}, policyTypes: ["Egress"], egress },
    }));
}
