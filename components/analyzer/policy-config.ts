import { PolicyDescription } from "./types";

export type EnforcementLevelName = "advisory" | "mandatory" | "remediate" | "disabled";
const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

/** One policy's config as the CLI sends it in Configure. */
export interface PolicyConfigEntry {
    enforcementLevel: EnforcementLevelName;
    properties: Record<string, unknown>;
}

/** A policy configuration that does not fit the pack (the CLI reports it as a usage error). */
export class PolicyConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`invalid policy config:\n${problems.map((e) => `  - ${e}`).join("\n")}`);
        this.name = "PolicyConfigError";
    }
}

/**
 * Reconciles a policy config file with the pack's policies the way the Pulumi CLI does
 * (ReconcilePolicyPackConfig): every policy starts from its own enforcement level and its schema
 * defaults, `"all": "<level>"` overrides every level, then each policy's entry (a level string,
 * or an object with an optional `enforcementLevel` and properties) is applied, and the result is
 * validated against the policy's config schema. Stricter than the CLI in one way (fail closed):
 * unknown policy names and unknown config properties are errors, not silently ignored typos.
 */
export function reconcilePolicyConfig(policies: readonly PolicyDescription[], given: Record<string, unknown> = {}): Record<string, PolicyConfigEntry> {
    const errors: string[] = [];
    const result: Record<string, PolicyConfigEntry> = {};
    for (const policy of policies) {
        const properties: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
            if ("default" in schema) properties[key] = structuredClone(schema["default"]);
        }
        result[policy.name] = { enforcementLevel: asLevel(policy.enforcementLevel) ?? "advisory", properties };
    }
    const parsed = parseGiven(given, errors);
    const all = parsed.get("all");
    if (all?.enforcementLevel !== undefined) {
        for (const entry of Object.values(result)) entry.enforcementLevel = all.enforcementLevel;
    }
    for (const [name, entry] of parsed) {
        if (name === "all") continue;
        // Own properties only: "constructor" or "__proto__" must not reach Object.prototype.
        const target = Object.hasOwn(result, name) ? result[name] : undefined;
        if (target === undefined) {
            errors.push(`"${name}" is not a policy of this pack (policies: ${policies.map((p) => p.name).join(", ")})`);
            continue;
        }
        if (entry.enforcementLevel !== undefined) target.enforcementLevel = entry.enforcementLevel;
        Object.assign(target.properties, entry.properties);
    }
    for (const policy of policies) validateProperties(policy, result[policy.name].properties, errors);
    if (errors.length > 0) throw new PolicyConfigError(errors);
    return result;
}

function asLevel(value: unknown): EnforcementLevelName | undefined {
    return typeof value === "string" && LEVELS.includes(value) ? (value as EnforcementLevelName) : undefined;
}

function parseGiven(given: Record<string, unknown>, errors: string[]): Map<string, { enforcementLevel?: EnforcementLevelName; properties: Record<string, unknown> }> {
    const out = new Map<string, { enforcementLevel?: EnforcementLevelName; properties: Record<string, unknown> }>();
    for (const [name, value] of Object.entries(given)) {
        if (typeof value === "string") {
            const level = asLevel(value);
            if (level === undefined) errors.push(`${name}: "${value}" is not a valid enforcement level (${LEVELS.join(", ")})`);
            else out.set(name, { enforcementLevel: level, properties: {} });
        } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            const level = enforcementLevel === undefined ? undefined : asLevel(enforcementLevel);
            if (enforcementLevel !== undefined && level === undefined) {
                errors.push(`${name}.enforcementLevel: ${JSON.stringify(enforcementLevel)} is not a valid enforcement level (${LEVELS.join(", ")})`);
            }
            out.set(name, { enforcementLevel: level, properties });
        } else {
            errors.push(`${name}: ${JSON.stringify(value)} is not a valid value; must be an enforcement level or an object`);
        }
    }
    return out;
}

/** The JSON-schema subset policy config schemas use: type, items, enum, minLength, required. */
function validateProperties(policy: PolicyDescription, properties: Record<string, unknown>, errors: string[]): void {
    const schema = policy.configSchema?.properties ?? {};
    for (const [key, value] of Object.entries(properties)) {
        const propertySchema = schema[key];
        if (propertySchema === undefined) {
            const known = Object.keys(schema);
            errors.push(`${policy.name}.${key}: unknown config property (${known.length === 0 ? "the policy takes none" : `known: ${known.join(", ")}`})`);
            continue;
        }
        const problem = schemaProblem(propertySchema, value);
        if (problem !== undefined) errors.push(`${policy.name}.${key}: ${problem}`);
    }
    for (const required of policy.configSchema?.required ?? []) {
        if (!(required in properties)) errors.push(`${policy.name}.${required}: is required`);
    }
}

function schemaProblem(schema: Record<string, unknown>, value: unknown): string | undefined {
    const type = schema["type"];
    const actual = Array.isArray(value) ? "array" : value === null ? "null" : Number.isInteger(value) ? "integer" : typeof value;
    const matches = type === undefined || type === actual || (type === "number" && actual === "integer");
    if (!matches) return `must be of type ${String(type)} (found ${actual})`;
    const allowed = schema["enum"];
    if (Array.isArray(allowed) && !allowed.includes(value)) return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`;
    if (typeof value === "string" && typeof schema["minLength"] === "number" && value.length < schema["minLength"]) {
        return `must be at least ${schema["minLength"]} character(s) long`;
    }
    if (Array.isArray(value) && schema["items"] !== null && typeof schema["items"] === "object") {
        for (let i = 0; i < value.length; i++) {
            const problem = schemaProblem(schema["items"] as Record<string, unknown>, value[i]);
            if (problem !== undefined) return `[${i}] ${problem}`;
        }
    }
    return undefined;
}
