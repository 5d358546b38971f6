import { Command } from "./command";
import { packageVersion } from "../package-root";
import { EXIT, UsageError } from "./usage-error";

/** The overview `meshguard help` and `meshguard --help` print. */
export function overview(commands: readonly Command[]): string {
    const width = Math.max(...commands.map((c) => c.name.length));
    return [
        `meshguard ${packageVersion()}: zero-trust Istio meshes with Pulumi, checked before they deploy.`,
        "",
        "Usage: meshguard <command> [options]",
        "",
        "Commands:",
        ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
        "",
        "Run `meshguard help <command>` or `meshguard <command> --help` for a command's options.",
        "",
    ].join("\n");
}

/** `meshguard help [COMMAND]`; reads the registry lazily so it can list itself. */
export function helpCommand(commands: () => readonly Command[]): Command {
    return {
        name: "help",
        summary: "show this overview, or a command's usage",
        usage: "Usage: meshguard help [COMMAND]",
        async run(args, io) {
            if (args.length > 1) throw new UsageError("expected at most one command name");
            if (args.length === 0) {
                io.stdout(overview(commands()));
                return EXIT.ok;
            }
            const command = commands().find((c) => c.name === args[0]);
            if (!command) throw new UsageError(`unknown command "${args[0]}"`);
            io.stdout(`${command.usage}\n`);
            return EXIT.ok;
        },
    };
}
