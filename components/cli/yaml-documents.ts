import { Document, isAlias, isMap, isScalar, isSeq, Node, parseAllDocuments, YAMLError } from "yaml";
import { quote, QUOTE_LIMIT, shown } from "./text";
import { YAML_LIMITS } from "./yaml-limits";

export { YAML_LIMITS } from "./yaml-limits";

/** One non-empty YAML document of a file, as plain data. */
export interface YamlDocument {
    /** 1-based index of the document in the file. */
    readonly index: number;
    readonly value: unknown;
}

/** The documents of a file, or the problems that make it unreadable (each naming file and document). */
export interface YamlFile {
    readonly documents: readonly YamlDocument[];
    readonly problems: readonly string[];
}

/** How many problems of one file are listed before the rest are only counted. */
const PROBLEMS_PER_FILE = 10;

/**
 * Parses multi-document YAML 1.1 (as kubectl reads it: `inject: off` is the boolean false) within
 * YAML_LIMITS. `file` is the name used in problems. Duplicate keys are refused, as the `yaml`
 * package does by default, but checked here in linear time: its own check compares each key with
 * every earlier key of the mapping (quadratic: 40,000 keys took 20 s).
 */
export function parseYamlFile(source: string, file: string): YamlFile {
    if (source.includes("\u0000")) return refused(`${file}: not a YAML text file (it contains NUL bytes)`);
    let docs: Document[];
    try {
        docs = parseAllDocuments(source, { version: "1.1", uniqueKeys: false }) as Document[];
    } catch (err) {
        return refused(`${file}: invalid YAML: ${shown((err as Error).message, QUOTE_LIMIT * 2)}`);
    }
    if (docs.length > YAML_LIMITS.objectsPerFile) {
        return refused(`${file}: ${docs.length} YAML documents, more than the limit of ${YAML_LIMITS.objectsPerFile} per file. Fix: split the file`);
    }
    const problems: string[] = [];
    const documents: YamlDocument[] = [];
    const lines = new SourceLines(source);
    docs.forEach((doc, i) => {
        const where = `${file}: document ${i + 1}`;
        const problem = doc.errors.length > 0 ? syntaxProblem(doc.errors[0], lines) : structureProblem(doc.contents);
        if (problem !== undefined) {
            problems.push(`${where}: ${problem}`);
            return;
        }
        try {
            const value: unknown = doc.toJS({ maxAliasCount: YAML_LIMITS.aliasExpansion });
            if (value !== null && value !== undefined) documents.push({ index: i + 1, value });
        } catch (err) {
            problems.push(`${where}: invalid YAML: ${shown((err as Error).message, QUOTE_LIMIT * 2)}`);
        }
    });
    return { documents, problems: bounded(problems, file) };
}

function refused(problem: string): YamlFile {
    return { documents: [], problems: [problem] };
}

function bounded(problems: readonly string[], file: string): string[] {
    if (problems.length <= PROBLEMS_PER_FILE) return [...problems];
    const rest = problems.length - PROBLEMS_PER_FILE;
    return [...problems.slice(0, PROBLEMS_PER_FILE), `${file}: and ${rest} more ${rest === 1 ? "problem" : "problems"}`];
}

/**
 * "invalid YAML at line L, column C: reason", then the line (cut around the column) with its
 * number and a caret under the column. An error met at an empty line (the end of the document,
 * typically) points after the last non-empty line before it, where the unfinished construct is.
 */
function syntaxProblem(error: YAMLError, lines: SourceLines): string {
    const reason = shown(error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""), QUOTE_LIMIT * 2);
    const pos = error.linePos?.[0];
    if (pos === undefined) return `invalid YAML: ${reason}`;
    let [line, col] = [pos.line, pos.col];
    while (line > 1 && lines.line(line).trim() === "" && pos.line - line < 20) {
        line -= 1;
        col = lines.line(line).length + 1;
    }
    const { text, caret } = excerpt(lines.line(line), col);
    const number = `${line} | `;
    return `invalid YAML at line ${pos.line}, column ${pos.col}: ${reason}\n      ${number}${text}\n      ${" ".repeat(number.length + caret)}^`;
}

/** At most QUOTE_LIMIT characters of `line` around the 1-based column `col`, and the caret's offset in them. */
function excerpt(line: string, col: number): { text: string; caret: number } {
    const at = Math.max(0, Math.min(col - 1, line.length));
    const start = Math.max(0, Math.min(at - QUOTE_LIMIT / 2, line.length - QUOTE_LIMIT));
    const cut = line.slice(start, start + QUOTE_LIMIT);
    const head = start > 0 ? "…" : "";
    const tail = start + QUOTE_LIMIT < line.length ? "…" : "";
    // Tabs and control characters would shift the caret: shown as one space each.
    // eslint-disable-next-line no-control-regex
    return { text: `${head}${cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ")}${tail}`, caret: head.length + at - start };
}

/** Line lookup that splits the source only when an error needs it. */
class SourceLines {
    private lines?: string[];
    constructor(private readonly source: string) {}
    line(n: number): string {
        this.lines ??= this.source.split(/\r?\n/);
        return this.lines[n - 1] ?? "";
    }
}

/** Characters of one key kept in a path (paths are at most YAML_LIMITS.depth keys long). */
const PATH_KEY_LIMIT = 40;

/**
 * Walks the document's nodes (iteratively: hostile nesting must not overflow the stack) and returns
 * the first limit it breaks: keys per mapping, duplicate keys, non-scalar keys, depth, anchors and aliases.
 */
function structureProblem(root: Node | null): string | undefined {
    if (root === null) return undefined;
    let anchors = 0;
    const stack: [Node, number, string][] = [[root, 1, ""]];
    while (stack.length > 0) {
        const [node, depth, at] = stack.pop()!;
        if (isAlias(node) || node.anchor !== undefined) {
            if (++anchors > YAML_LIMITS.anchorsAndAliases) return `more than ${YAML_LIMITS.anchorsAndAliases} YAML anchors and aliases (the limit per document)`;
            if (isAlias(node)) continue;
        }
        if (!isMap(node) && !isSeq(node)) continue;
        if (depth > YAML_LIMITS.depth) return `${at || "the document"}: nested more than ${YAML_LIMITS.depth} levels deep (the limit)`;
        if (isSeq(node)) {
            node.items.forEach((item, i) => { if (item) stack.push([item as Node, depth + 1, `${at}[${i}]`]); });
            continue;
        }
        if (node.items.length > YAML_LIMITS.keysPerMapping) {
            return `${at || "the top-level mapping"}: ${node.items.length} keys, more than the limit of ${YAML_LIMITS.keysPerMapping} keys per mapping`;
        }
        const seen = new Set<string>();
        for (const pair of node.items) {
            const key = pair.key as Node | null;
            if (key !== null && !isScalar(key)) return `${at || "the top-level mapping"}: a key that is a ${isAlias(key) ? "YAML alias" : isMap(key) ? "mapping" : "sequence"}; Kubernetes objects only have string keys`;
            const name = key === null || key.value === null || key.value === undefined ? "" : String(key.value);
            const path = `${at}${at ? "." : ""}${name.length > PATH_KEY_LIMIT ? `${name.slice(0, PATH_KEY_LIMIT)}…` : name}`;
            if (seen.has(name)) return `${at || "the top-level mapping"}: duplicate key ${quote(name)} (YAML keys of one mapping must be unique)`;
            seen.add(name);
            if (pair.value) stack.push([pair.value as Node, depth + 1, path]);
        }
    }
    return undefined;
}
