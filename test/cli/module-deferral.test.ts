import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT, tempDir } from "./run-cli";

// bin/module-deferral.js (issue 15): @pulumi/pulumi loads without its function-serialization modules
// and its Automation API, @pulumi/kubernetes without glob, zod without its locales; each loads on
// first use, and any layout it was not checked against loads as usual.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { deferUnusedModules } = require(path.join(REPO_ROOT, "bin", "module-deferral.js")) as { deferUnusedModules(fromDirs: string[]): string[] };

/** A project with a stand-in @pulumi/pulumi whose deferrable modules count their loads in `globalThis[counter]`. */
function fakeSdk(dir: string, counter: string, layout: { runtimeIndex?: string; serializeDts?: string; automationMarker?: string } = {}): string {
    const sdk = path.join(dir, "node_modules", "@pulumi", "pulumi");
    const closure = path.join(sdk, "runtime", "closure");
    fs.mkdirSync(closure, { recursive: true });
    fs.writeFileSync(path.join(sdk, "package.json"), JSON.stringify({ name: "@pulumi/pulumi", main: "index.js" }));
    fs.writeFileSync(
        path.join(sdk, "index.js"),
        [
            `var __importStar = (this && this.__importStar) || function (mod) {`,
            `    if (mod && mod.__esModule) return mod;`,
            `    return { default: mod };`,
            `};`,
            `exports.runtime = require("./runtime");`,
            `const automation = __importStar(require("./automation"));`,
            `exports.automation = automation;`,
            "",
        ].join("\n"),
    );
    fs.writeFileSync(
        path.join(sdk, "runtime", "index.js"),
        layout.runtimeIndex ??
            [
                `var serializeClosure_1 = require("./closure/serializeClosure");`,
                `exports.serializeFunctionAsync = serializeClosure_1.serializeFunctionAsync;`,
                `exports.serializeFunction = serializeClosure_1.serializeFunction;`,
                `var codePaths_1 = require("./closure/codePaths");`,
                `exports.computeCodePaths = codePaths_1.computeCodePaths;`,
                "",
            ].join("\n"),
    );
    const count = (name: string) => `globalThis[${JSON.stringify(counter)}] = (globalThis[${JSON.stringify(counter)}] || []).concat(${JSON.stringify(name)});`;
    fs.writeFileSync(
        path.join(closure, "serializeClosure.js"),
        `${count("serializeClosure")}\nexports.serializeFunction = function (f) { return { text: String(f), self: this }; };\nexports.serializeFunctionAsync = async function (f) { return String(f); };\nexports.internalOnly = 7;\n`,
    );
    fs.writeFileSync(
        path.join(closure, "serializeClosure.d.ts"),
        layout.serializeDts ?? "export declare function serializeFunction(func: Function): unknown;\nexport declare function serializeFunctionAsync(func: Function): Promise<string>;\n",
    );
    fs.writeFileSync(path.join(closure, "codePaths.js"), `${count("codePaths")}\nexports.computeCodePaths = async function () { return new Map([["a", 1]]); };\n`);
    fs.writeFileSync(path.join(closure, "codePaths.d.ts"), "export declare function computeCodePaths(): Promise<Map<string, unknown>>;\n");
    fs.mkdirSync(path.join(sdk, "automation"));
    fs.writeFileSync(
        path.join(sdk, "automation", "index.js"),
        `${layout.automationMarker ?? 'Object.defineProperty(exports, "__esModule", { value: true });'}\n${count("automation")}\nexports.LocalWorkspace = class LocalWorkspace {};\n`,
    );
    return sdk;
}

