// Loads the Pulumi SDKs and zod without the modules they load eagerly but meshguard's processes
// never use. At require time @pulumi/pulumi loads runtime/closure/serializeClosure (the function
// serializer of dynamic providers and `pulumi.runtime.serializeFunction`, which loads the
// TypeScript compiler to parse function text), runtime/closure/codePaths (`computeCodePaths`,
// which loads npm's Arborist) and the Automation API (`pulumi.automation`: execa, js-yaml,
// workspaces): ~300 ms of the SDK's ~410 ms load on a 2-core machine, paid by the policy pack, the
// CLI and every offline preview although none of them serializes a function or drives a
// workspace. @pulumi/kubernetes loads `glob` for `yaml.ConfigFile` file patterns, and zod all of
// its 60-odd locales (it formats messages with English, which it loads directly). Measured with a
// require-time trace; see docs/benchmarks.md.
//
// This puts a stand-in for each module into the require cache before its package loads; the real
// module loads the first time anything of it is used. A closure module's stand-in has its function
// exports, each a forwarder that loads the real module on its first call; a namespace module's
// stand-in answers only `__esModule` (what TypeScript's `__importStar` asks at load time). Anything
// else asked of a stand-in (another name, enumeration) loads the real module first and answers
// from it, so nothing sees a difference but the time of the load (and a namespace such as
// `pulumi.automation` being a stand-in object, not the module object itself). It is applied only
// when the installed package has the layout this was checked against (read from its files' text);
// otherwise, or when the package is already loaded, it does nothing.
"use strict";
const fs = require("fs");
const Module = require("module");
const path = require("path");

/**
 * The modules deferred, per package: the file requiring each (relative to the package's root),
 * the request as it appears there, and how that file uses the module. A package's modules are
 * deferred all together or not at all.
 */
const DEFERRED = {
    "@pulumi/pulumi": [
        { parent: "runtime/index.js", request: "./closure/serializeClosure", kind: "named-functions" },
        { parent: "runtime/index.js", request: "./closure/codePaths", kind: "named-functions" },
        { parent: "index.js", request: "./automation", kind: "es-module-namespace" },
    ],
    // yaml/yaml.js (ConfigFile, ConfigGroup, which helm.v3 builds on) globs only when given file patterns.
    "@pulumi/kubernetes": [{ parent: "yaml/yaml.js", request: "glob", kind: "es-module-namespace" }],
    // `z.locales` / `z.core.locales`: loaded whole for `z.config(z.locales.xx())` only.
    zod: [
        { parent: "v4/core/index.cjs", request: "../locales/index.cjs", kind: "es-module-namespace" },
        { parent: "v4/classic/external.cjs", request: "../locales/index.cjs", kind: "es-module-namespace" },
    ],
};

