/**
 * Where a text stops being JSON (RFC 8259): the offset of the first character a JSON parser
 * cannot accept, or the text's length when it ends too early. Used only after JSON.parse failed,
 * whose messages do not always carry a position.
 */
export function jsonErrorOffset(text: string): number {
    let i = 0;
    const fail = (): never => {
        throw i;
    };
    const ws = () => {
        while (i < text.length && " \t\n\r".includes(text[i])) i++;
    };
    const literal = (word: string) => {
        for (const c of word) {
            if (text[i] !== c) fail();
            i++;
        }
    };
    const string = () => {
        if (text[i] !== '"') fail();
        i++;
        while (i < text.length && text[i] !== '"') {
            if (text.charCodeAt(i) < 0x20) fail();
            if (text[i] === "\\") {
                i++;
                if (text[i] === "u") {
                    for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? "")) { i += k; fail(); }
                    i += 4;
                } else if (!'"\\/bfnrt'.includes(text[i] ?? "x") || i >= text.length) fail();
            }
            i++;
        }
        if (i >= text.length) fail();
        i++;
    };
    const number = () => {
        const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
        if (match === null || match[0] === "" || match[0] === "-") fail();
        i += (match as RegExpExecArray)[0].length;
    };
    const value = (): void => {
        ws();
        const c = text[i];
        if (c === "{") {
            i++;
            ws();
            if (text[i] === "}") { i++; return; }
            for (;;) {
                ws();
                string();
                ws();
                literal(":");
                value();
                ws();
                if (text[i] === ",") { i++; continue; }
                literal("}");
                return;
            }
        }
        if (c === "[") {
            i++;
            ws();
            if (text[i] === "]") { i++; return; }
            for (;;) {
                value();
                ws();
                if (text[i] === ",") { i++; continue; }
                literal("]");
                return;
            }
        }
        if (c === '"') return string();
        if (c === "t") return literal("true");
        if (c === "f") return literal("false");
        if (c === "n") return literal("null");
        return number();
    };
    try {
        value();
        ws();
        return i < text.length ? i : text.length;
    } catch (offset) {
        return Math.min(offset as number, text.length);
    }
}
