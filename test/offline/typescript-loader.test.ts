import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { version as typescriptVersion } from "typescript";
import { typeScriptSetup } from "../../components/offline/typescript-loader";

// Issue 12 item 3: a TypeScript program is compiled with the Pulumi CLI's rules
// (@pulumi/pulumi cmd/run/run.js): its own tsconfig.json or none at all, nodenext defaults.
describe("offline: TypeScript programs are compiled as the Pulumi CLI compiles them", () => {
    let dir: string;
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshguard-ts-")); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (file: string, text: string) => fs.writeFileSync(path.join(dir, file), text);

    it("without a tsconfig.json: no project file, target ES2020, module and moduleResolution nodenext, source maps, type checked", () => {
        write("Pulumi.yaml", "name: p\nruntime: nodejs\n");
        assert.deepStrictEqual(typeScriptSetup(dir, {}), {
            tsnodeRequire: "ts-node",
            typescriptRequire: "typescript",
            typescriptVersion,
            project: path.join(dir, "tsconfig.json"),
            skipProject: true,
            transpileOnly: undefined,
            compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true" },
        });
    });

    it("the project's tsconfig compilerOptions win over the defaults; noCheck and PULUMI_NODEJS_TRANSPILE_ONLY turn type checking off", () => {
        write("Pulumi.yaml", "name: p\nruntime: nodejs\n");
        write("tsconfig.json", JSON.stringify({ compilerOptions: { module: "commonjs", moduleResolution: "node", noCheck: true } }));
        const setup = typeScriptSetup(dir, {});
        assert.deepStrictEqual([setup?.skipProject, setup?.transpileOnly, setup?.compilerOptions], [false, true, { target: "ES2020", module: "commonjs", moduleResolution: "node", sourceMap: "true", noCheck: true }]);
        assert.strictEqual(typeScriptSetup(dir, { PULUMI_NODEJS_TRANSPILE_ONLY: "false" })?.transpileOnly, false);
    });

    it("honours runtime.options.tsconfig and typescript: false from Pulumi.yaml, and names a missing tsconfig", () => {
        write("Pulumi.yaml", "name: p\nruntime:\n  name: nodejs\n  options:\n    tsconfig: tsconfig.pulumi.json\n");
        assert.throws(() => typeScriptSetup(dir, {}), {
            message: `${path.join(dir, "Pulumi.yaml")}: tsconfig path was set to tsconfig.pulumi.json but ${path.join(dir, "tsconfig.pulumi.json")} does not exist. Fix: create it or remove runtime.options.tsconfig.`,
        });
        write("tsconfig.pulumi.json", JSON.stringify({ compilerOptions: { target: "ES2022" } }));
        assert.deepStrictEqual(typeScriptSetup(dir, {})?.compilerOptions, { target: "ES2022", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true" });
        write("Pulumi.yaml", "name: p\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n");
        assert.strictEqual(typeScriptSetup(dir, {}), undefined);
    });
});