/** A stand-in @pulumi/kubernetes whose yaml module takes a stand-in `glob` as the real one does. */
function fakeKubernetes(dir: string, counter: string): string {
    const k8s = path.join(dir, "node_modules", "@pulumi", "kubernetes");
    fs.mkdirSync(path.join(k8s, "yaml"), { recursive: true });
    fs.writeFileSync(path.join(k8s, "package.json"), JSON.stringify({ name: "@pulumi/kubernetes" }));
    fs.writeFileSync(path.join(k8s, "index.js"), `exports.yaml = require("./yaml/yaml");\n`);
    fs.writeFileSync(
        path.join(k8s, "yaml", "yaml.js"),
        `var __importStar = function (mod) {\n    if (mod && mod.__esModule) return mod;\n    return { default: mod };\n};\nconst glob = __importStar(require("glob"));\nexports.files = (pattern) => glob.sync(pattern);\n`,
    );
    const glob = path.join(dir, "node_modules", "glob");
    fs.mkdirSync(glob);
    fs.writeFileSync(path.join(glob, "package.json"), JSON.stringify({ name: "glob", main: "index.js" }));
    fs.writeFileSync(
        path.join(glob, "index.js"),
        `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nglobalThis[${JSON.stringify(counter)}] = ["glob"];\nexports.sync = (p) => [p + ".yaml"];\n`,
    );
    return k8s;
}

function loads(counter: string): string[] {
    return ((globalThis as Record<string, unknown>)[counter] as string[] | undefined) ?? [];
}

