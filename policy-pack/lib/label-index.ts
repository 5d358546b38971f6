/**
 * "Does any of these label sets match this selector?" without scanning every candidate, so stack
 * policies stay linear even when one namespace holds thousands of workloads (the reverse lookup,
 * selectors matching one label set, is `SelectorIndex` in components/istio).
 */
import { selectorMatches } from "../../components/istio";

type Labels = Readonly<Record<string, string>>;

function pairKey(key: string, value: string): string {
    return `${key}\u0000${value}`;
}

/** Label sets (e.g. of pod templates), indexed by each of their key/value pairs. */
export class LabelSetIndex {
    private readonly byPair = new Map<string, Labels[]>();

    add(labels: Labels): void {
        for (const [key, value] of Object.entries(labels)) {
            const list = this.byPair.get(pairKey(key, value));
            if (list === undefined) this.byPair.set(pairKey(key, value), [labels]);
            else list.push(labels);
        }
    }

    /** True when some label set added contains every pair of the (non-empty) selector. */
    anyMatches(selector: Labels): boolean {
        let candidates: Labels[] | undefined;
        for (const [key, value] of Object.entries(selector)) {
            const list = this.byPair.get(pairKey(key, value));
            if (list === undefined) return false;
            if (candidates === undefined || list.length < candidates.length) candidates = list;
        }
        return candidates !== undefined && candidates.some((labels) => selectorMatches(selector, labels));
    }
}
