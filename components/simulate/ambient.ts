import { attachingRef, compileAuthorizationSpec, Waypoint, ztunnelAuthorization } from "../istio";
import { DestinationPolicies, splitByAction } from "./destination";
import { IndexedAuthorizationPolicy, PolicyInventory } from "./inventory";

/**
 * The two ambient enforcement points of a destination (Istio 1.30.3):
 * - its waypoint takes the policies attached to it by targetRefs (the waypoint Gateway, the
 *   Service of the request, or the istio-waypoint GatewayClass from the root namespace), with the
 *   full HTTP request and the caller's identity (pilot/pkg/model/policyattachment.go);
 * - its node's ztunnel takes the selector-based policies of the workload, as istiod converts them
 *   (components/istio/ztunnel-authz.ts): L4 only, no RequestAuthentication, no CUSTOM/AUDIT,
 *   no dry-run; PeerAuthentication DISABLE counts as PERMISSIVE (authorization.go
 *   convertedSelectorPeerAuthentications only tells STRICT from not STRICT).
 */

/** The selector-based policies of a destination as its ztunnel enforces them, and what ztunnel leaves out. */
export function ztunnelPolicies(selected: DestinationPolicies): { readonly policies: DestinationPolicies; readonly notes: readonly string[] } {
    const notes: string[] = [];
    const allow: IndexedAuthorizationPolicy[] = [];
    const deny: IndexedAuthorizationPolicy[] = [];
    for (const p of [...selected.custom, ...selected.deny, ...selected.audit, ...selected.allow, ...selected.dryRun]) {
        const subject = `AuthorizationPolicy "${p.namespace}/${p.name}"`;
        const z = ztunnelAuthorization(p.source.spec, p.source.annotations);
        if (!z.enforced) {
            notes.push(`ztunnel ignores ${p.spec.action} ${p.namespace}/${p.name}: ${z.ignoredBecause}.`);
            continue;
        }
        for (const rule of z.rules) {
            if (rule.fate === "kept") continue;
            const why = rule.l7.length > 0 ? `ztunnel sees no HTTP (${rule.l7.join(", ")})` : "ztunnel does not read trustDomains";
            const what =
                rule.fate === "dropped" || rule.fate === "inert"
                    ? "never matches at ztunnel"
                    : `is enforced without those attributes${rule.broader ? ", matching more" : ""}${rule.narrower ? ", matching less" : ""}`;
            notes.push(`${z.action} ${p.namespace}/${p.name} rule ${rule.index} ${what}: ${why}.`);
        }
        const spec = compileAuthorizationSpec(z.spec, subject, p.namespace);
        (z.action === "DENY" ? deny : allow).push({ ...p, spec });
    }
    const peer = selected.peer;
    return {
        policies: { custom: [], deny, allow, audit: [], dryRun: [], requestAuthentications: [], peer, warnings: selected.warnings },
        notes,
    };
}

/** The policies a waypoint applies to one service's traffic (targetRefs only; waypoints ignore selectors). */
export function waypointPolicies(inventory: PolicyInventory, waypoint: Waypoint, service: { namespace: string; name: string }, rootNamespace: string): DestinationPolicies {
    const at = { waypoint: { namespace: waypoint.namespace, name: waypoint.name }, service: { ...service, registry: "Kubernetes" as const }, rootNamespace };
    const authz = inventory.targetedAuthorization.filter((t) => attachingRef(t.policy.namespace, t.targets, at) !== undefined).map((t) => t.policy);
    return {
        ...splitByAction(authz),
        requestAuthentications: inventory.targetedRequest.filter((t) => attachingRef(t.policy.namespace, t.targets, at) !== undefined).map((t) => t.policy),
        peer: {},
    };
}
