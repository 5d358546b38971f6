import * as fs from "fs";
import * as path from "path";
import { KubeObject } from "../render";
import { displayPath, quote, shown } from "./text";
import { parseYamlFile, YAML_LIMITS } from "./yaml-documents";

/** A Kubernetes object read from a YAML file. */
export interface LoadedManifest {
    /** The file as the user named it (relative to the working directory when inside it). */
    readonly file: string;
    /** 1-based index of the YAML document in the file. */
    readonly document: number;
    readonly object: KubeObject;
}

/** What loadManifests read: the objects, every file read, and the files that held no object. */
export interface LoadedManifests {
    readonly manifests: LoadedManifest[];
    readonly files: string[];
    readonly emptyFiles: string[];
}

/** Every problem found in the inputs, one entry each, naming the file and the document. */
export class ManifestLoadError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(problems.join("\n"));
        this.name = "ManifestLoadError";
    }
}

/** "cannot read the manifests:" and each problem indented, its continuation lines (a YAML excerpt) too. */
export function manifestProblemsText(err: ManifestLoadError): string {
    return `cannot read the manifests:\n${err.problems.map((p) => `${p.split("\n").map((line) => `  ${line}`).join("\n")}\n`).join("")}`;
}

const YAML_FILE = /\.ya?ml$/i;

/**
 * Reads multi-document YAML files and directories (recursively, `*.yaml` and `*.yml`, in name
 * order, following symbolic links to files and directories; a file reached twice is read once).
 * Empty documents are skipped; a `kind: List` contributes its items. Throws a ManifestLoadError
 * listing every problem (unreadable or invalid files, symbolic link loops, limits) rather than
 * checking a partial set.
 */
export function loadManifests(inputs: readonly string[], cwd: string): LoadedManifests {
    const problems: string[] = [];
    const files = new FileSet();
    for (const input of inputs) {
        const absolute = path.resolve(cwd, input);
        const stat = statFollowing(absolute, input, problems);
        if (stat === undefined) continue;
        if (stat.isDirectory()) {
            const [filesBefore, problemsBefore] = [files.size, problems.length];
            collectYamlFiles(absolute, input, [realpathOf(absolute)], files, problems);
            if (files.size === filesBefore && problems.length === problemsBefore) problems.push(`${input}: no *.yaml or *.yml files in this directory`);
        } else if (stat.isFile()) {
            files.add(absolute);
        } else {
            problems.push(`${input}: not a regular file or directory`);
        }
    }
    const manifests: LoadedManifest[] = [];
    const shown = files.list.map((f) => displayPath(f, cwd));
    const emptyFiles: string[] = [];
    files.list.forEach((file, i) => {
        const found = readFile(file, shown[i], problems);
        if (found.length === 0) emptyFiles.push(shown[i]);
        manifests.push(...found);
    });
    if (problems.length > 0) throw new ManifestLoadError(problems);
    return { manifests, files: shown, emptyFiles };
}

/** Files in the order found, each real file once. */
class FileSet {
    readonly list: string[] = [];
    private readonly real = new Set<string>();
    get size(): number {
        return this.list.length;
    }
    add(file: string): void {
        const real = realpathOf(file);
        if (this.real.has(real)) return;
        this.real.add(real);
        this.list.push(file);
    }
}

/**
 * Adds the YAML files under `dir`. `ancestors` are the real paths of the directories being read
 * (this one included): a link back to one of them is a loop, reported with the link and its target.
 */
function collectYamlFiles(dir: string, shownDir: string, ancestors: readonly string[], files: FileSet, problems: string[]): void {
    let entries: fs.Dirent[];
    try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
        problems.push(`${shownDir}: cannot read this directory: ${fsReason(err)}`);
        return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
        const full = path.join(dir, entry.name);
        const shown = path.join(shownDir, entry.name);
        let isDirectory = entry.isDirectory();
        let isFile = entry.isFile();
        if (entry.isSymbolicLink()) {
            const stat = statFollowing(full, shown, problems);
            if (stat === undefined) continue;
            isDirectory = stat.isDirectory();
            isFile = stat.isFile();
        }
        if (isDirectory) {
            const real = realpathOf(full);
            if (ancestors.includes(real)) {
                problems.push(`${shown}: symbolic link loop: ${shown} -> ${real}, a directory that contains this link (not followed)`);
                continue;
            }
            collectYamlFiles(full, shown, [...ancestors, real], files, problems);
        } else if (isFile && YAML_FILE.test(entry.name)) {
            files.add(full);
        }
    }
}

