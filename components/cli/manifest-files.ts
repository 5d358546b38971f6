import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { KubeObject } from "../render";
import { displayPath } from "./text";

/** A Kubernetes object read from a YAML file. */
export interface LoadedManifest {
    /** The file as the user named it (relative to the working directory when inside it). */
    readonly file: string;
    /** 1-based index of the YAML document in the file. */
    readonly document: number;
    readonly object: KubeObject;
}

/** Every problem found in the inputs, one line each, naming the file and the document. */
export class ManifestLoadError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(problems.join("\n"));
        this.name = "ManifestLoadError";
    }
}

const YAML_FILE = /\.ya?ml$/i;

/**
 * Reads multi-document YAML files and directories (recursively, `*.yaml` and `*.yml`, in name
 * order). Empty documents are skipped; a `kind: List` contributes its items. Throws a
 * ManifestLoadError listing every invalid document rather than checking a partial set.
 */
export function loadManifests(inputs: readonly string[], cwd: string): { manifests: LoadedManifest[]; files: string[] } {
    const problems: string[] = [];
    const files: string[] = [];
    for (const input of inputs) {
        const absolute = path.resolve(cwd, input);
        if (!fs.existsSync(absolute)) {
            problems.push(`${input}: no such file or directory`);
        } else if (fs.statSync(absolute).isDirectory()) {
            const found = yamlFilesUnder(absolute);
            if (found.length === 0) problems.push(`${input}: no *.yaml or *.yml files in this directory`);
            files.push(...found);
        } else {
            files.push(absolute);
        }
    }
    const manifests: LoadedManifest[] = [];
    const shown = files.map((f) => displayPath(f, cwd));
    files.forEach((file, i) => manifests.push(...readFile(file, shown[i], problems)));
    if (problems.length > 0) throw new ManifestLoadError(problems);
    return { manifests, files: shown };
}

function yamlFilesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true })
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .flatMap((entry) => {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) return yamlFilesUnder(full);
            return entry.isFile() && YAML_FILE.test(entry.name) ? [full] : [];
        });
}

function readFile(file: string, shown: string, problems: string[]): LoadedManifest[] {
    const out: LoadedManifest[] = [];
    // YAML 1.1, as kubectl reads it: `inject: off` is the boolean false, not the string "off".
    parseAllDocuments(fs.readFileSync(file, "utf8"), { version: "1.1" }).forEach((doc, i) => {
        const where = `${shown}: document ${i + 1}`;
        if (doc.errors.length > 0) {
            problems.push(`${where}: invalid YAML: ${doc.errors[0].message.split("\n")[0]}`);
            return;
        }
        const value: unknown = doc.toJS();
        if (value === null || value === undefined) return;
        const items = isList(value) ? (value as { items: unknown[] }).items.map((item, j) => [`${where}, item ${j + 1}`, item] as const) : [[where, value] as const];
        for (const [at, item] of items) {
            const problem = objectProblem(item);
            if (problem) problems.push(`${at}: ${problem}`);
            else out.push({ file: shown, document: i + 1, object: item as KubeObject });
        }
    });
    return out;
}

function isList(value: unknown): boolean {
    const obj = value as Record<string, unknown>;
    return typeof obj === "object" && obj !== null && typeof obj["kind"] === "string" && obj["kind"].endsWith("List") && Array.isArray(obj["items"]);
}

function objectProblem(value: unknown): string | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return `expected a Kubernetes object (a mapping with apiVersion and kind), found ${Array.isArray(value) ? "a list" : JSON.stringify(value)}`;
    }
    const obj = value as Record<string, unknown>;
    const missing = ["apiVersion", "kind"].filter((k) => typeof obj[k] !== "string" || obj[k] === "");
    if (missing.length > 0) return `not a Kubernetes object: missing ${missing.map((k) => `"${k}"`).join(" and ")}`;
    const name = (obj["metadata"] as Record<string, unknown> | undefined)?.["name"];
    if (typeof name !== "string" || name === "") return `${obj["kind"]} without metadata.name (every object needs a name)`;
    return undefined;
}