function readText(file) {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

/**
 * The names `parentText` copies from `request` (`var x_1 = require(request); exports.N = x_1.N;`)
 * when every one is declared a function in the module's .d.ts; undefined for any other layout.
 */
function copiedFunctionNames(indexText, request, declarations) {
    const escaped = request.replace(/[./]/g, (c) => `\\${c}`);
    const binding = new RegExp(`var (\\w+) = require\\("${escaped}"\\);`).exec(indexText);
    if (binding === null) return undefined;
    const names = [...indexText.matchAll(new RegExp(`exports\\.(\\w+) = ${binding[1]}\\.(\\w+);`, "g"))]
        .filter((m) => m[1] === m[2])
        .map((m) => m[1]);
    const functions = new Set([...declarations.matchAll(/export declare function (\w+)\(/g)].map((m) => m[1]));
    return names.length > 0 && names.every((n) => functions.has(n)) ? names : undefined;
}

/**
 * Whether `parent` takes `request` whole through TypeScript's `__importStar` (which returns a
 * module marked `__esModule` as it is, reading nothing else of it) and the module marks itself so.
 */
function importedAsNamespace(parentText, request, moduleText) {
    const escaped = request.replace(/[./]/g, (c) => `\\${c}`);
    return (
        new RegExp(`= __importStar\\(require\\("${escaped}"\\)\\);`).test(parentText) &&
        parentText.includes("if (mod && mod.__esModule) return mod;") &&
        moduleText.includes('Object.defineProperty(exports, "__esModule", { value: true });')
    );
}

/** The file `request` names when required from `parentFile`; undefined when it resolves to none. */
function resolvedFrom(parentFile, request) {
    if (request.startsWith(".")) {
        const base = path.join(path.dirname(parentFile), request);
        // As Node resolves a relative request: the file, else with .js, else a directory's index.js.
        return [base, `${base}.js`, path.join(base, "index.js")].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
    }
    try {
        return require.resolve(request, { paths: [path.dirname(parentFile)] });
    } catch {
        return undefined;
    }
}

/** What the stand-in for `entry` answers without loading the real module; undefined: not deferred. */
function plannedAnswers(root, entry) {
    const parentText = readText(path.join(root, entry.parent));
    const file = resolvedFrom(path.join(root, entry.parent), entry.request);
    const moduleText = file === undefined ? undefined : readText(file);
    if (parentText === undefined || moduleText === undefined || require.cache[file] !== undefined) return undefined;
    if (entry.kind === "es-module-namespace") {
        return importedAsNamespace(parentText, entry.request, moduleText) ? { file, names: [], esModule: true } : undefined;
    }
    const declarations = readText(file.replace(/\.c?js$/, ".d.ts"));
    const names = declarations === undefined ? undefined : copiedFunctionNames(parentText, entry.request, declarations);
    return names === undefined ? undefined : { file, names, esModule: false };
}

function installStandIn({ file, names, esModule }) {
    let real;
    const load = () => {
        if (real === undefined) {
            delete require.cache[file];
            real = require(file);
        }
        return real;
    };
    const forwarders = Object.create(null);
    if (esModule) forwarders.__esModule = true;
    for (const name of names) {
        forwarders[name] = function (...args) {
            return load()[name].apply(this, args);
        };
    }
    const exports = new Proxy(forwarders, {
        get: (target, key) => (typeof key === "string" && key in target ? target[key] : Reflect.get(load(), key)),
        has: (_target, key) => Reflect.has(load(), key),
        ownKeys: () => Reflect.ownKeys(load()),
        getOwnPropertyDescriptor: (_target, key) => {
            const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
            // A proxy may not report a non-configurable property its target lacks.
            return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
        },
        set: (_target, key, value) => Reflect.set(load(), key, value),
        defineProperty: (_target, key, descriptor) => Reflect.defineProperty(load(), key, descriptor),
        deleteProperty: (_target, key) => Reflect.deleteProperty(load(), key),
    });
    const standIn = new Module(file, null);
    standIn.filename = file;
    standIn.paths = Module._nodeModulePaths(path.dirname(file));
    standIn.exports = exports;
    standIn.loaded = true;
    require.cache[file] = standIn;
}

/**
 * Defers the unused modules of the packages (@pulumi/pulumi, @pulumi/kubernetes, zod) that
 * `require` resolves from each of `fromDirs`. Returns the package roots it deferred in (none for a
 * package whose layout is not the known one, that is not installed there, or that is already loaded).
 */
function deferUnusedModules(fromDirs) {
    const deferred = [];
    for (const [name, entries] of Object.entries(DEFERRED)) {
        for (const dir of fromDirs) {
            let main;
            try {
                main = require.resolve(name, { paths: [dir] });
            } catch {
                continue;
            }
            const root = path.dirname(main);
            if (deferred.includes(root) || [main, ...entries.map((e) => path.join(root, e.parent))].some((f) => require.cache[f] !== undefined)) continue;
            const plan = entries.map((e) => plannedAnswers(root, e));
            if (plan.some((p) => p === undefined)) continue;
            // Several files may require one module: one stand-in serves them all.
            for (const standIn of plan) if (require.cache[standIn.file] === undefined) installStandIn(standIn);
            deferred.push(root);
        }
    }
    return deferred;
}

module.exports = { deferUnusedModules };
