import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT, tempDir } from "./run-cli";

// The checkout's compile cache (bin/ts-cache.js): a fresh clone has no cache directory, the
// location may not be writable, several runs may fill it at once, and an edit must never be
// served stale code.
const TS_CACHE = path.join(REPO_ROOT, "bin", "ts-cache.js");

/** Node code that registers the cache (project = `tsconfig`, cache in `cacheDir`) and requires `entry`. */
function runner(tsconfig: string, cacheDir: string, entry: string): string[] {
    return ["-e", `require(${JSON.stringify(TS_CACHE)}).register({ project: ${JSON.stringify(tsconfig)}, cacheDir: ${JSON.stringify(cacheDir)} }); require(${JSON.stringify(entry)});`];
}

function cachedFiles(cacheDir: string): string[] {
    if (!fs.existsSync(cacheDir)) return [];
    return fs.readdirSync(cacheDir, { recursive: true, encoding: "utf8" }).filter((f) => fs.statSync(path.join(cacheDir, f)).isFile()).sort();
}

describe("compile cache for the checkout (bin/ts-cache.js)", function () {
    this.timeout(60_000);
    let dir: string;
    let cleanup: () => void;
    let tsconfig: string;
    let entry: string;

    beforeEach(() => {
        ({ dir, cleanup } = tempDir("ts-cache"));
        tsconfig = path.join(dir, "tsconfig.json");
        entry = path.join(dir, "main.ts");
        fs.writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { target: "ES2022", module: "node16", moduleResolution: "node16", strict: true } }));
    });
    afterEach(() => cleanup());

    const run = (cacheDir: string) => spawnSync(process.execPath, runner(tsconfig, cacheDir, entry), { encoding: "utf8" });

    it("creates a missing cache directory, serves the compiled file from it, and recompiles an edited file (never stale)", () => {
        const cacheDir = path.join(dir, "fresh", ".cache", "meshguard-ts");
        fs.writeFileSync(entry, `const answer: number = 1;\nconsole.log(answer);\n`);
        assert.deepStrictEqual([run(cacheDir).stdout, cachedFiles(cacheDir).length], ["1\n", 1]);
        // A hit: the cached JavaScript is what runs (rewritten here to prove it is read).
        const [cached] = cachedFiles(cacheDir);
        fs.writeFileSync(path.join(cacheDir, cached), fs.readFileSync(path.join(cacheDir, cached), "utf8").replace("answer = 1", "answer = 10"));
        assert.strictEqual(run(cacheDir).stdout, "10\n");
        // An edit changes the key: compiled again, the old entry is not used.
        fs.writeFileSync(entry, `const answer: number = 2;\nconsole.log(answer);\n`);
        assert.deepStrictEqual([run(cacheDir).stdout, cachedFiles(cacheDir).length], ["2\n", 2]);
        // So does a change of compiler settings.
        fs.writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { target: "ES2020", module: "node16", moduleResolution: "node16", strict: true } }));
        assert.deepStrictEqual([run(cacheDir).stdout, cachedFiles(cacheDir).length], ["2\n", 3]);
    });

    it("runs when the cache location cannot be created or written, and reports syntax errors like ts-node", () => {
        const blocked = path.join(dir, "not-a-directory");
        fs.writeFileSync(blocked, "");
        fs.writeFileSync(entry, `console.log(["a", "b"].map((s: string) => s.toUpperCase()).join(""));\n`);
        const result = run(path.join(blocked, "meshguard-ts"));
        assert.deepStrictEqual([result.status, result.stdout], [0, "AB\n"]);
        fs.writeFileSync(entry, `const broken: number = ;\n`);
        const failed = run(path.join(dir, "cache"));
        assert.notStrictEqual(failed.status, 0);
        assert.match(failed.stderr, /⨯ Unable to compile TypeScript:\n.*main\.ts\(1,24\): error TS1109: Expression expected\./);
    });

    it("concurrent runs on an empty cache all succeed and leave one complete entry, no temporary files", async () => {
        const cacheDir = path.join(dir, "cache");
        fs.writeFileSync(entry, `export const value: string = "ok";\nconsole.log(value);\n`);
        const outputs = await Promise.all(
            Array.from(
                { length: 6 },
                () =>
                    new Promise<string>((resolve, reject) => {
                        const child = spawn(process.execPath, runner(tsconfig, cacheDir, entry), { stdio: ["ignore", "pipe", "inherit"] });
                        let out = "";
                        child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
                        child.once("error", reject);
                        child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
                    }),
            ),
        );
        assert.deepStrictEqual(outputs, Array(6).fill("ok\n"));
        const files = cachedFiles(cacheDir);
        assert.deepStrictEqual([files.length, files.every((f) => f.endsWith(".js"))], [1, true]);
        assert.match(fs.readFileSync(path.join(cacheDir, files[0]), "utf8"), /exports\.value = "ok";/);
    });
});