describe("module deferral: the Pulumi SDKs and zod without the modules meshguard never uses, until something uses them (issue 15)", () => {
    let work: { dir: string; cleanup: () => void };
    beforeEach(() => (work = tempDir("module-deferral")));
    afterEach(() => work.cleanup());

    it("on the layout it knows, the SDK loads without the three modules; a use loads the real module once and forwards arguments, this and the result", async () => {
        const sdk = fakeSdk(work.dir, "deferA");
        assert.deepStrictEqual(deferUnusedModules([work.dir, work.dir]), [sdk]);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const pulumi = require(sdk) as { runtime: Record<string, (...args: unknown[]) => unknown>; automation: Record<string, unknown> };
        assert.deepStrictEqual(loads("deferA"), []);
        assert.strictEqual(pulumi.automation.__esModule, true);
        assert.deepStrictEqual(loads("deferA"), []);
        const self = { marker: 1 };
        assert.deepStrictEqual(pulumi.runtime.serializeFunction.call(self, "f"), { text: "f", self });
        assert.strictEqual(await pulumi.runtime.serializeFunctionAsync("g"), "g");
        assert.deepStrictEqual(loads("deferA"), ["serializeClosure"]);
        assert.deepStrictEqual([...((await pulumi.runtime.computeCodePaths()) as Map<string, number>)], [["a", 1]]);
        assert.deepStrictEqual(loads("deferA"), ["serializeClosure", "codePaths"]);
        assert.strictEqual((pulumi.automation.LocalWorkspace as { name: string }).name, "LocalWorkspace");
        assert.deepStrictEqual(loads("deferA"), ["serializeClosure", "codePaths", "automation"]);
    });

    it("@pulumi/kubernetes loads without glob until a file pattern is expanded", () => {
        const k8s = fakeKubernetes(work.dir, "deferG");
        assert.deepStrictEqual(deferUnusedModules([work.dir]), [k8s]);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const kubernetes = require(k8s) as { yaml: { files(pattern: string): string[] } };
        assert.deepStrictEqual(loads("deferG"), []);
        assert.deepStrictEqual(kubernetes.yaml.files("manifests/*"), ["manifests/*.yaml"]);
        assert.deepStrictEqual(loads("deferG"), ["glob"]);
    });

    it("anything else asked of a stand-in (another export, enumeration) loads the real module first", () => {
        const sdk = fakeSdk(work.dir, "deferB");
        deferUnusedModules([work.dir]);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(sdk);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const standIn = require(path.join(sdk, "runtime", "closure", "serializeClosure.js")) as Record<string, unknown>;
        assert.deepStrictEqual(loads("deferB"), []);
        assert.strictEqual(standIn["internalOnly"], 7);
        assert.deepStrictEqual(loads("deferB"), ["serializeClosure"]);
        assert.deepStrictEqual(Object.keys(standIn), ["serializeFunction", "serializeFunctionAsync", "internalOnly"]);
        assert.deepStrictEqual(loads("deferB"), ["serializeClosure"]);
    });

    it("does nothing on another layout: an export not declared a function, re-exported modules, an Automation API not marked __esModule, an SDK already loaded, no SDK", () => {
        const constant = fakeSdk(path.join(work.dir, "constant"), "deferC", {
            serializeDts: "export declare const serializeFunction: unknown;\nexport declare function serializeFunctionAsync(func: Function): Promise<string>;\n",
        });
        const star = fakeSdk(path.join(work.dir, "star"), "deferD", {
            runtimeIndex: `__exportStar(require("./closure/serializeClosure"), exports);\nfunction __exportStar(m, e) { Object.assign(e, m); }\nvar codePaths_1 = require("./closure/codePaths");\nexports.computeCodePaths = codePaths_1.computeCodePaths;\n`,
        });
        const unmarked = fakeSdk(path.join(work.dir, "unmarked"), "deferF", { automationMarker: "exports.__esModule = true;" });
        const loaded = fakeSdk(path.join(work.dir, "loaded"), "deferE");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(loaded);
        fs.mkdirSync(path.join(work.dir, "none"));
        const dirs = ["constant", "star", "unmarked", "loaded", "none"].map((d) => path.join(work.dir, d));
        assert.deepStrictEqual(deferUnusedModules(dirs), []);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(constant);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(star);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(unmarked);
        const all = ["serializeClosure", "codePaths", "automation"];
        assert.deepStrictEqual([loads("deferC"), loads("deferD"), loads("deferF"), loads("deferE")], [all, all, all, all]);
    });

    it("on the installed packages: the SDKs load without TypeScript, npm's Arborist, the Automation API's execa and glob, zod without its locales; serializeFunction gives the same module text as without deferral; automation loads on use", function () {
        this.timeout(60_000);
        const script = (defer: boolean) => `
            ${defer ? `require(${JSON.stringify(path.join(REPO_ROOT, "bin", "module-deferral.js"))}).deferUnusedModules([process.cwd()]);` : ""}
            const pulumi = require("@pulumi/pulumi");
            require("@pulumi/policy");
            require("@pulumi/kubernetes");
            const z = require("zod");
            // The locale files (index.cjs is the stand-in while deferred).
            const locales = () => Object.keys(require.cache).filter((f) => /[\\/]zod[\\/]v4[\\/]locales[\\/]/.test(f)).map((f) => require("path").basename(f)).filter((f) => f !== "index.cjs");
            const zodBefore = { locales: locales(), message: z.object({ port: z.number() }).safeParse({ port: "80" }).error.issues[0].message };
            const french = typeof z.locales.fr;
            const zodAfter = locales().length;
            const loaded = (p) => Object.keys(require.cache).some((f) => f.includes("/node_modules/" + p + "/"));
            const before = [loaded("typescript"), loaded("@npmcli/arborist"), loaded("execa"), loaded("path-scurry")];
            const workspace = typeof pulumi.automation.LocalWorkspace;
            const answer = 42;
            pulumi.runtime.serializeFunction(() => answer).then((s) => {
                process.stdout.write(JSON.stringify({ before, workspace, zodBefore, french, zodAfter, text: s.text, after: loaded("typescript") }));
            });`;
        const run = (defer: boolean) => {
            const child = spawnSync(process.execPath, ["-e", script(defer)], { cwd: REPO_ROOT, encoding: "utf8" });
            assert.strictEqual(child.status, 0, child.stderr);
            return JSON.parse(child.stdout) as { before: boolean[]; workspace: string; zodBefore: { locales: string[]; message: string }; french: string; zodAfter: number; text: string; after: boolean };
        };
        const deferred = run(true);
        const eager = run(false);
        assert.deepStrictEqual([deferred.before, deferred.workspace, deferred.after, eager.before], [[false, false, false, false], "function", true, [true, true, true, true]]);
        assert.strictEqual(deferred.text, eager.text);
        // zod: English (loaded directly by its schemas) formats the messages; the other locales load on use.
        assert.deepStrictEqual([deferred.zodBefore, deferred.french], [{ locales: ["en.cjs"], message: "Invalid input: expected number, received string" }, "function"]);
        assert.deepStrictEqual([deferred.zodAfter > 40, eager.zodBefore.locales.length > 40, eager.zodBefore.message], [true, true, deferred.zodBefore.message]);
        assert.match(deferred.text, /with\(\{ answer: 42, this: undefined, arguments: undefined \}\)/);
    });
});
