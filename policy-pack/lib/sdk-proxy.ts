/**
 * What the pack knows about @pulumi/policy's unknown-checking proxy (proxy.js): how to reach the
 * object it wraps, and which values it reports as unknown. Reading the wrapped object directly
 * (instead of through a new proxy per property) is what makes one reading per request cheap; the
 * SDK's own proxy still produces every error the pack reports (see preview-values.ts).
 */

/** proxy.js: reading this key on its proxy returns the wrapped object. */
const PROXY_TARGET = "__getSpecialProxyTarget";
const IS_PROXY = "__isSpecialProxy";

/** The object behind the SDK's proxy, or undefined for anything else. */
export function proxyTarget(value: unknown): object | undefined {
    if (value === null || typeof value !== "object") return undefined;
    const record = value as Record<string, unknown>;
    if (record[IS_PROXY] !== true) return undefined;
    const target = record[PROXY_TARGET];
    return target !== null && typeof target === "object" ? target : undefined;
}

/**
 * The sentinel strings the SDK's proxy throws `UnknownValueError` on (proxy.js `isUnknown`: its
 * seven `unknown*Value` exports), or undefined when the SDK's module does not have that shape or
 * its proxy does not treat them as unknown: then the pack reads through the proxy only.
 */
export const UNKNOWN_SENTINELS: ReadonlySet<string> | undefined = loadSentinels();

function loadSentinels(): ReadonlySet<string> | undefined {
    let sdk: Record<string, unknown>;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's internal module, resolved where the pack resolves @pulumi/policy
        sdk = require("@pulumi/policy/proxy") as Record<string, unknown>;
    } catch {
        return undefined;
    }
    const wrap = sdk["unknownCheckingProxy"];
    const sentinels = Object.keys(sdk)
        .filter((key) => /^unknown[A-Z][A-Za-z]*Value$/.test(key))
        .map((key) => sdk[key]);
    if (typeof wrap !== "function" || sentinels.length === 0 || !sentinels.every((s): s is string => typeof s === "string")) return undefined;
    for (const sentinel of sentinels) {
        const proxy = (wrap as (o: object) => Record<string, unknown>)({ value: sentinel });
        try {
            void proxy["value"];
            return undefined;
        } catch {
            // what the proxy does with an unknown: the set is right for this SDK
        }
    }
    return new Set(sentinels);
}
