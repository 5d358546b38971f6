/**
 * Label-selector lookups without scanning every candidate, so stack policies stay linear in the
 * size of the stack even when one namespace holds thousands of workloads and policies.
 * `matchLabels` semantics: a selector matches labels that contain each of its key/value pairs.
 */

type Labels = Readonly<Record<string, string>>;

function pairKey(key: string, value: string): string {
    return `${key}\u0000${value}`;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
    const list = map.get(key);
    if (list === undefined) map.set(key, [value]);
    else list.push(value);
}

function selects(selector: Labels, labels: Labels): boolean {
    for (const key of Object.keys(selector)) if (labels[key] !== selector[key]) return false;
    return true;
}

/** Label sets (e.g. of pod templates), indexed by each of their key/value pairs. */
export class LabelSetIndex {
    private readonly byPair = new Map<string, Labels[]>();

    add(labels: Labels): void {
        for (const [key, value] of Object.entries(labels)) push(this.byPair, pairKey(key, value), labels);
    }

    /** True when some label set added contains every pair of the (non-empty) selector. */
    anyMatches(selector: Labels): boolean {
        let candidates: Labels[] | undefined;
        for (const [key, value] of Object.entries(selector)) {
            const list = this.byPair.get(pairKey(key, value));
            if (list === undefined) return false;
            if (candidates === undefined || list.length < candidates.length) candidates = list;
        }
        return candidates !== undefined && candidates.some((labels) => selects(selector, labels));
    }
}

/** Selectors (undefined: selects everything), indexed by one of their pairs. */
export class SelectorIndex {
    private selectsAll = false;
    private readonly byPair = new Map<string, Labels[]>();

    add(selector: Labels | undefined): void {
        const first = selector === undefined ? undefined : Object.entries(selector)[0];
        if (selector === undefined || first === undefined) this.selectsAll = true;
        else push(this.byPair, pairKey(first[0], first[1]), selector);
    }

    /** True when some selector added matches `labels` (a selector-less one matches anything). */
    anySelects(labels: Labels): boolean {
        if (this.selectsAll) return true;
        for (const [key, value] of Object.entries(labels)) {
            if (this.byPair.get(pairKey(key, value))?.some((selector) => selects(selector, labels))) return true;
        }
        return false;
    }
}
