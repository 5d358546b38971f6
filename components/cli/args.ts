import { quote, shown } from "./text";
import { UsageError } from "./usage-error";

/** The options a command accepts: `--name VALUE` (string) or `--name` (boolean). */
export type OptionSpec = Readonly<Record<string, "string" | "boolean">>;

export interface ParsedArgs {
    readonly options: Readonly<Record<string, string | boolean | undefined>>;
    readonly positionals: readonly string[];
}

/**
 * Parses `--name value`, `--name=value`, boolean `--name`, `-h` (= `--help`) and `--` (the rest are
 * positionals). Unknown options, missing values and values given to booleans are usage errors.
 */
export function parseArgs(args: readonly string[], spec: OptionSpec): ParsedArgs {
    const options: Record<string, string | boolean> = {};
    const positionals: string[] = [];
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg === "--") {
            positionals.push(...args.slice(i + 1));
            break;
        }
        if (arg === "-h") {
            options["help"] = true;
            continue;
        }
        if (!arg.startsWith("--")) {
            if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option ${shown(arg)}`);
            positionals.push(arg);
            continue;
        }
        const eq = arg.indexOf("=");
        const name = arg.slice(2, eq < 0 ? undefined : eq);
        const type = name === "help" ? "boolean" : spec[name];
        if (type === undefined) throw new UsageError(`unknown option --${shown(name)}`);
        if (type === "boolean") {
            if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
            options[name] = true;
            continue;
        }
        const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
        if (value === undefined || value === "") throw new UsageError(`option --${name} needs a value`);
        options[name] = value;
    }
    return { options, positionals };
}

/** The value of a string option (undefined when not given). */
export function stringOption(parsed: ParsedArgs, name: string): string | undefined {
    const value = parsed.options[name];
    return typeof value === "string" ? value : undefined;
}

/** The longest `--timeout` accepted, in seconds (one day). */
export const MAX_TIMEOUT_SECONDS = 86400;

/** `--timeout SECONDS`: a positive number of seconds (fractions allowed), at most MAX_TIMEOUT_SECONDS. */
export function timeoutOption(parsed: ParsedArgs, fallback: number): number {
    const text = stringOption(parsed, "timeout");
    if (text === undefined) return fallback;
    const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    if (!(seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS)) {
        throw new UsageError(`--timeout must be a number of seconds greater than 0 and at most ${MAX_TIMEOUT_SECONDS} (got ${quote(text)})`);
    }
    return seconds;
}
