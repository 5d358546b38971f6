import { UnknownValueError } from "@pulumi/policy";
import { proxyTarget, UNKNOWN_SENTINELS } from "./sdk-proxy";

/**
 * Values not known during `pulumi preview`, carried as markers instead of thrown at once.
 *
 * The SDK hands resource inputs over wrapped in its unknown-checking proxy, which throws
 * `UnknownValueError` as soon as an unknown value is read; the SDK then reports the whole policy
 * as "can't run ... during preview" (advisory) for that resource (@pulumi/policy proxy.js,
 * server.js). Reading a whole object through it therefore turns every verdict into an advisory as
 * soon as any one field is unknown — even a verdict that does not depend on that field. Here the
 * inputs are copied once with each unknown replaced by an `UnknownValue` marker, so each check can
 * decide whether its verdict depends on an unknown.
 */
export class UnknownValue {
    constructor(
        /** Dotted property path of the unknown value (`metadata.namespace`). */
        readonly path: string,
        /** The SDK's error for it, rethrown by `strictView` so the SDK reports it as it always does. */
        readonly error: UnknownValueError,
    ) {
        Object.freeze(this);
    }
}

export function isUnknownValue(value: unknown): value is UnknownValue {
    return value instanceof UnknownValue;
}

/**
 * A deep plain copy of a value read through the SDK proxy, with every unknown replaced by an
 * `UnknownValue` marker. Keys are defined as own properties, so hostile keys (`__proto__`,
 * `constructor`) stay data and never change a prototype.
 *
 * The SDK's proxy wraps every object it returns in a new proxy, so copying through it costs a
 * proxy per property; the copy is made from the wrapped object instead, and each unknown is read
 * through the proxy (the only place its `UnknownValueError` comes from). The copies that hold an
 * unknown are remembered (`holdsUnknown`), so `strictView` hands out every other one as it is.
 */
export function readWithUnknowns(value: unknown): unknown {
    const target = UNKNOWN_SENTINELS === undefined ? undefined : proxyTarget(value);
    const found = { unknowns: 0 };
    if (target === undefined) return copyThrough(value, found);
    return copyWrapped(target, value as object, [], UNKNOWN_SENTINELS as ReadonlySet<string>, found);
}

/** Copies (of `readWithUnknowns`, or built from its markers) that hold an unknown at some depth. */
const HOLDERS = new WeakSet<object>();

/** True when a copy made by `readWithUnknowns` (or a container of its markers) holds an unknown at some depth. */
export function holdsUnknown(copy: unknown): boolean {
    return copy !== null && typeof copy === "object" && (isUnknownValue(copy) || HOLDERS.has(copy));
}

/** Remembers `copy` as holding an unknown when one was found since `before` (marking only those: they are rare). */
export function markIfHolding<T extends object>(copy: T, found: { unknowns: number }, before: number): T {
    if (found.unknowns > before) HOLDERS.add(copy);
    return copy;
}

/** The copy read property by property through `value` (an SDK proxy or plain data). */
function copyThrough(value: unknown, found: { unknowns: number }): unknown {
    if (isUnknownValue(value)) {
        found.unknowns++;
        return value;
    }
    const before = found.unknowns;
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) out.push(copyThrough(readProperty(value, String(i)), found));
        return markIfHolding(out, found, before);
    }
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) setOwn(out, key, copyThrough(readProperty(value, key), found));
        return markIfHolding(out, found, before);
    }
    return value;
}

/** The copy of `raw`, found at `path` under the SDK proxy `root`; unknowns are read through `root`. */
function copyWrapped(raw: unknown, root: object, path: string[], sentinels: ReadonlySet<string>, found: { unknowns: number }): unknown {
    if (typeof raw === "string" && sentinels.has(raw)) return unknownAt(root, path, found);
    const before = found.unknowns;
    if (Array.isArray(raw)) {
        const out: unknown[] = [];
        for (let i = 0; i < raw.length; i++) {
            path.push(String(i));
            out.push(copyWrapped(raw[i], root, path, sentinels, found));
            path.pop();
        }
        return markIfHolding(out, found, before);
    }
    if (raw !== null && typeof raw === "object") {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(raw)) {
            path.push(key);
            setOwn(out, key, copyWrapped((raw as Record<string, unknown>)[key], root, path, sentinels, found));
            path.pop();
        }
        return markIfHolding(out, found, before);
    }
    return raw;
}

