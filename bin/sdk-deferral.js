// Loads @pulumi/pulumi without the two modules its runtime loads eagerly but meshguard's processes
// never call. @pulumi/pulumi's runtime/index.js requires runtime/closure/serializeClosure (the
// function serializer of dynamic providers and `pulumi.runtime.serializeFunction`, which loads the
// TypeScript compiler to parse function text) and runtime/closure/codePaths (`computeCodePaths`,
// which loads npm's Arborist) at require time: ~270 ms of the SDK's ~410 ms load on a 2-core machine,
// paid by the policy pack, the CLI and every offline preview although none of them serializes a
// function (measured with a require-time trace; see docs/benchmarks.md).
//
// This puts a stand-in for each module into the require cache before the SDK loads. A stand-in
// has the module's function exports, each a forwarder that loads the real module on its first
// call; anything else asked of it (another name, enumeration) loads the real module first, so
// nothing can see a difference except the time the load happens. It is applied only when the
// SDK's files have the layout this was checked against (runtime/index.js copying named exports of
// these two modules, each declared a function in the module's .d.ts); otherwise, or when the SDK
// is already loaded, it does nothing.
"use strict";
const fs = require("fs");
const Module = require("module");
const path = require("path");

/** The modules deferred, relative to the SDK's runtime directory, as runtime/index.js requires them. */
const DEFERRED = ["./closure/serializeClosure", "./closure/codePaths"];

function readText(file) {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

/**
 * The names runtime/index.js copies from `request` (`var x_1 = require(request); exports.N = x_1.N;`)
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

function installStandIn(file, names) {
    let real;
    const load = () => {
        if (real === undefined) {
            delete require.cache[file];
            real = require(file);
        }
        return real;
    };
    const forwarders = Object.create(null);
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
 * Defers the closure modules of the @pulumi/pulumi that `require("@pulumi/pulumi")` resolves to
 * from each of `fromDirs`. Returns the SDK roots it deferred in (empty when the layout is not the
 * known one, the SDK is not installed there, or it is already loaded).
 */
function deferSdkClosureModules(fromDirs) {
    const deferred = [];
    for (const dir of fromDirs) {
        let entry;
        try {
            entry = require.resolve("@pulumi/pulumi", { paths: [dir] });
        } catch {
            continue;
        }
        const root = path.dirname(entry);
        const runtimeDir = path.join(root, "runtime");
        const runtimeIndex = path.join(runtimeDir, "index.js");
        if (deferred.includes(root) || require.cache[entry] !== undefined || require.cache[runtimeIndex] !== undefined) continue;
        const indexText = readText(runtimeIndex);
        if (indexText === undefined) continue;
        const plan = [];
        for (const request of DEFERRED) {
            const file = path.join(runtimeDir, `${request}.js`);
            const declarations = readText(path.join(runtimeDir, `${request}.d.ts`));
            const names = declarations === undefined || require.cache[file] !== undefined ? undefined : copiedFunctionNames(indexText, request, declarations);
            if (names === undefined || !fs.existsSync(file)) break;
            plan.push({ file, names });
        }
        if (plan.length !== DEFERRED.length) continue;
        for (const { file, names } of plan) installStandIn(file, names);
        deferred.push(root);
    }
    return deferred;
}

module.exports = { deferSdkClosureModules };
