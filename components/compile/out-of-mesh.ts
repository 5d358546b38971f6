import { MANAGED_BY_LABELS, SECURITY_API_VERSION } from "../constants";
import { K8sManifest } from "../manifest";
import { MeshPolicyConfig, MeshRelationship, MeshService, meshServiceSelector } from "../model/mesh-policy";
import { isOutOfMeshRelationship } from "../model/out-of-mesh";
import { authorizationPolicy, workloadPorts } from "./authz-rules";
import { stableName } from "./naming";

/**
 * Callers outside the mesh (`from: { outOfMesh }`): pods without a sidecar that call a service in
 * plaintext. Per callee, two Istio objects; the third part, the NetworkPolicy that admits exactly
 * those pods to those ports, is the callee's ingress NetworkPolicy (network-policy.ts reads the
 * same relationships). Nothing else changes: the other ports of the callee stay STRICT and its
 * mesh callers keep their rules in the callee's ALLOW policy.
 *
 *  - A workload-scoped PeerAuthentication (selector = the callee's) with `mtls: STRICT` and
 *    `portLevelMtls` PERMISSIVE for exactly the callers' container ports. Istio composes the
 *    effective mode from the narrowest scope: a workload-level policy overrides the namespace-wide
 *    STRICT one, and a port-level entry overrides the workload's mode for that port only
 *    (istio pilot/pkg/security/authn/policy_applier.go `ComposePeerAuthentication`). The keys are
 *    container ports: the inbound filter chain asks `GetMutualTLSModeForPort(endpointPort)`, the
 *    port of the endpoint (pod), not of the Service (same file, `InboundMTLSSettings`).
 *    With `mtls: inherit` the workload mode is left unset, so it inherits as every other workload.
 *  - An ALLOW AuthorizationPolicy whose one rule admits `notPrincipals: ["*"]` on exactly those
 *    ports. A plaintext caller has no principal to name; `principals: ["*"]` is Istio's "any
 *    authenticated peer" (pilot/pkg/security/authz/matcher/string.go `StringMatcherWithPrefix`:
 *    `*` → regex `.+` on the mTLS principal, which a plaintext connection never has), so its
 *    negation admits only connections without an mTLS identity: a mesh workload (which always
 *    sends mTLS to a PERMISSIVE port) gets nothing from this rule.
 */

/** metadata.name of the PeerAuthentication that makes a callee's out-of-mesh ports PERMISSIVE. */
export function plaintextPortsPeerAuthenticationName(service: MeshService): string {
    return stableName([service.id, "plaintext-ports"]);
}

/** metadata.name of the ALLOW policy admitting plaintext callers to a callee's out-of-mesh ports. */
export function plaintextAllowPolicyName(service: MeshService): string {
    return stableName([service.id, "allow-plaintext"]);
}

/** The relationships from callers inside the mesh (what the AuthorizationPolicy compilers read). */
export function meshRelationships(config: MeshPolicyConfig): MeshRelationship[] {
    return config.allow.filter((rel) => !isOutOfMeshRelationship(rel));
}

/** Container ports of `service` that out-of-mesh callers reach, per callee id (input order). */
export function outOfMeshPorts(config: MeshPolicyConfig, services: ReadonlyMap<string, MeshService>): Map<string, string[]> {
    const byCallee = new Map<string, Set<number>>();
    for (const rel of config.allow) {
        if (!isOutOfMeshRelationship(rel)) continue;
        const callee = services.get(rel.to) as MeshService;
        const ports = byCallee.get(callee.id) ?? new Set<number>();
        for (const p of callee.ports) if (rel.ports?.includes(p.port)) ports.add(p.targetPort ?? p.port);
        byCallee.set(callee.id, ports);
    }
    return new Map([...byCallee.entries()].map(([id, ports]) => [id, workloadPorts([...ports].map((port) => ({ port, protocol: "tcp" as const })))]));
}

export function compileOutOfMeshPolicies(config: MeshPolicyConfig, services: ReadonlyMap<string, MeshService>): K8sManifest[] {
    const manifests: K8sManifest[] = [];
    for (const [id, ports] of outOfMeshPorts(config, services)) {
        const service = services.get(id) as MeshService;
        manifests.push(plaintextPortsPeerAuthentication(config, service, ports));
        manifests.push(
            authorizationPolicy(config, plaintextAllowPolicyName(service), service.namespace, {
                selector: { matchLabels: { ...meshServiceSelector(service) } },
                action: "ALLOW",
                rules: [{ from: [{ source: { notPrincipals: ["*"] } }], to: [{ operation: { ports } }] }],
            }),
        );
    }
    return manifests;
}

function plaintextPortsPeerAuthentication(config: MeshPolicyConfig, service: MeshService, ports: readonly string[]): K8sManifest {
    const spec: Record<string, unknown> = { selector: { matchLabels: { ...meshServiceSelector(service) } } };
    if (config.mtls === "STRICT") spec["mtls"] = { mode: "STRICT" };
    spec["portLevelMtls"] = Object.fromEntries(ports.map((port) => [port, { mode: "PERMISSIVE" }]));
    return {
        apiVersion: SECURITY_API_VERSION,
        kind: "PeerAuthentication",
        metadata: { name: plaintextPortsPeerAuthenticationName(service), namespace: service.namespace, labels: { ...MANAGED_BY_LABELS } },
        spec,
    };
}
