import { DRY_RUN_ANNOTATION, MANAGED_BY_LABELS, SECURITY_API_VERSION } from "../constants";
import { K8sManifest } from "../manifest";
import type { IstioCondition, IstioOperation, IstioRule, IstioSource } from "../istio/schema/spec-types";
import type { MeshPolicyConfig, MeshService, MeshServicePort } from "../model/mesh-policy";

/** `<trust-domain>/ns/<namespace>/sa/<account>`: Istio's principal form (never `spiffe://`). */
export function principalOf(trustDomain: string, namespace: string, serviceAccount: string): string {
    return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

export function servicePrincipal(config: MeshPolicyConfig, service: MeshService): string {
    return principalOf(config.trustDomain, service.namespace, service.serviceAccount);
}

export function gatewayPrincipal(config: MeshPolicyConfig): string {
    return principalOf(config.trustDomain, config.ingressGateway.namespace, config.ingressGateway.serviceAccount);
}

/** AuthorizationPolicy `ports` match the workload (container) port, not the Service port. */
export function workloadPorts(ports: readonly MeshServicePort[]): string[] {
    return [...new Set(ports.map((p) => p.targetPort ?? p.port))].sort((a, b) => a - b).map(String);
}

/**
 * A waypoint matches `ports` against the Service port the request was sent to: its inbound
 * chains are keyed by Service port (pilot/pkg/networking/core/listener_waypoint.go: `portMapper`
 * over `svc.Ports`, `TargetPort: uint32(port.Port)`), unlike a sidecar or ztunnel, which see the
 * pod's port.
 */
export function servicePorts(ports: readonly MeshServicePort[]): string[] {
    return [...new Set(ports.map((p) => p.port))].sort((a, b) => a - b).map(String);
}

export function sortedUnique(values: Iterable<string>): string[] {
    return [...new Set(values)].sort(compareStrings);
}

export function compareStrings(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** Who a rule admits: one source field of an ALLOW rule and its values (ORed). */
export type CallerField = "namespaces" | "principals" | "requestPrincipals";

/** One rule before merging: a single kind of caller, one operation and its conditions. */
export interface RuleDraft {
    field: CallerField;
    values: readonly string[];
    operation: IstioOperation;
    when?: IstioCondition[];
}

/**
 * Merges drafts with the same operation and conditions into one rule whose `from` lists every
 * caller (values in a list are ORed, and so are `from` entries, so the union is exact). The
 * output is sorted: the same graph always yields the same rules in the same order.
 */
export function mergeRules(drafts: readonly RuleDraft[]): IstioRule[] {
    const groups = new Map<string, { draft: RuleDraft; callers: Map<CallerField, Set<string>> }>();
    for (const draft of drafts) {
        const key = JSON.stringify([draft.operation, draft.when ?? null]);
        let group = groups.get(key);
        if (group === undefined) {
            group = { draft, callers: new Map() };
            groups.set(key, group);
        }
        const values = group.callers.get(draft.field) ?? new Set<string>();
        draft.values.forEach((v) => values.add(v));
        group.callers.set(draft.field, values);
    }
    return [...groups.entries()]
        .sort(([a], [b]) => compareStrings(a, b))
        .map(([, { draft, callers }]) => {
            const from = [...callers.entries()]
                .sort(([a], [b]) => compareStrings(a, b))
                .map(([field, values]): { source: IstioSource } => ({ source: { [field]: sortedUnique(values) } }));
            const rule: IstioRule = { from, to: [{ operation: draft.operation }] };
            if (draft.when !== undefined) rule.when = draft.when;
            return rule;
        });
}

/** An AuthorizationPolicy manifest with meshguard's labels and, when asked, the dry-run annotation. */
export function authorizationPolicy(
    config: MeshPolicyConfig,
    name: string,
    namespace: string,
    spec: Record<string, unknown>,
): K8sManifest {
    const manifest: K8sManifest = {
        apiVersion: SECURITY_API_VERSION,
        kind: "AuthorizationPolicy",
        metadata: { name, namespace, labels: { ...MANAGED_BY_LABELS } },
        spec,
    };
    return config.dryRun ? withDryRun(manifest) : manifest;
}

/** `istio.io/dry-run: "true"`: istiod evaluates the policy and logs the result without enforcing it. */
export function withDryRun(manifest: K8sManifest): K8sManifest {
    return { ...manifest, metadata: { ...manifest.metadata, annotations: { ...manifest.metadata.annotations, [DRY_RUN_ANNOTATION]: "true" } } };
}
