/** Where a command writes; tests pass buffers, the launcher passes the process streams. */
export interface CliIO {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
    /** Working directory relative paths are resolved against. */
    readonly cwd: string;
}

/** One `meshguard <name>` sub-command. Returns the process exit code. */
export interface Command {
    readonly name: string;
    /** One line for `meshguard help`. */
    readonly summary: string;
    /** Full usage text. */
    readonly usage: string;
    run(args: readonly string[], io: CliIO): Promise<number>;
}
