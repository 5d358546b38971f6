import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// issue 12 item 4: every zod entry point re-exports `locales`, whose .d.cts files fail a user's tsc
// (TS1259) under the `pulumi new typescript` tsconfig (no esModuleInterop, no skipLibCheck). So no
// declaration file reachable from the package's public entry points may import "zod": the
// schemas stay in implementation modules, the public types are written out (model/*-types.ts,
// istio/schema/spec-types.ts). This builds the declarations as `npm run build` does and walks
// their import graph from each `exports` entry's types file.
const ROOT = path.resolve(__dirname, "../..");

/** Module specifiers a declaration file imports or re-exports (`from "x"`, `import("x")`, `import "x"`). */
function specifiers(source: string): string[] {
    return [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g)].map((m) => m[1]);
}

function resolveRelative(from: string, specifier: string): string {
    const base = path.resolve(path.dirname(from), specifier);
    const found = [`${base}.d.ts`, path.join(base, "index.d.ts")].find((candidate) => fs.existsSync(candidate));
    assert.ok(found, `${path.relative(ROOT, from)} imports "${specifier}", which has no declaration file`);
    return found;
}

function isZod(specifier: string): boolean {
    return specifier === "zod" || specifier.startsWith("zod/");
}

/** `file → importer` for every declaration reachable from the entries, and the files importing zod. */
function walk(entries: readonly string[], root: string): { reached: Map<string, string>; zod: string[] } {
    const reached = new Map<string, string>();
    const zod: string[] = [];
    const queue: [string, string][] = entries.map((entry) => [entry, "(entry point)"]);
    while (queue.length > 0) {
        const [file, importer] = queue.shift()!;
        if (reached.has(file)) continue;
        reached.set(file, importer);
        for (const specifier of specifiers(fs.readFileSync(file, "utf8"))) {
            if (isZod(specifier)) zod.push(`${path.relative(root, file)} (reached from ${importer === "(entry point)" ? importer : path.relative(root, importer)})`);
            else if (specifier.startsWith(".")) queue.push([resolveRelative(file, specifier), file]);
        }
    }
    return { reached, zod };
}

function allDeclarations(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? allDeclarations(full) : full.endsWith(".d.ts") ? [full] : [];
    });
}

describe("public declarations", function () {
    this.timeout(600_000);
    let out: string;
    let entries: string[];

    before(() => {
        out = fs.mkdtempSync(path.join(os.tmpdir(), "meshguard-dts-"));
        const tsc = require.resolve("typescript/bin/tsc");
        const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--emitDeclarationOnly", "--outDir", out], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(result.status, 0, `tsc failed:\n${result.stdout}${result.stderr}`);
        const exportsField = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).exports as Record<string, string | { types?: string }>;
        entries = Object.values(exportsField)
            .flatMap((target) => (typeof target === "object" && target.types !== undefined ? [target.types] : []))
            .map((types) => path.join(out, path.relative("dist", types)));
    });

    after(() => fs.rmSync(out, { recursive: true, force: true }));

    it("every package entry point has a types file", () => {
        assert.deepStrictEqual(
            entries.map((entry) => [path.relative(out, entry), fs.existsSync(entry)]),
            [
                ["components/index.d.ts", true],
                ["components/testing.d.ts", true],
                ["components/istio/index.d.ts", true],
                ["components/analyzer/index.d.ts", true],
                ["components/offline/index.d.ts", true],
            ],
        );
    });

    it("no declaration reachable from an entry point imports zod", () => {
        assert.deepStrictEqual(walk(entries, out).zod, []);
    });

    it("the walk sees zod where it is: the schema modules themselves import it, and are not reachable", () => {
        const { reached } = walk(entries, out);
        const schema = path.join(out, "components/model/mesh-policy-schema.d.ts");
        assert.deepStrictEqual(
            { importsZod: specifiers(fs.readFileSync(schema, "utf8")).some(isZod), reachable: reached.has(schema), reachesModel: reached.has(path.join(out, "components/model/mesh-policy-types.d.ts")) },
            { importsZod: true, reachable: false, reachesModel: true },
        );
        assert.ok(allDeclarations(out).length > reached.size, "some declarations (the schemas) are internal");
    });
});
