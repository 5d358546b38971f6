import { checkCommand } from "./check";
import { Command } from "./command";
import { explainCommand } from "./explain";
import { helpCommand, overview } from "./help";
import { packageVersion } from "../package-root";
import { previewCommand } from "./preview";
import { TerminalIO } from "./progress";
import { EXIT, UsageError } from "./usage-error";

/** Every `meshguard <name>` command; a new command only needs adding here. */
export const COMMANDS: readonly Command[] = [previewCommand, checkCommand, explainCommand, helpCommand(() => COMMANDS)];

/** The process's own streams and working directory. */
export function processIO(): TerminalIO {
    return {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        cwd: process.cwd(),
        stderrIsTTY: process.stderr.isTTY === true,
    };
}

/**
 * Runs `meshguard <argv>` and returns the exit code: 0 success, 1 a mandatory policy failed,
 * 2 usage error, 3 the program or input could not be run.
 */
export async function main(argv: readonly string[], io: TerminalIO = processIO()): Promise<number> {
    const [name, ...args] = argv;
    if (name === undefined) {
        io.stderr(overview(COMMANDS));
        return EXIT.usage;
    }
    if (name === "--help" || name === "-h") {
        io.stdout(overview(COMMANDS));
        return EXIT.ok;
    }
    if (name === "--version" || name === "-v") {
        io.stdout(`${packageVersion()}\n`);
        return EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
        io.stderr(`meshguard: unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(", ")} (see meshguard help)\n`);
        return EXIT.usage;
    }
    if (asksForHelp(args)) {
        io.stdout(`${command.usage}\n`);
        return EXIT.ok;
    }
    try {
        return await command.run(args, io);
    } catch (err) {
        if (err instanceof UsageError) {
            io.stderr(`meshguard ${command.name}: ${err.message}\n\n${command.usage}\n`);
            return EXIT.usage;
        }
        io.stderr(`meshguard ${command.name}: ${err instanceof Error ? err.message : String(err)}\n`);
        return EXIT.failed;
    }
}

/** `--help` or `-h` anywhere before a `--` separator. */
function asksForHelp(args: readonly string[]): boolean {
    const end = args.indexOf("--");
    return (end < 0 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}
