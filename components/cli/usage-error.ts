/** A mistake in how a command was invoked: reported with the command's usage, exit code 2. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

/** Exit codes every command uses. */
export const EXIT = {
    ok: 0,
    /** A mandatory policy failed. */
    policyFailed: 1,
    usage: 2,
    /** The program or the input could not be run or read. */
    failed: 3,
} as const;
