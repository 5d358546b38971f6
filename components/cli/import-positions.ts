import * as fs from "fs";
import { isMap, isNode, isScalar, isSeq, LineCounter, parseAllDocuments } from "yaml";

/** `spec.rules[0].from[0].source.principal` → ["spec", "rules", 0, "from", 0, "source", "principal"]. */
function pathKeys(fieldPath: string): (string | number)[] {
    return [...fieldPath.matchAll(/\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|([^.[\]]+)/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3])));
}

/**
 * `line L, column C` of a field of the `document`-th YAML document (1-based, empty documents
 * counted) of a file: the key when the field is a mapping entry, else the value, else its
 * nearest existing parent. Undefined when the file cannot be read again or the field is not found.
 */
export function fieldPosition(file: string, document: number, fieldPath: string): string | undefined {
    let source: string;
    try {
        source = fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
    const lineCounter = new LineCounter();
    const doc = parseAllDocuments(source, { version: "1.1", uniqueKeys: false, lineCounter })[document - 1];
    if (doc === undefined || !("getIn" in doc)) return undefined;
    const keys = pathKeys(fieldPath);
    for (let n = keys.length; n > 0; n--) {
        const parent = n === 1 ? doc.contents : doc.getIn(keys.slice(0, n - 1), true);
        const last = keys[n - 1];
        let offset: number | undefined;
        if (isMap(parent)) {
            const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
            if (pair !== undefined && isNode(pair.key)) offset = pair.key.range?.[0];
        } else if (isSeq(parent) && typeof last === "number") {
            const item = parent.items[last];
            if (isNode(item)) offset = item.range?.[0];
        }
        if (offset !== undefined) {
            const { line, col } = lineCounter.linePos(offset);
            return `line ${line}, column ${col}`;
        }
    }
    return undefined;
}
