import { proxyTarget } from "./sdk-proxy";

/**
 * One reading of a resource's properties per Analyze request instead of one per policy.
 *
 * The SDK wraps a request's properties in a new unknown-checking proxy for every policy
 * (@pulumi/policy server.js makeAnalyzeRpcFun); the object behind the proxy (its
 * `__getSpecialProxyTarget`, proxy.js) is the same for every policy of one request because the
 * pack shares the deserialized properties per request (request-properties.ts). So a reading is
 * kept per wrapped object, by identity (a WeakMap: it lives as long as the request), under the
 * parameters the reading depends on and the provider's wrapped object. Copying the object through
 * the proxy was a large part of the pack's time under load, repeated by every policy that applies
 * to the kind. Plain objects (tests call policies directly) are not cached.
 */

/** A reading's identity: the wrapped properties, the wrapped provider properties (or none), the parameters. */
export interface ReadingKey {
    readonly target: object;
    readonly provider: object | undefined;
    readonly parameters: readonly (string | boolean)[];
}

interface Reading {
    readonly provider: object | undefined;
    readonly parameters: readonly (string | boolean)[];
    readonly value: unknown;
}

const readings = new WeakMap<object, Reading[]>();

/**
 * The cache key of a reading of SDK-proxied properties (`props`, optional `providerProps`) with
 * `parameters` (strings and booleans), or undefined when the properties are not the SDK's proxy
 * (then nothing is cached).
 */
export function readingKey(props: unknown, providerProps: unknown, parameters: readonly (string | boolean)[]): ReadingKey | undefined {
    const target = proxyTarget(props);
    if (target === undefined) return undefined;
    const provider = providerProps === undefined ? undefined : proxyTarget(providerProps);
    if (providerProps !== undefined && provider === undefined) return undefined;
    return { target, provider, parameters };
}

/** The cached reading under `key`, made by `read` on a miss. */
export function cachedReading<T>(key: ReadingKey | undefined, read: () => T): T {
    if (key === undefined) return read();
    let list = readings.get(key.target);
    const hit = list?.find((r) => r.provider === key.provider && sameParameters(r.parameters, key.parameters));
    if (hit !== undefined) return hit.value as T;
    const value = read();
    if (list === undefined) {
        list = [];
        readings.set(key.target, list);
    }
    // A copy is kept: the caller's list is only looked at during this call.
    list.push({ provider: key.provider, parameters: [...key.parameters], value });
    return value;
}

/** The same parameters, one by one (no key string built per call: readings are looked up for every policy). */
function sameParameters(a: readonly (string | boolean)[], b: readonly (string | boolean)[]): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
}
