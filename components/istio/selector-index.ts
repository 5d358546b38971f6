import { selectorMatches } from "./authz-policy";

/**
 * Policies of one namespace indexed by selector, so finding the ones that select a workload costs
 * O(workload labels + matches), not O(policies): a policy with a selector is filed under one of
 * its `key=value` pairs and only checked in full when the workload carries that pair.
 */
export class SelectorIndex<T extends { readonly matchLabels?: Readonly<Record<string, string>> }> {
    private readonly unselected: T[] = [];
    private readonly byLabel = new Map<string, T[]>();
    private readonly order = new Map<T, number>();

    add(item: T): void {
        this.order.set(item, this.order.size);
        const entries = Object.entries(item.matchLabels ?? {});
        if (item.matchLabels === undefined || entries.length === 0) {
            this.unselected.push(item);
            return;
        }
        const [k, v] = entries[0];
        const key = `${k}=${v}`;
        const list = this.byLabel.get(key);
        if (list === undefined) this.byLabel.set(key, [item]);
        else list.push(item);
    }

    /** True when some item selects a workload with these labels (an item without selector selects all). */
    anySelects(labels: Readonly<Record<string, string>>): boolean {
        if (this.unselected.length > 0) return true;
        for (const [k, v] of Object.entries(labels)) {
            if (this.byLabel.get(`${k}=${v}`)?.some((item) => selectorMatches(item.matchLabels, labels))) return true;
        }
        return false;
    }

    /** The items selecting a workload with these labels, in insertion order. */
    select(labels: Readonly<Record<string, string>>): T[] {
        const found = new Set<T>(this.unselected);
        for (const [k, v] of Object.entries(labels)) {
            for (const item of this.byLabel.get(`${k}=${v}`) ?? []) {
                if (selectorMatches(item.matchLabels, labels)) found.add(item);
            }
        }
        return [...found].sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
    }
}
