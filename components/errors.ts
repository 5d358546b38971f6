/** One problem found in user input: where it is (`services[1].namespace`) and what is wrong. */
export interface ValidationIssue {
    readonly path: string;
    readonly message: string;
}

/**
 * Thrown when meshguard input is invalid. Nothing has been registered or emitted when it is
 * thrown: validation always runs before any resource or manifest is produced (fail closed).
 */
export class MeshguardValidationError extends Error {
    readonly subject: string;
    readonly issues: readonly ValidationIssue[];

    constructor(subject: string, issues: readonly ValidationIssue[]) {
        super(formatIssues(subject, issues));
        this.name = "MeshguardValidationError";
        this.subject = subject;
        this.issues = issues;
    }
}

function formatIssues(subject: string, issues: readonly ValidationIssue[]): string {
    const lines = issues.map((i) => `  - ${i.path === "" ? "(root)" : i.path}: ${i.message}`);
    return `invalid ${subject}:\n${lines.join("\n")}`;
}
