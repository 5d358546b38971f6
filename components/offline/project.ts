import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";

/** A Pulumi project on disk, as the CLI reads it from `Pulumi.yaml` and `Pulumi.<stack>.yaml`. */
export interface PulumiProject {
    readonly dir: string;
    readonly name: string;
    /** Absolute path of the program's entry module. */
    readonly main: string;
    /** Stack configuration (`project:key` → string), project defaults overlaid by the stack file. */
    readonly config: Record<string, string>;
}

/** Reads the project in `dir`; errors name the file and what is wrong with it. */
export function loadProject(dir: string, stack: string): PulumiProject {
    const projectFile = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(projectFile)) {
        throw new Error(`no Pulumi project at ${dir}: ${projectFile} does not exist`);
    }
    const doc = readYamlObject(projectFile);
    const name = doc["name"];
    if (typeof name !== "string" || name === "") {
        throw new Error(`${projectFile}: "name" must be a non-empty string`);
    }
    const runtime = typeof doc["runtime"] === "object" && doc["runtime"] !== null
        ? (doc["runtime"] as Record<string, unknown>)["name"]
        : doc["runtime"];
    if (runtime !== "nodejs") {
        throw new Error(`${projectFile}: runtime must be "nodejs" to run offline (found ${JSON.stringify(runtime)})`);
    }
    const main = resolveMain(dir, typeof doc["main"] === "string" ? doc["main"] : undefined, projectFile);
    const config = { ...projectDefaults(name, doc["config"]), ...stackConfig(dir, stack) };
    return { dir, name, main, config };
}

function resolveMain(dir: string, main: string | undefined, projectFile: string): string {
    const base = path.resolve(dir, main ?? ".");
    const candidates = [base, `${base}.ts`, `${base}.js`, path.join(base, "index.ts"), path.join(base, "index.js")];
    const found = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
    if (!found) {
        throw new Error(`${projectFile}: program entry point not found (looked for ${candidates.map((c) => path.relative(dir, c) || ".").join(", ")})`);
    }
    return found;
}

function projectDefaults(project: string, config: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (typeof config !== "object" || config === null) return out;
    for (const [key, spec] of Object.entries(config as Record<string, unknown>)) {
        const value = typeof spec === "object" && spec !== null && "default" in spec
            ? (spec as Record<string, unknown>)["default"]
            : typeof spec === "object" ? undefined : spec;
        if (value !== undefined) out[qualify(project, key)] = asConfigString(value);
    }
    return out;
}

function stackConfig(dir: string, stack: string): Record<string, string> {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) return {};
    const config = readYamlObject(file)["config"];
    const out: Record<string, string> = {};
    if (typeof config === "object" && config !== null) {
        for (const [key, value] of Object.entries(config)) out[key] = asConfigString(value);
    }
    return out;
}

function qualify(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

function asConfigString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

function readYamlObject(file: string): Record<string, unknown> {
    let doc: unknown;
    try {
        doc = parseYaml(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new Error(`${file}: invalid YAML: ${(err as Error).message}`);
    }
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
        throw new Error(`${file}: expected a YAML mapping at the top level`);
    }
    return doc as Record<string, unknown>;
}
