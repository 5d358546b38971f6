/** Markdown tables and number formatting for the benchmark report. */

export type Align = "left" | "right";

export interface Column<Row> {
    header: string;
    align?: Align;
    cell(row: Row): string;
}

export function markdownTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
    const header = `| ${columns.map((c) => c.header).join(" | ")} |`;
    const rule = `|${columns.map((c) => (c.align === "left" ? ":---" : "---:")).join("|")}|`;
    const body = rows.map((row) => `| ${columns.map((c) => c.cell(row)).join(" | ")} |`);
    return [header, rule, ...body].join("\n");
}

/** `1234567` → `1,234,567`. */
export function integer(n: number): string {
    return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–";
}

/** Milliseconds, with a precision that suits the magnitude. */
export function ms(n: number): string {
    if (!Number.isFinite(n)) return "–";
    if (n >= 10_000) return `${(n / 1000).toFixed(1)} s`;
    if (n >= 1000) return `${(n / 1000).toFixed(2)} s`;
    return `${n >= 100 ? n.toFixed(0) : n.toFixed(1)} ms`;
}

export function ratio(n: number, digits = 2): string {
    return Number.isFinite(n) ? `${n.toFixed(digits)}×` : "–";
}

export function mb(bytes: number): string {
    return Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB` : "–";
}

export function kb(bytes: number): string {
    return Number.isFinite(bytes) ? (bytes >= 1024 * 1024 ? mb(bytes) : `${(bytes / 1024).toFixed(0)} KB`) : "–";
}
