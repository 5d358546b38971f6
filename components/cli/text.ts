import * as path from "path";

/** `one` for a count of 1, else `many` (default: `one` + "s"). */
export function plural(count: number, one: string, many = `${one}s`): string {
    return count === 1 ? one : many;
}

/** A path relative to the working directory when it is inside it, else the absolute path. */
export function displayPath(file: string, cwd: string): string {
    const relative = path.relative(cwd, file);
    return relative === "" ? "." : relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

/** How many characters of user input a message quotes before cutting it short. */
export const QUOTE_LIMIT = 80;

/** How many characters of one line of a message (an error from the program or a library) are shown. */
export const MESSAGE_LINE_LIMIT = 1000;

/** `text` cut to `max` characters, saying how much was left out. */
export function truncate(text: string, max: number): string {
    if (text.length <= max) return text;
    return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * User input quoted in a message, never longer than about `max` characters: strings JSON-quoted,
 * other values as (bounded) JSON; non-printable characters escaped, so binary input cannot
 * disturb the terminal. The one place the CLI quotes input it did not write itself.
 */
export function quote(value: unknown, max = QUOTE_LIMIT): string {
    const json = boundedJson(value, max + 1);
    const text = json.length > max ? `${json.slice(0, max)}… (cut at ${max} characters)` : json;
    return escapeControl(text);
}

/** User text shown as it is (an option value, a name) but bounded like quote(). */
export function shown(text: string, max = QUOTE_LIMIT): string {
    return escapeControl(truncate(text, max));
}

/** Every line of a message cut to MESSAGE_LINE_LIMIT characters, control characters escaped. */
export function boundedMessage(message: string): string {
    return message.split("\n").map((line) => escapeControl(truncate(line, MESSAGE_LINE_LIMIT))).join("\n");
}

/** JSON of `value`, stopping once `budget` characters are produced (cycles print as "[Circular]"). */
function boundedJson(value: unknown, budget: number): string {
    let out = "";
    const seen = new Set<unknown>();
    const emit = (text: string) => {
        out += text.length > budget - out.length ? text.slice(0, Math.max(0, budget - out.length)) : text;
    };
    const walk = (v: unknown): void => {
        if (out.length >= budget) return;
        if (typeof v === "string") return emit(JSON.stringify(v.length > budget ? v.slice(0, budget) : v));
        if (typeof v === "bigint") return emit(`${v}`);
        if (v === undefined || typeof v === "function" || typeof v === "symbol") return emit(v === undefined ? "undefined" : String(typeof v));
        if (v === null || typeof v !== "object") return emit(JSON.stringify(v));
        if (seen.has(v)) return emit('"[Circular]"');
        seen.add(v);
        const isArray = Array.isArray(v);
        emit(isArray ? "[" : "{");
        let first = true;
        for (const key of Object.keys(v)) {
            if (out.length >= budget) break;
            if (!first) emit(",");
            first = false;
            if (!isArray) emit(`${JSON.stringify(key.length > budget ? key.slice(0, budget) : key)}:`);
            walk((v as Record<string, unknown>)[key]);
        }
        emit(isArray ? "]" : "}");
        seen.delete(v);
    };
    walk(value);
    return out;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function escapeControl(text: string): string {
    return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
