import { PolicyPackRunResult, PolicyVerdict, verdictFailsRun } from "../analyzer/types";
import { plural } from "./text";

const LEVEL_ORDER = ["mandatory", "remediate", "advisory", "disabled"];

/** What a failed run means, said after "FAILED: ..." (preview: what `pulumi preview` would do). */
export const PULUMI_WOULD_REFUSE = "pulumi preview --policy-pack policy-pack would refuse this";

/**
 * The verdicts grouped by policy and enforcement level (failing groups first, then by level and
 * the pack's policy order), each group headed by its level, name and description, so a header
 * never shows another level than its verdicts carry; one line per resource with the policy's
 * message; then a one-line result (mandatory verdicts fail the run). `scope` says what was
 * analyzed ("12 resources of project p, stack dev"); `refusal`, when given, what a failure means.
 */
export function verdictReport(run: PolicyPackRunResult, scope: string, refusal?: string): string {
    const lines: string[] = [];
    const policyOrder = run.policies.map((p) => p.name);
    const groups = new Map<string, PolicyVerdict[]>();
    for (const v of run.verdicts) {
        const key = groupKey(v);
        groups.set(key, [...(groups.get(key) ?? []), v]);
    }
    const rank = (key: string) => {
        const first = groups.get(key)![0];
        const failing = groups.get(key)!.some(verdictFailsRun) ? 0 : 1;
        const index = policyOrder.indexOf(first.policyName);
        const level = LEVEL_ORDER.indexOf(first.enforcementLevel);
        return [failing, level < 0 ? LEVEL_ORDER.length : level, index < 0 ? policyOrder.length : index];
    };
    const keys = [...groups.keys()].sort((a, b) => compareTuples(rank(a), rank(b)) || a.localeCompare(b));
    lines.push(`Policy verdicts: ${run.policies.length} ${plural(run.policies.length, "policy", "policies")} over ${scope}`);
    for (const key of keys) {
        const verdicts = groups.get(key)!;
        const name = verdicts[0].policyName;
        lines.push("");
        lines.push(`  [${verdicts[0].enforcementLevel}] ${name} (${verdicts.length} ${plural(verdicts.length, "violation")})`);
        lines.push(`      ${verdicts[0].description}`);
        for (const v of verdicts) {
            lines.push(`    - ${resourceLabel(v)}`);
            for (const messageLine of ownMessage(v).split("\n")) lines.push(`        ${messageLine}`);
        }
    }
    lines.push("");
    lines.push(resultLine(run, refusal));
    return `${lines.join("\n")}\n`;
}

function groupKey(v: PolicyVerdict): string {
    return `${v.policyName}\u0000${v.enforcementLevel}`;
}

function resultLine(run: PolicyPackRunResult, refusal: string | undefined): string {
    const failing = run.verdicts.filter(verdictFailsRun);
    if (failing.length > 0) {
        const policies = new Set(failing.map((v) => v.policyName)).size;
        return `FAILED: ${failing.length} mandatory ${plural(failing.length, "violation")} of ${policies} ${plural(policies, "policy", "policies")}${refusal === undefined ? "" : ` (${refusal})`}.`;
    }
    if (run.verdicts.length > 0) {
        const policies = new Set(run.verdicts.map((v) => v.policyName)).size;
        return `PASSED with ${run.verdicts.length} advisory ${plural(run.verdicts.length, "violation")} of ${policies} ${plural(policies, "policy", "policies")} (not blocking).`;
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
