import { RegisteredResource } from "../offline/recorder";

/**
 * A `pulumi preview`-like table of the registrations: every resource as a create (`+`), children
 * indented under their parent (siblings in registration order), with its name, its parent's name
 * and an optional note per URN.
 */
export function resourceTable(resources: readonly RegisteredResource[], notes: ReadonlyMap<string, string> = new Map()): string {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const children = new Map<string | undefined, RegisteredResource[]>();
    for (const r of resources) {
        const parent = r.parent !== undefined && byUrn.has(r.parent) ? r.parent : undefined;
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const rows: string[][] = [];
    const visit = (r: RegisteredResource, lead: string, branch: string) => {
        const parentName = r.parent !== undefined ? byUrn.get(r.parent)?.name ?? "" : "";
        rows.push([`${lead}${branch}${r.type}`, r.name, parentName, notes.get(r.urn) ?? ""]);
        const kids = children.get(r.urn) ?? [];
        const nextLead = lead + (branch === "" ? "" : branch === "├─ " ? "│  " : "   ");
        kids.forEach((kid, i) => visit(kid, nextLead, i === kids.length - 1 ? "└─ " : "├─ "));
    };
    for (const root of children.get(undefined) ?? []) visit(root, "", "");
    const header = ["Type", "Name", "Parent", "Info"];
    const widths = header.map((h, col) => Math.max(h.length, ...rows.map((row) => row[col].length)));
    const line = (marker: string, cells: string[]) => `${marker}${cells.map((c, col) => c.padEnd(widths[col])).join("   ")}`.trimEnd();
    return [line("     ", header), ...rows.map((row) => line(" +   ", row))].join("\n") + "\n";
}