/** fs.statSync following links; a problem (broken link, link loop, no permission) when it fails. */
function statFollowing(file: string, shown: string, problems: string[]): fs.Stats | undefined {
    try {
        return fs.statSync(file);
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ELOOP") problems.push(`${shown}: symbolic link loop: ${linkChain(file).join(" -> ")}`);
        else if (code === "ENOENT" && isLink(file)) problems.push(`${shown}: broken symbolic link: its target ${fs.readlinkSync(file)} does not exist`);
        else if (code === "ENOENT") problems.push(`${shown}: no such file or directory`);
        else problems.push(`${shown}: cannot read: ${fsReason(err)}`);
        return undefined;
    }
}

function isLink(file: string): boolean {
    try {
        return fs.lstatSync(file).isSymbolicLink();
    } catch {
        return false;
    }
}

/** The links followed from `file` until one repeats: the loop, as the user would follow it. */
function linkChain(file: string): string[] {
    const chain: string[] = [];
    const seen = new Set<string>();
    let current = path.resolve(file);
    // The loop may sit in a parent directory's link; then show where it was met.
    while (!seen.has(current) && isLink(current) && chain.length < 40) {
        seen.add(current);
        chain.push(current);
        current = path.resolve(path.dirname(current), fs.readlinkSync(current));
    }
    chain.push(current);
    return chain;
}

function realpathOf(file: string): string {
    try {
        return fs.realpathSync(file);
    } catch {
        return path.resolve(file);
    }
}

function fsReason(err: unknown): string {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "EACCES" || e.code === "EPERM") return "permission denied";
    if (e.code === "EISDIR") return "it is a directory";
    return e.code ?? e.message;
}

function readFile(file: string, shown: string, problems: string[]): LoadedManifest[] {
    let source: string;
    try {
        const size = fs.statSync(file).size;
        if (size > YAML_LIMITS.bytesPerFile) {
            problems.push(`${shown}: ${size} bytes, more than the limit of ${YAML_LIMITS.bytesPerFile} bytes (16 MiB) per file. Fix: split the file`);
            return [];
        }
        source = fs.readFileSync(file, "utf8");
    } catch (err) {
        problems.push(`${shown}: cannot read: ${fsReason(err)}`);
        return [];
    }
    const parsed = parseYamlFile(source, shown);
    problems.push(...parsed.problems);
    const out: LoadedManifest[] = [];
    let objects = 0;
    for (const { index, value } of parsed.documents) {
        const where = `${shown}: document ${index}`;
        const items = isList(value) ? (value as { items: unknown[] }).items.map((item, j) => [`${where}, item ${j + 1}`, item] as const) : [[where, value] as const];
        objects += items.length;
        if (objects > YAML_LIMITS.objectsPerFile) {
            problems.push(`${shown}: more than ${YAML_LIMITS.objectsPerFile} Kubernetes objects (the limit per file). Fix: split the file`);
            return [];
        }
        for (const [at, item] of items) {
            const problem = objectProblem(item);
            if (problem) problems.push(`${at}: ${problem}`);
            else out.push({ file: shown, document: index, object: item as KubeObject });
        }
    }
    return out;
}

function isList(value: unknown): boolean {
    const obj = value as Record<string, unknown>;
    return typeof obj === "object" && obj !== null && typeof obj["kind"] === "string" && obj["kind"].endsWith("List") && Array.isArray(obj["items"]);
}

function objectProblem(value: unknown): string | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return `expected a Kubernetes object (a mapping with apiVersion and kind), found ${Array.isArray(value) ? "a list" : quote(value)}`;
    }
    const obj = value as Record<string, unknown>;
    const missing = ["apiVersion", "kind"].filter((k) => !Object.hasOwn(obj, k) || typeof obj[k] !== "string" || obj[k] === "");
    if (missing.length > 0) return `not a Kubernetes object: missing ${missing.map((k) => `"${k}"`).join(" and ")}${wrongType(obj, missing)}`;
    const metadata = Object.hasOwn(obj, "metadata") ? obj["metadata"] : undefined;
    const name = typeof metadata === "object" && metadata !== null && Object.hasOwn(metadata, "name") ? (metadata as Record<string, unknown>)["name"] : undefined;
    if (typeof name !== "string" || name === "") return `${shown(obj["kind"] as string)} without metadata.name (every object needs a name)`;
    return undefined;
}

/** " (apiVersion is a number)" when a missing field is present with another type. */
function wrongType(obj: Record<string, unknown>, missing: readonly string[]): string {
    const typed = missing.filter((k) => Object.hasOwn(obj, k) && obj[k] !== "").map((k) => `${k} is ${obj[k] === null ? "null" : Array.isArray(obj[k]) ? "a list" : `a ${typeof obj[k]}`}`);
    return typed.length === 0 ? "" : ` (${typed.join(", ")}; expected a string)`;
}
