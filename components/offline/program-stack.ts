import * as path from "path";

/** One stack frame of the user's program: where (relative to the project) and in what function. */
export interface ProgramFrame {
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly fn?: string;
}

// V8 frames: "    at fn (file:line:col)", "    at file:line:col", "    at async fn (file:line:col)".
const FRAME = /^\s*at (?:(.*?) \()?(?:file:\/\/)?(.+?):(\d+):(\d+)\)?$/;

/**
 * The frames of `stack` that belong to the program in `projectDir` (its own files, not
 * node_modules, not meshguard or the SDK), innermost first. Lines are what the stack says: a
 * TypeScript program loaded through ts-node has its stack source-mapped to the .ts lines.
 */
export function programFrames(stack: string, projectDir: string): ProgramFrame[] {
    const root = path.resolve(projectDir) + path.sep;
    const frames: ProgramFrame[] = [];
    for (const text of stack.split("\n")) {
        const match = FRAME.exec(text);
        if (match === null) continue;
        const file = path.resolve(match[2]);
        if (!file.startsWith(root) || file.split(path.sep).includes("node_modules")) continue;
        const fn = match[1]?.replace(/^async /, "");
        frames.push({ file: path.relative(projectDir, file), line: Number(match[3]), column: Number(match[4]), ...(fn ? { fn } : {}) });
    }
    return frames;
}

/**
 * The lines to show under "program ... failed: <message>": the program's own frames, then a hint
 * to `--verbose`; with `verbose`, the cause's whole stack instead.
 */
export function programStackLines(cause: unknown, projectDir: string, verbose: boolean): string[] {
    const stack = cause instanceof Error && typeof cause.stack === "string" ? cause.stack : undefined;
    if (stack === undefined) return [];
    if (verbose) return stack.split("\n").filter((line) => /^\s+at /.test(line)).map((line) => `    ${line.trim()}`);
    const frames = programFrames(stack, projectDir).map((f) => `    at ${f.fn ? `${f.fn} (${f.file}:${f.line}:${f.column})` : `${f.file}:${f.line}:${f.column}`}`);
    return [...frames, "    (meshguard preview --verbose shows the full stack)"];
}
