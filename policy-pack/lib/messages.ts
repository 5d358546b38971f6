/**
 * Every violation names the resource (`Kind namespace/name`), the field, why it is insecure and
 * the fix, in one fixed shape so users (and tests) can rely on it:
 *   `<subject>: <field path>: <why it is insecure>. Fix: <what to change>.`
 */
export function violationMessage(subject: string, path: string, problem: string, fix: string): string {
    return `${subject}: ${path}: ${problem}. Fix: ${fix}.`;
}

/** `a, b and c` for short lists in messages. */
export function listForMessage(items: readonly string[]): string {
    if (items.length <= 1) return items.join("");
    return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/**
 * A shared-semantics finding (`spec.rules[0] admits any caller...`) as the "why" of a message that
 * already shows the path: the leading path becomes "this rule" / "this value", the final period goes.
 */
export function findingProblem(finding: { readonly path: string; readonly reason: string }): string {
    let reason = finding.reason.replace(/\.$/, "");
    if (reason.startsWith(finding.path)) {
        const noun = /\]$/.test(finding.path) && !/rules\[\d+\]$/.test(finding.path) ? "this value" : "this rule";
        reason = `${noun}${reason.slice(finding.path.length)}`;
    }
    return reason;
}

/** User input quoted in a message, cut to `max` characters (a 10-million-character name stays readable). */
export function quoted(value: string, max = 80): string {
    return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}
