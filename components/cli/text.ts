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
