import { MeshDiff, MtlsChange, ObjectRef, ReachabilityChange, weakensMtls } from "./mesh-diff";

/** Whether the change lets more through: a call newly allowed (or undecided), or mTLS weakened. */
export function isWidening(diff: MeshDiff): boolean {
    return diff.allowed.length > 0 || diff.mtls.some(weakensMtls);
}

export function isEmptyDiff(diff: MeshDiff): boolean {
    const { added, removed, changed } = diff.objects;
    return diff.allowed.length + diff.denied.length + diff.mtls.length + added.length + removed.length + changed.length === 0;
}

function requests(c: ReachabilityChange): string {
    const http = c.protocol === "http" ? ` ${c.methods?.join(", ")} on ${c.paths?.join(", ")}` : "";
    return `${c.protocol}${http}${c.undecided ? " (undecided offline)" : ""}`;
}

const objectName = (o: ObjectRef) => `${o.kind} ${o.namespace}/${o.name} (${o.apiVersion})`;
const mtlsLine = (m: MtlsChange) => `${m.workload} :${m.port} ${m.before} → ${m.after}${weakensMtls(m) ? " (weaker: plaintext accepted)" : ""}`;

function verdictLine(diff: MeshDiff, allowWidening: boolean): string {
    if (!isWidening(diff)) return isEmptyDiff(diff) ? "No change in who may call whom, mTLS or objects." : "No widening: nothing newly allowed, no mTLS weakened.";
    const parts = [diff.allowed.length > 0 ? `${diff.allowed.length} newly allowed` : "", diff.mtls.some(weakensMtls) ? `${diff.mtls.filter(weakensMtls).length} mTLS weakened` : ""].filter((p) => p !== "");
    return `WIDENING: ${parts.join(", ")}${allowWidening ? " (accepted with --allow-widening)" : " (exit 1; --allow-widening accepts it)"}.`;
}

/** Plain text for a terminal or a CI log. */
export function formatDiffText(diff: MeshDiff, before: string, after: string, allowWidening = false): string {
    const lines = [`meshguard diff: ${before} → ${after}, ${diff.workloads.length} workloads compared`];
    const list = (title: string, entries: readonly string[]) => {
        if (entries.length > 0) lines.push(`${title} (${entries.length}):`, ...entries.map((e) => `  ${e}`));
    };
    list("Newly allowed", diff.allowed.map((c) => `+ ${c.from} → ${c.to} :${c.port} ${requests(c)}`));
    list("Newly denied", diff.denied.map((c) => `- ${c.from} → ${c.to} :${c.port} ${requests(c)}`));
    list("mTLS changes", diff.mtls.map(mtlsLine));
    list("Objects", [
        ...diff.objects.added.map((o) => `+ ${objectName(o)}`),
        ...diff.objects.removed.map((o) => `- ${objectName(o)}`),
        ...diff.objects.changed.map((o) => `~ ${objectName(o)}`),
    ]);
    lines.push(verdictLine(diff, allowWidening));
    return `${lines.join("\n")}\n`;
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const cell = (text: string) => text.replace(/\|/g, "\\|");

/** Markdown for a pull-request comment. */
export function formatDiffMarkdown(diff: MeshDiff, before: string, after: string, allowWidening = false): string {
    const lines = ["### meshguard diff", "", `${code(before)} → ${code(after)}, ${diff.workloads.length} workloads compared.`, "", `**${verdictLine(diff, allowWidening)}**`];
    const calls = [...diff.allowed.map((c) => ["newly allowed", c] as const), ...diff.denied.map((c) => ["newly denied", c] as const)];
    if (calls.length > 0) {
        lines.push("", "| Change | From | To | Port | Requests |", "| --- | --- | --- | --- | --- |");
        for (const [change, c] of calls) {
            const reqs = c.protocol === "http" ? `${c.methods?.join(", ")} on ${c.paths?.map(code).join(", ")}` : "any connection";
            lines.push(`| ${change} | ${code(c.from)} | ${code(c.to)} | ${c.port}/${c.protocol} | ${cell(reqs)}${c.undecided ? " (undecided offline)" : ""} |`);
        }
    }
    if (diff.mtls.length > 0) {
        lines.push("", "| Workload | Port | mTLS before | mTLS after |", "| --- | --- | --- | --- |");
        for (const m of diff.mtls) lines.push(`| ${code(m.workload)} | ${m.port} | ${m.before} | ${m.after}${weakensMtls(m) ? " (weaker)" : ""} |`);
    }
    const { added, removed, changed } = diff.objects;
    if (added.length + removed.length + changed.length > 0) {
        lines.push("", "Objects:", ...added.map((o) => `- added ${code(objectName(o))}`), ...removed.map((o) => `- removed ${code(objectName(o))}`), ...changed.map((o) => `- changed ${code(objectName(o))}`));
    }
    return `${lines.join("\n")}\n`;
}
