/* eslint-disable @typescript-eslint/no-require-imports -- commands load on use (CommonJS, as the checkout and dist/ run) */
import { Command } from "./command";
import { helpCommand, overview } from "./help";
import { packageVersion } from "../package-root";
import { TerminalIO } from "./progress";
import { PolicyConfigError } from "../analyzer/policy-config";
import { DidNotSettle, settleWithin } from "../offline/settle";
import { boundedMessage, quote } from "./text";
import { timing } from "../timings";
import { EXIT, UsageError } from "./usage-error";

/**
 * Every `meshguard <name>` command, in the order the overview lists them; a new command only
 * needs adding here. Each command's module is required only when it is used, so a command loads
 * what it needs and nothing else (YAML-only `check` and `explain` never load the Pulumi SDK; see
 * test/cli/module-loading.test.ts).
 */
const COMMAND_MODULES: readonly (readonly [string, () => Command])[] = [
    ["preview", () => (require("./preview") as typeof import("./preview")).previewCommand],
    ["check", () => (require("./check") as typeof import("./check")).checkCommand],
    ["explain", () => (require("./explain") as typeof import("./explain")).explainCommand],
    ["reachability", () => (require("./reachability") as typeof import("./reachability")).reachabilityCommand],
    ["discover", () => (require("./discover") as typeof import("./discover")).discoverCommand],
    ["diff", () => (require("./diff") as typeof import("./diff")).diffCommand],
    ["import", () => (require("./import") as typeof import("./import")).importCommand],
    ["help", () => helpCommand(commands)],
];

/** The names of every command (without loading any). */
export const COMMAND_NAMES: readonly string[] = COMMAND_MODULES.map(([name]) => name);

/** The command called `name` (its module loaded now), or undefined. */
export function loadCommand(name: string): Command | undefined {
    return COMMAND_MODULES.find(([n]) => n === name)?.[1]();
}

/** Every command, each module loaded (the overview lists their summaries). */
export function commands(): readonly Command[] {
    return COMMAND_MODULES.map(([, load]) => load());
}

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
    timing("meshguard started");
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
        io.stderr(overview(commands()));
        return EXIT.usage;
    }
    if (name === "--help" || name === "-h") {
        io.stdout(overview(commands()));
        return EXIT.ok;
    }
    if (name === "--version" || name === "-v") {
        io.stdout(`${packageVersion()}\n`);
        return EXIT.ok;
    }
    if (!COMMAND_NAMES.includes(name)) {
        io.stderr(`meshguard: unknown command ${quote(name)}; commands: ${COMMAND_NAMES.join(", ")}\n${HELP_POINTER}\n`);
        return EXIT.usage;
    }
    const command = loadCommand(name) as Command;
    timing(`command ${name} loaded`);
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
