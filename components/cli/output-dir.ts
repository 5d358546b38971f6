import * as fs from "fs";
import * as path from "path";
import { CRD_FOLDER, MANIFEST_FOLDER, RenderedFile } from "../render";

/** The Mermaid diagram of who may call whom. */
export const GRAPH_FILE = "mesh.mmd";
/** A Markdown summary (resources, diagram, verdicts) that GitHub renders. */
export const SUMMARY_FILE = "summary.md";

/** What a preview owns in its output directory: only these are removed before writing. */
const OWNED_ENTRIES = [CRD_FOLDER, MANIFEST_FOLDER, GRAPH_FILE, SUMMARY_FILE];

/**
 * Creates the directory and removes what a previous preview wrote there (and nothing else, so a
 * mistaken `--out` cannot wipe unrelated files).
 */
export function resetOutputDir(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    for (const entry of OWNED_ENTRIES) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
}

/** Writes each file under `dir`, creating folders as needed. */
export function writeFiles(dir: string, files: readonly RenderedFile[]): void {
    for (const file of files) {
        const target = path.join(dir, ...file.path.split("/"));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, file.content);
    }
}
