import * as fs from "fs";
import * as path from "path";

/** The meshguard package's own root (from sources or from dist/), found by its package.json. */
export function packageRoot(): string {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest) && readPackageJson(manifest)["name"] === "meshguard") return dir;
        if (path.dirname(dir) === dir) throw new Error(`cannot find the meshguard package.json above ${__dirname}`);
    }
}

/** The version in the package's package.json. */
export function packageVersion(): string {
    return String(readPackageJson(path.join(packageRoot(), "package.json"))["version"]);
}

/** The nearest directory holding a Pulumi.yaml, from `start` upwards; undefined when there is none. */
export function nearestProjectDir(start: string): string | undefined {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) return undefined;
    }
}

function readPackageJson(file: string): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
}
