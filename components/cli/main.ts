import { checkCommand } from "./check";
import { Command } from "./command";
import { diffCommand } from "./diff";
import { discoverCommand } from "./discover";
import { explainCommand } from "./explain";
import { helpCommand, overview } from "./help";
import { importCommand } from "./import";
import { packageVersion } from "../package-root";
import { previewCommand } from "./preview";
import { reachabilityCommand } from "./reachability";
import { TerminalIO } from "./progress";
import { PolicyConfigError } from "../analyzer";
import { DidNotSettle, settleWithin } from "../offline";
import { boundedMessage, quote } from "./text";
import { EXIT, UsageError } from "./usage-error";

/** Every `meshguard <name>` command; a new command only needs adding here. */
export const COMMANDS: readonly Command[] = [previewCommand, checkCommand, explainCommand, reachabilityCommand, discoverCommand, diffCommand, importCommand, helpCommand(() => COMMANDS)];

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
 * Runs `meshguard <argv>` and returns the exit code (EXIT; docs/cli.md lists when each is used).
 * Never 0 on an error; a command that cannot finish (the event loop empties while it waits)
 * ends with EXIT.failed rather than letting Node exit silently with 0.
 */
export async function main(argv: readonly string[], given?: TerminalIO): Promise<number> {
    try {
        return await dispatch(argv, given ?? processIO());
    } finally {
        // Run as the process (the launcher passes no IO): a program's timers or sockets must not
        // keep meshguard alive once the exit code is known (set by the launcher meanwhile).
        if (given === undefined) setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
    }
}

async function dispatch(argv: readonly string[], io: TerminalIO): Promise<number> {
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
        io.stderr(`meshguard: unknown command ${quote(name)}; commands: ${COMMANDS.map((c) => c.name).join(", ")}\n${HELP_POINTER}\n`);
        return EXIT.usage;
    }
    if (asksForHelp(args)) {
        io.stdout(`${command.usage}\n`);
        return EXIT.ok;
    }
    try {
        return await settleWithin(command.run(args, io), {
            idleRounds: 2,
            describe: () => `meshguard ${command.name} did not finish: it waits on a promise nothing can settle any more (Node's event loop is empty)`,
        });
    } catch (err) {
        if (err instanceof UsageError || err instanceof PolicyConfigError) {
            io.stderr(`meshguard ${command.name}: ${boundedMessage(err.message)}\nRun "meshguard ${command.name} --help" for usage.\n`);
            return EXIT.usage;
        }
        if (err instanceof DidNotSettle) {
            io.stderr(`${boundedMessage(err.message)}\n`);
            return EXIT.failed;
        }
        io.stderr(`meshguard ${command.name}: ${boundedMessage(err instanceof Error ? err.message : String(err))}\n`);
        return EXIT.failed;
    }
}

const EXIT_GRACE_MS = 500;

const HELP_POINTER = 'Run "meshguard --help" for the commands.';

/** `--help` or `-h` anywhere before a `--` separator. */
function asksForHelp(args: readonly string[]): boolean {
    const end = args.indexOf("--");
    return (end < 0 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}
