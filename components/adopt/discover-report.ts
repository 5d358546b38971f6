import { MeshPolicyInput } from "../model";
import { Discovery } from "./discover";
import { DroppedTraffic, DropReason } from "./observed-edges";

/** Headings of the report, one per reason, in the order they are printed. */
const REASON_TITLES: Readonly<Record<DropReason, string>> = {
    "plaintext-caller": "plaintext callers (source_principal=\"unknown\")",
    "caller-outside-mesh": "callers outside the mesh",
    "callee-without-identity": "callees without a service account (destination_principal=\"unknown\")",
    "callee-outside-mesh": "callees outside the mesh",
    "reporters-disagree": "reporter=\"source\" and reporter=\"destination\" disagree",
    "several-identities": "several identities for one caller and callee",
    "port-unknown": "port unknown (no destination_port)",
    "protocol-unknown": "unknown protocol",
    "protocol-conflict": "port seen as both TCP and HTTP",
    "principal-unreadable": "unreadable principals",
    "principal-namespace-mismatch": "principals that do not match the workloads",
    "foreign-trust-domain": "another trust domain",
    "invalid-name": "names a MeshPolicy cannot declare",
    "caller-not-a-service": "callers never seen as callees (ports unknown)",
    "port-not-declared": "ports not declared by the existing service",
    "restricted-by-existing": "allowed only partly by the existing input",
    "error-only": "only errors",
};

function amount(count: number, protocol: string): string {
    const unit = protocol === "tcp" ? "connection" : "request";
    return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

function traffic(d: DroppedTraffic): string {
    const port = d.port === undefined ? "port unknown" : `:${d.port}`;
    return `${d.from} → ${d.to} ${port} ${d.protocol}, ${amount(d.count, d.protocol)}`;
}

function section(title: string, entries: readonly DroppedTraffic[]): string[] {
    const lines: string[] = [];
    for (const reason of Object.keys(REASON_TITLES) as DropReason[]) {
        const group = entries.filter((d) => d.reason === reason);
        if (group.length === 0) continue;
        lines.push(`  ${REASON_TITLES[reason]}:`);
        for (const d of group) lines.push(`    - ${traffic(d)}: ${d.detail}`);
    }
    return lines.length === 0 ? [] : [`${title} (${entries.length}):`, ...lines];
}

/** The human report of a discovery (stderr of `meshguard discover`). */
export function formatDiscoveryReport(d: Discovery, merged?: string): string {
    const services = d.addedServices.length;
    const rels = d.added.length;
    const counts = `${services} service${services === 1 ? "" : "s"}, ${rels} relationship${rels === 1 ? "" : "s"}`;
    const lines = [
        `meshguard discover: ${d.series} series${d.idle > 0 ? ` (${d.idle} without traffic, ignored)` : ""} → ${merged === undefined ? counts : `${counts} added to ${merged}`}`,
    ];
    if (d.added.length > 0) {
        lines.push(merged === undefined ? "Relationships:" : "New relationships:");
        for (const a of d.added) {
            const from = a.relationship.from.ingressGateway ? "ingress gateway" : a.relationship.from.service;
            lines.push(`  + ${from} → ${a.relationship.to} :${a.relationship.ports?.join(",")} ${a.protocol}, ${amount(a.count, a.protocol)} (${a.observed.join(", ")})`);
        }
    }
    if (d.alreadyAllowed.length > 0) {
        lines.push(`Already allowed by ${merged}:`);
        for (const a of d.alreadyAllowed) lines.push(`  = allow[${a.index}]: ${a.from} → ${a.to} :${a.port}`);
    }
    if (d.notes.length > 0) lines.push("Check before use:", ...d.notes.map((n) => `  - ${n}`));
    lines.push(...section("Not turned into relationships", d.dropped));
    lines.push(...section("Not allowed by default, review them", d.errorOnly));
    if (d.dropped.length === 0 && d.errorOnly.length === 0) lines.push("Every observed call became a relationship.");
    return `${lines.join("\n")}\n`;
}

/** The discovered input as a TypeScript module a Pulumi program can import. */
export function meshPolicyModule(input: MeshPolicyInput): string {
    return [
        "// Discovered by `meshguard discover` from observed Istio traffic. Review it before use: see",
        "// the report printed with it and docs/adoption.md.",
        'import type { MeshPolicyInput } from "meshguard";',
        "",
        `export const discovered: MeshPolicyInput = ${JSON.stringify(input, null, 4)};`,
        "",
        "export default discovered;",
        "",
    ].join("\n");
}
