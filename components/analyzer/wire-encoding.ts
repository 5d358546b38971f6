import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { UNKNOWN_SENTINEL } from "../offline/wire-values";

// Signatures of Pulumi's property encoding (sdk/nodejs/runtime/rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/**
 * Re-encodes registered inputs the way the engine marshals properties for an analyzer
 * (MarshalOptions{KeepUnknowns, KeepSecrets, SkipInternalKeys}, no resource references, no output
 * values): unknowns stay the unknown sentinel, secrets stay wrapped, a resource reference becomes
 * its id (or URN when the id is unknown or empty), an output value becomes its value (unknown →
 * sentinel, secret → wrapped), and keys starting with "__" are dropped.
 */
export function toAnalyzerValue(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(toAnalyzerValue);
    if (value === null || typeof value !== "object") return value;
    const obj = value as Record<string, unknown>;
    const sig = obj[SIG_KEY];
    if (sig === SECRET_SIG) return { [SIG_KEY]: SECRET_SIG, value: toAnalyzerValue(obj["value"]) };
    if (sig === RESOURCE_SIG) {
        const id = obj["id"];
        return typeof id === "string" && id !== "" && id !== UNKNOWN_SENTINEL ? id : obj["urn"];
    }
    if (sig === OUTPUT_VALUE_SIG) {
        const inner = "value" in obj ? toAnalyzerValue(obj["value"]) : UNKNOWN_SENTINEL;
        return obj["secret"] === true ? { [SIG_KEY]: SECRET_SIG, value: inner } : inner;
    }
    if (sig !== undefined) return obj; // assets and archives pass through unchanged
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
        if (k.startsWith("__") || v === undefined) continue;
        out[k] = toAnalyzerValue(v);
    }
    return out;
}

/** Inputs as the google.protobuf.Struct an AnalyzeRequest carries. */
export function toPropertiesStruct(inputs: Record<string, unknown>): Struct {
    return Struct.fromJavaScript(toAnalyzerValue(inputs) as Record<string, never>);
}
