/** User text quoted in messages is cut to this many characters (a 10-million-character id stays readable). */
export const MAX_QUOTED_CHARACTERS = 80;
/** Lists of declared things in messages show at most this many entries. */
export const MAX_LISTED_ITEMS = 10;

/** `value` as a JSON string, cut to MAX_QUOTED_CHARACTERS with its full length named. */
export function quoted(value: unknown, max = MAX_QUOTED_CHARACTERS): string {
    const text = typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : Object.prototype.toString.call(value);
    const chars = [...text];
    if (chars.length <= max) return JSON.stringify(text);
    return `${JSON.stringify(`${chars.slice(0, max).join("")}…`)} (${chars.length} characters)`;
}

/** `a, b, c` — or the first MAX_LISTED_ITEMS and `… (N in all)`; each item cut like `quoted`. */
export function listed(items: readonly (string | number)[], max = MAX_LISTED_ITEMS): string {
    const cut = (item: string | number) => (typeof item === "string" && [...item].length > MAX_QUOTED_CHARACTERS ? `${[...item].slice(0, MAX_QUOTED_CHARACTERS).join("")}…` : String(item));
    const shown = items.slice(0, max).map(cut).join(", ");
    return items.length > max ? `${shown}, … (${items.length} in all)` : shown;
}
