/**
 * What `meshguard import` could not translate exactly: the object, the field and why. `kept`
 * findings are objects left as they are (not expressible): they must stay applied next to the
 * compiled result, and the equivalence check applies them unchanged. Other findings are notes
 * (a Service left out, an ambiguous port) that change nothing by themselves.
 */
export interface ImportFinding {
    /** `Kind namespace/name`. */
    readonly object: string;
    /** The field path inside the object (`spec.rules[0].to[0].operation.notPaths`). */
    readonly field: string;
    readonly problem: string;
    readonly kept: boolean;
}

/** The report line of a finding (without indentation). */
export function findingLine(f: ImportFinding): string {
    return `${f.object}: ${f.field}: ${f.problem}`;
}
