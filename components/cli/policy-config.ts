import * as fs from "fs";
import * as path from "path";
import { UsageError } from "./usage-error";

/**
 * Reads a policy configuration file: the JSON object `pulumi preview --policy-pack-config` takes
 * (policy name → enforcement level, or → {enforcementLevel, ...settings}).
 */
export function readPolicyConfig(file: string, cwd: string): Record<string, unknown> {
    const absolute = path.resolve(cwd, file);
    if (!fs.existsSync(absolute)) throw new UsageError(`--policy-config ${file}: no such file`);
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(absolute, "utf8"));
    } catch (err) {
        throw new UsageError(`--policy-config ${file}: invalid JSON: ${(err as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new UsageError(`--policy-config ${file}: expected a JSON object of policy name → configuration`);
    }
    return parsed as Record<string, unknown>;
}
