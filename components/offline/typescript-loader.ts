import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";

/**
 * How a TypeScript program gets compiled, decided the way the Pulumi CLI's nodejs language host
 * decides it (@pulumi/pulumi cmd/run/run.js, and the host's option parsing in pulumi/pulumi
 * sdk/nodejs/cmd/pulumi-language-nodejs/main.go):
 * - `runtime.options.typescript: false` in Pulumi.yaml turns TypeScript support off;
 * - the tsconfig is `runtime.options.tsconfig` (PULUMI_NODEJS_TSCONFIG_PATH) or `tsconfig.json`,
 *   relative to the project directory; without one, ts-node loads no project file at all;
 * - compiler options default to target ES2020, module/moduleResolution `nodenext` (TypeScript
 *   >= 4.7, else commonjs/node) and source maps, overlaid by the tsconfig's own compilerOptions;
 * - type checking is on unless PULUMI_NODEJS_TRANSPILE_ONLY says otherwise or the tsconfig sets `noCheck`;
 * - `typescript` and `ts-node` are the ones the program's @pulumi/pulumi resolves (the project's own),
 *   else the copies @pulumi/pulumi vendors (ts-node 7.0.1, typescript 3.8.3).
 */
export interface TypeScriptSetup {
    readonly tsnodeRequire: string;
    readonly typescriptRequire: string;
    readonly typescriptVersion: string;
    readonly project: string;
    readonly skipProject: boolean;
    readonly transpileOnly: boolean | undefined;
    readonly compilerOptions: Record<string, unknown>;
}

/** The slice of @pulumi/pulumi's `tsutils` module the CLI's host uses. */
interface PulumiTsUtils {
    typeScriptRequireStrings(): { tsnodeRequire: string; typescriptRequire: string };
    loadTypeScriptCompilerOptions(tsConfigPath: string): Record<string, unknown>;
}

/** Whether some TypeScript loader (ts-node, a source checkout's own registration) is already active. */
export function typeScriptLoaderActive(): boolean {
    return require.extensions[".ts"] !== undefined;
}

/** Decides the setup for the project in `projectDir`; undefined when Pulumi.yaml turns TypeScript off. */
export function typeScriptSetup(projectDir: string, env: NodeJS.ProcessEnv = process.env): TypeScriptSetup | undefined {
    const options = runtimeOptions(projectDir);
    if (options["typescript"] === false || options["typescript"] === "false") return undefined;
    const configured = typeof options["tsconfig"] === "string" ? options["tsconfig"] : env["PULUMI_NODEJS_TSCONFIG_PATH"];
    const project = path.resolve(projectDir, configured ?? "tsconfig.json");
    const skipProject = !fs.existsSync(project);
    if (skipProject && configured !== undefined) {
        throw new Error(`${path.join(projectDir, "Pulumi.yaml")}: tsconfig path was set to ${configured} but ${project} does not exist. Fix: create it or remove runtime.options.tsconfig.`);
    }
    const tsutils = pulumiTsUtils(projectDir);
    const fromTsconfig = skipProject ? {} : tsutils.loadTypeScriptCompilerOptions(project);
    const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const typescriptVersion = String((require(typescriptRequire) as { version?: unknown }).version ?? "0.0.0");
    const nodeNext = versionAtLeast(typescriptVersion, [4, 7]);
    const transpileEnv = env["PULUMI_NODEJS_TRANSPILE_ONLY"];
    const transpileOnly = transpileEnv ? transpileEnv === "true" : (fromTsconfig["noCheck"] as boolean | undefined);
    return {
        tsnodeRequire,
        typescriptRequire,
        typescriptVersion,
        project,
        skipProject,
        transpileOnly,
        compilerOptions: {
            target: "ES2020",
            module: nodeNext ? "nodenext" : "commonjs",
            moduleResolution: nodeNext ? "nodenext" : "node",
            sourceMap: "true",
            ...fromTsconfig,
        },
    };
}

/**
 * Makes `.ts` programs loadable in this process, with the Pulumi CLI's rules, unless a loader is
 * already active. Returns the setup used (undefined when nothing was registered).
 */
export function registerProgramTypeScript(projectDir: string, env: NodeJS.ProcessEnv = process.env): TypeScriptSetup | undefined {
    if (typeScriptLoaderActive()) return undefined;
    const setup = typeScriptSetup(projectDir, env);
    if (setup === undefined) return undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tsnode = require(setup.tsnodeRequire) as { register(options: Record<string, unknown>): unknown };
    tsnode.register({
        compiler: setup.typescriptRequire,
        transpileOnly: setup.transpileOnly,
        project: setup.project,
        skipProject: setup.skipProject,
        compilerOptions: setup.compilerOptions,
    });
    return setup;
}

function pulumiTsUtils(projectDir: string): PulumiTsUtils {
    let sdkRoot: string;
    try {
        sdkRoot = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [projectDir] }));
    } catch {
        sdkRoot = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.join(sdkRoot, "tsutils")) as PulumiTsUtils;
}

function runtimeOptions(projectDir: string): Record<string, unknown> {
    const file = path.join(projectDir, "Pulumi.yaml");
    if (!fs.existsSync(file)) return {};
    const doc = parseYaml(fs.readFileSync(file, "utf8")) as { runtime?: unknown } | null;
    const runtime = doc?.runtime;
    if (typeof runtime !== "object" || runtime === null) return {};
    const options = (runtime as Record<string, unknown>)["options"];
    return typeof options === "object" && options !== null ? (options as Record<string, unknown>) : {};
}

function versionAtLeast(version: string, minimum: readonly number[]): boolean {
    const parts = version.split(/[.-]/).map((p) => Number.parseInt(p, 10));
    for (let i = 0; i < minimum.length; i++) {
        const part = Number.isNaN(parts[i]) ? 0 : parts[i];
        if (part !== minimum[i]) return part > minimum[i];
    }
    return true;
}
