/**
 * The Pulumi wire encoding of property values (what the engine and an analyzer see), and its
 * conversion to plain data for rendering. Constants are the SDK's own (runtime/rpc).
 */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** Placeholder text written where a value is not known until the resource is really created. */
export const UNKNOWN_PLACEHOLDER = "<unknown until deployed>";

/**
 * Decodes wire values to plain data: secrets are unwrapped, resource references become their URN
 * (or id), and unknown values become `unknown` (default: UNKNOWN_PLACEHOLDER).
 */
export function toPlainValue(value: unknown, unknown: unknown = UNKNOWN_PLACEHOLDER): unknown {
    if (value === UNKNOWN_SENTINEL) return unknown;
    if (Array.isArray(value)) return value.map((v) => toPlainValue(v, unknown));
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        const sig = obj[SIG_KEY];
        if (sig === SECRET_SIG) return toPlainValue(obj["value"], unknown);
        if (sig === RESOURCE_SIG) return obj["id"] !== undefined && obj["id"] !== "" ? obj["id"] : obj["urn"];
        if (sig === OUTPUT_VALUE_SIG) return "value" in obj ? toPlainValue(obj["value"], unknown) : unknown;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) out[k] = toPlainValue(v, unknown);
        return out;
    }
    return value;
}

/** True when the wire value (or anything inside it) is unknown at preview. */
export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN_SENTINEL) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}
