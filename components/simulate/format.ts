import type { ExternalDecision } from "./external";
import { Decision, EnforcementPoint, PolicyRef } from "./types";

function policyText(p: PolicyRef): string {
    const action = p.action === undefined ? "" : `${p.action} `;
    const rule = p.rule === undefined ? "" : ` rule ${p.rule}`;
    return `${action}${p.kind} ${p.namespace}/${p.name}${rule}`;
}

/** `waypoint shop/waypoint, seeing cluster.local/ns/shop/sa/web` (ambient destinations). */
function pointText(p: EnforcementPoint): string {
    return `${p.name}, seeing ${p.identity ?? "no identity (plaintext)"}`;
}

/** A multi-line explanation of a decision: verdict, reason, deciding policy, trace, dry-run, warnings. */
export function formatDecision(d: Decision): string {
    const lines = [`${d.verdict.toUpperCase()}: ${d.reason}`];
    if (d.policy !== undefined) lines.push(`decided by: ${policyText(d.policy)}`);
    if (d.enforcedBy !== undefined) lines.push(`enforced by: ${pointText(d.enforcedBy)}`);
    if (d.hops !== undefined && d.hops.length > 1) lines.push(`path: ${d.hops.map((h) => `${h.name} ${h.verdict}`).join(" → ")}`);
    lines.push(`layer: ${d.layer === "network-policy" ? "Kubernetes NetworkPolicy (L3/L4)" : "Istio"}`);
    if (d.network !== undefined && d.layer === "istio") lines.push(`NetworkPolicy: ${d.network.reason}`);
    lines.push(`mTLS: ${d.mtls.mode}, connection ${d.mtls.used ? "mTLS" : "plaintext"}${d.peerPrincipal === undefined ? "" : `, peer ${d.peerPrincipal}`}`);
    if (d.requestPrincipal !== undefined) lines.push(`request principal: ${d.requestPrincipal}`);
    if (d.trace.length > 0) lines.push("trace:", ...d.trace.map((t) => `  - ${t}`));
    for (const dry of d.dryRun) lines.push(`dry-run (not enforced): ${policyText(dry.policy)} ${dry.matched === "match" ? "would match" : dry.matched === "unknown" ? "might match" : "does not match"}`);
    for (const w of d.warnings) lines.push(`warning: ${w}`);
    return lines.join("\n");
}

const EXTERNAL_LAYER: Record<ExternalDecision["layer"], string> = {
    "network-policy": "Kubernetes NetworkPolicy (L3/L4, egress)",
    "outbound-traffic-policy": "Istio sidecar (meshConfig.outboundTrafficPolicy)",
    "none": "none (nothing restricts this egress)",
};

/** A multi-line explanation of a request to an off-cluster destination: verdict, reason, layer, trace. */
export function formatExternalDecision(d: ExternalDecision): string {
    const lines = [`${d.verdict.toUpperCase()}: ${d.reason}`];
    if (d.policy !== undefined) lines.push(`decided by: ${policyText(d.policy)}`);
    lines.push(`layer: ${EXTERNAL_LAYER[d.layer]}`);
    if (d.network !== undefined && d.layer !== "network-policy") lines.push(`NetworkPolicy: ${d.network.reason}`);
    if (d.trace.length > 0) lines.push("trace:", ...d.trace.map((t) => `  - ${t}`));
    return lines.join("\n");
}
