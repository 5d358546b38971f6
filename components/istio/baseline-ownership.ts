/**
 * A namespace's security baseline — its allow-nothing AuthorizationPolicy and its namespace-wide
 * PeerAuthentication (mesh-wide ones in the root namespace) — must have exactly one owner. The
 * offline preview (rendering: two objects with one path) and the policy pack (two objects of one
 * baseline) both judge it here.
 */

export type BaselineRole = "allow-nothing" | "namespace-wide-peer-authentication";

/** The baseline role of an object, or undefined. `spec` is the object's spec as plain data. */
export function baselineRole(kind: string, spec: unknown): BaselineRole | undefined {
    const s = isRecord(spec) ? spec : {};
    if (kind === "AuthorizationPolicy") {
        // ALLOW (or unset) with no rules applies to every workload in scope and allows nothing.
        const action = s["action"] ?? "ALLOW";
        const rules = s["rules"];
        const noRules = rules === undefined || rules === null || (Array.isArray(rules) && rules.length === 0);
        return action === "ALLOW" && noRules && !hasSelector(s["selector"]) && !hasTargetRefs(s) ? "allow-nothing" : undefined;
    }
    if (kind === "PeerAuthentication") {
        // istiod treats a selector with no matchLabels as namespace-wide (pilot/pkg/model/authentication.go addPeerAuthentication).
        return hasSelector(s["selector"]) ? undefined : "namespace-wide-peer-authentication";
    }
    return undefined;
}

export interface BaselineObject<T> {
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
    readonly spec: unknown;
    readonly ref: T;
}

export interface DuplicateBaseline<T> {
    readonly role: BaselineRole;
    readonly namespace: string;
    /** True in the root namespace: the objects are mesh-wide. */
    readonly meshWide: boolean;
    /** In the order istiod sorts them when created in the same second: name, then namespace. */
    readonly objects: readonly BaselineObject<T>[];
}

/** Every namespace (and the root namespace) with more than one object of the same baseline role. */
export function findDuplicateBaselines<T>(objects: readonly BaselineObject<T>[], rootNamespace: string): DuplicateBaseline<T>[] {
    const groups = new Map<string, { role: BaselineRole; namespace: string; objects: BaselineObject<T>[] }>();
    for (const object of objects) {
        const role = baselineRole(object.kind, object.spec);
        if (role === undefined) continue;
        const key = `${role}\u0000${object.namespace}`;
        const group = groups.get(key) ?? { role, namespace: object.namespace, objects: [] };
        group.objects.push(object);
        groups.set(key, group);
    }
    const out: DuplicateBaseline<T>[] = [];
    for (const group of groups.values()) {
        if (group.objects.length < 2) continue;
        const sorted = [...group.objects].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        out.push({ role: group.role, namespace: group.namespace, meshWide: group.namespace === rootNamespace, objects: sorted });
    }
    return out;
}

/** What Istio does with duplicates, for messages (checked against istiod 1.30). */
export function duplicateConsequence<T>(duplicate: DuplicateBaseline<T>): string {
    const names = duplicate.objects.map((o) => o.name);
    const sameName = new Set(names).size < names.length;
    if (sameName) {
        return `they are one Kubernetes object (${duplicate.namespace}/${names[0]}) declared by ${names.length} resources: the second create fails, and deleting either resource deletes the object the other one relies on`;
    }
    if (duplicate.role === "namespace-wide-peer-authentication") {
        // pilot/pkg/model/authentication.go addPeerAuthentication keeps the first of the configs sorted
        // by pilot/pkg/model/config.go configCompareByCreationTime: creation time (seconds), then name.
        return `Istio honours only the oldest by creation time and ignores the others; created in the same second (one deployment), ${duplicate.namespace}/${names[0]} wins by name order, so which mode applies depends on creation order`;
    }
    return "Istio applies all of them (allow-nothing policies add up), so the namespace's default deny has two owners: removing it from one changes nothing, and the two drift apart unnoticed";
}

/** How to keep one owner when MeshNamespace and MeshPolicy both emit the baseline. */
export const SINGLE_OWNER_FIX = 'give MeshPolicy `mtls: "inherit", defaultDeny: false`, or MeshNamespace `mtls: false, defaultDeny: false`';

function hasSelector(selector: unknown): boolean {
    if (!isRecord(selector)) return false;
    const labels = selector["matchLabels"];
    return isRecord(labels) && Object.keys(labels).length > 0;
}

function hasTargetRefs(spec: Record<string, unknown>): boolean {
    return (spec["targetRef"] !== undefined && spec["targetRef"] !== null) || (Array.isArray(spec["targetRefs"]) && spec["targetRefs"].length > 0);
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}