/** What the SDK's proxy gives for `path` under `root`: the marker of the unknown it throws on. */
function unknownAt(root: object, path: readonly string[], found: { unknowns: number }): unknown {
    let value: unknown = root;
    for (const key of path) {
        const read = readProperty(value as object, key);
        if (isUnknownValue(read)) {
            found.unknowns++;
            return read;
        }
        value = read;
    }
    return copyThrough(value, found);
}

/** Defines `key` on a fresh plain object as an own enumerable data property, as assignment would (also for `__proto__`). */
export function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
    // Only `__proto__` is not plain data on assignment: it would change the prototype.
    if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
}

function readProperty(container: object, key: string): unknown {
    try {
        return (container as Record<string, unknown>)[key];
    } catch (err: unknown) {
        if (!(err instanceof UnknownValueError)) throw err;
        const error: UnknownValueError = err;
        return new UnknownValue(fieldPath(error.props.map(String)), error);
    }
}

/** `spec.subsets[0].trafficPolicy` from the SDK's property path. */
function fieldPath(props: readonly string[]): string {
    return props.reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out === "" ? p : `${out}.${p}`), "");
}

/**
 * A view of a copy made by `readWithUnknowns` that throws the SDK's `UnknownValueError`
 * when an unknown is read, like the SDK's own proxy, but only then: code that never reads the
 * unknown field is unaffected. Checks that do not handle markers themselves read through it, so
 * an unknown is never mistaken for an absent (compliant) value. `value` is such a copy, or a
 * container of its markers remembered with `markIfHolding`: a copy that holds no unknown needs no
 * view and is returned as it is.
 */
export function strictView<T>(value: T): T {
    if (value === null || typeof value !== "object" || isUnknownValue(value)) return value;
    if (!HOLDERS.has(value)) return value;
    return new Proxy(value as object, {
        get: (target, prop) => {
            const field = (target as Record<string | symbol, unknown>)[prop];
            if (isUnknownValue(field)) throw field.error;
            const own = Object.getOwnPropertyDescriptor(target, prop);
            // Non-writable, non-configurable own properties must be returned as they are (Proxy invariant).
            if (own !== undefined && "value" in own && !own.writable && !own.configurable) return field;
            return strictView(field);
        },
    }) as T;
}

/** The first unknown inside a value (depth-first), or undefined when it is fully known. */
export function firstUnknown(value: unknown): UnknownValue | undefined {
    if (isUnknownValue(value)) return value;
    if (Array.isArray(value)) {
        for (const item of value) {
            const found = firstUnknown(item);
            if (found !== undefined) return found;
        }
        return undefined;
    }
    if (value !== null && typeof value === "object") {
        for (const key of Object.keys(value)) {
            const found = firstUnknown((value as Record<string, unknown>)[key]);
            if (found !== undefined) return found;
        }
    }
    return undefined;
}

/** A record (not an array, not an unknown marker), else undefined. */
export function knownRecord(value: unknown): Record<string, unknown> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) && !isUnknownValue(value) ? (value as Record<string, unknown>) : undefined;
}

/** Every unknown inside a value, depth-first. */
export function allUnknowns(value: unknown, out: UnknownValue[] = []): UnknownValue[] {
    if (isUnknownValue(value)) {
        out.push(value);
    } else if (Array.isArray(value)) {
        for (const item of value) allUnknowns(item, out);
    } else if (value !== null && typeof value === "object") {
        for (const key of Object.keys(value)) allUnknowns((value as Record<string, unknown>)[key], out);
    }
    return out;
}

/**
 * The value with each unknown replaced by a placeholder of its type (the SDK's sentinel says which):
 * for checks that need a complete value, whose findings at or next to an unknown are then discarded.
 */
export function withPlaceholders(value: unknown): unknown {
    if (isUnknownValue(value)) {
        const type = value.error.message.split(" ")[0];
        return type === "number" ? 0 : type === "boolean" ? false : type === "Array" ? [] : type === "Object" ? {} : "unknown";
    }
    if (Array.isArray(value)) return value.map(withPlaceholders);
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) {
            Object.defineProperty(out, key, { value: withPlaceholders((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
        }
        return out;
    }
    return value;
}
