import { PolicyPackRunResult, PolicyVerdict, verdictFailsRun } from "../analyzer";
import { plural } from "./text";

const LEVEL_ORDER = ["mandatory", "remediate", "advisory", "disabled"];

/**
 * The verdicts grouped by policy (failing levels first, then the pack's policy order), each
 * group headed by its enforcement level, name and description, one line per resource with the
 * policy's message; then a one-line result (mandatory verdicts fail the run). `scope` says what
 * was analyzed ("12 resources of project p, stack dev").
 */
export function verdictReport(run: PolicyPackRunResult, scope: string): string {
    const lines: string[] = [];
    const policyOrder = run.policies.map((p) => p.name);
    const groups = new Map<string, PolicyVerdict[]>();
    for (const v of run.verdicts) groups.set(v.policyName, [...(groups.get(v.policyName) ?? []), v]);
    const rank = (name: string) => {
        const level = groups.get(name)![0].enforcementLevel;
        const failing = groups.get(name)!.some(verdictFailsRun) ? 0 : 1;
        const index = policyOrder.indexOf(name);
        return [failing, LEVEL_ORDER.indexOf(level) < 0 ? LEVEL_ORDER.length : LEVEL_ORDER.indexOf(level), index < 0 ? policyOrder.length : index];
    };
    const names = [...groups.keys()].sort((a, b) => compareTuples(rank(a), rank(b)) || a.localeCompare(b));
    lines.push(`Policy verdicts: ${run.policies.length} ${plural(run.policies.length, "policy", "policies")} over ${scope}`);
    for (const name of names) {
        const verdicts = groups.get(name)!;
        lines.push("");
        lines.push(`  [${verdicts[0].enforcementLevel}] ${name} (${verdicts.length} ${plural(verdicts.length, "violation")})`);
        lines.push(`      ${verdicts[0].description}`);
        for (const v of verdicts) {
            lines.push(`    - ${resourceLabel(v)}`);
            for (const messageLine of ownMessage(v).split("\n")) lines.push(`        ${messageLine}`);
        }
    }
    lines.push("");
    lines.push(resultLine(run, groups));
    return `${lines.join("\n")}\n`;
}

function resultLine(run: PolicyPackRunResult, groups: Map<string, PolicyVerdict[]>): string {
    const failing = run.verdicts.filter(verdictFailsRun);
    if (failing.length > 0) {
        const policies = new Set(failing.map((v) => v.policyName)).size;
        return `FAILED: ${failing.length} mandatory ${plural(failing.length, "violation")} of ${policies} ${plural(policies, "policy", "policies")} (pulumi preview --policy-pack policy-pack would refuse this).`;
    }
    if (run.verdicts.length > 0) {
        return `PASSED with ${run.verdicts.length} advisory ${plural(run.verdicts.length, "violation")} of ${groups.size} ${plural(groups.size, "policy", "policies")} (not blocking).`;
    }
    return "PASSED: no policy violations.";
}

/** The verdict's message without the policy description the pack repeats as its first line. */
function ownMessage(v: PolicyVerdict): string {
    const message = v.message.trim();
    const rest = message.startsWith(v.description) ? message.slice(v.description.length).trim() : message;
    return rest === "" ? message : rest;
}

function resourceLabel(v: PolicyVerdict): string {
    if (v.resourceType !== undefined || v.resourceName !== undefined) return [v.resourceType, v.resourceName].filter((s) => s !== undefined).join(" ");
    return v.urn ?? "the whole stack";
}

function compareTuples(a: number[], b: number[]): number {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return 0;
}
