import { MeshPolicyInput } from "../model";
import { ReachabilityChange, weakensMtls } from "./mesh-diff";
import { MeshImport } from "./import";
import { findingLine } from "./import-findings";

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

function requests(c: ReachabilityChange): string {
    const http = c.protocol === "http" ? ` ${c.methods?.join(", ")} on ${c.paths?.join(", ")}` : "";
    return `${c.protocol}${http}${c.undecided ? " (undecided offline)" : ""}`;
}

const VERDICTS: Readonly<Record<MeshImport["verdict"], string>> = {
    equivalent: "EQUIVALENT: the imported input allows exactly what the original objects allow.",
    broader: "BROADER than the original objects: nothing written (exit 1). Review the calls listed as newly allowed.",
    narrower: "NARROWER than the original objects (exit 4): the calls listed as newly denied would break; keep the objects listed as kept applied.",
    partial: "PARTIAL (exit 4): equivalent only with the objects listed as kept applied unchanged next to the compiled input.",
};

/** The human report of an import (stderr of `meshguard import`). */
export function formatImportReport(result: MeshImport): string {
    const { input, diff } = result;
    const kept = result.findings.filter((f) => f.kept);
    const notes = result.findings.filter((f) => !f.kept);
    const keptObjects = new Set(kept.map((f) => f.object)).size;
    const lines = [
        `meshguard import: ${plural(result.imported.length, "object")} translated, ${plural(keptObjects, "object")} kept as is → ${plural(input.services.length, "service")}, ${plural(input.allow?.length ?? 0, "relationship")}, ${plural(input.deny?.length ?? 0, "deny rule")} (defaultDeny: ${String(input.defaultDeny)}, mtls: ${String(input.mtls)}${input.destinationRules === true ? ", destinationRules: true" : ""})`,
    ];
    if (result.imported.length > 0) lines.push("Translated:", ...result.imported.map((i) => `  = ${i.object} → ${i.became}`));
    if (kept.length > 0) lines.push("Kept as is, not expressible (keep these objects applied):", ...kept.map((f) => `  - ${findingLine(f)}`));
    if (notes.length > 0) lines.push("Notes:", ...notes.map((f) => `  * ${findingLine(f)}`));
    lines.push(`Equivalence (simulated over ${plural(diff.workloads.length, "workload")}, kept objects applied unchanged):`);
    if (diff.allowed.length + diff.denied.length + diff.mtls.length === 0) lines.push("  identical reachability and mTLS");
    lines.push(...diff.allowed.map((c) => `  + newly allowed: ${c.from} → ${c.to} :${c.port} ${requests(c)}`));
    lines.push(...diff.denied.map((c) => `  - newly denied: ${c.from} → ${c.to} :${c.port} ${requests(c)}`));
    lines.push(...diff.mtls.map((m) => `  ~ mTLS ${m.workload} :${m.port} ${m.before} → ${m.after}${weakensMtls(m) ? " (weaker: plaintext accepted)" : ""}`));
    lines.push(VERDICTS[result.verdict]);
    return `${lines.join("\n")}\n`;
}

/** The imported input as a TypeScript module a Pulumi program can import. */
export function importedPolicyModule(input: MeshPolicyInput): string {
    return [
        "// Imported by `meshguard import` from existing Istio security objects. Review it before use:",
        "// see the report printed with it and docs/adoption.md (\"Import existing policies\").",
        'import type { MeshPolicyInput } from "meshguard";',
        "",
        `export const imported: MeshPolicyInput = ${JSON.stringify(input, null, 4)};`,
        "",
        "export default imported;",
        "",
    ].join("\n");
}
