/**
 * One reading of a resource's properties per Analyze request instead of one per policy.
 *
 * The SDK deserializes the request's properties afresh for every policy and wraps them in a new
 * unknown-checking proxy (@pulumi/policy server.js makeAnalyzeRpcFun), so nothing identifies "the
 * same request" across policies except the content. Copying the object through the proxy was a
 * large part of the pack's time under load, repeated by every policy that applies to the kind. The
 * key is the content the proxy wraps (its `__getSpecialProxyTarget`, proxy.js), serialized with
 * everything else the reading depends on; the SDK's unknown sentinels are strings, so a known and
 * an unknown value never share a key. JSON prints NaN, ±Infinity and null alike (null), so content
 * with any `null` is not cached at all. A bounded map: the requests in flight at once (the engine
 * analyzes a few in parallel) stay in it, older ones drop out.
 */

/** @pulumi/policy proxy.js: reading this key on its proxy returns the wrapped object. */
const PROXY_TARGET = "__getSpecialProxyTarget";
const IS_PROXY = "__isSpecialProxy";
const MAX_ENTRIES = 64;

const entries = new Map<string, unknown>();

/** The object behind the SDK's proxy, or undefined for anything else (tests pass plain objects). */
function proxyTarget(value: unknown): unknown {
    if (value === null || typeof value !== "object") return undefined;
    const record = value as Record<string, unknown>;
    return record[IS_PROXY] === true ? record[PROXY_TARGET] : undefined;
}

/**
 * The cache key of a reading of SDK-proxied properties (`props`, optional `providerProps`) with
 * `parameters`, or undefined when the properties are not the SDK's proxy (then nothing is cached).
 */
export function readingKey(props: unknown, providerProps: unknown, parameters: readonly unknown[]): string | undefined {
    const target = proxyTarget(props);
    if (target === undefined) return undefined;
    const provider = providerProps === undefined ? 0 : proxyTarget(providerProps);
    if (provider === undefined) return undefined;
    const key = JSON.stringify([parameters, target, provider]);
    return key.includes("null") ? undefined : key;
}

/** The cached reading under `key`, made by `read` on a miss. */
export function cachedReading<T>(key: string | undefined, read: () => T): T {
    if (key === undefined) return read();
    if (entries.has(key)) return entries.get(key) as T;
    const value = read();
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
    entries.set(key, value);
    return value;
}
