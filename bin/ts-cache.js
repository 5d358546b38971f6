// Loads a source checkout's TypeScript without compiling it on every run: a require hook for .ts
// files (outside node_modules, as ts-node's default `ignore`) that transpiles each file once, like
// ts-node's transpile-only mode, and keeps the JavaScript under node_modules/.cache/meshguard-ts.
//
// The cache key is a hash of the file's path and content, the TypeScript version and the raw text
// of every compiler setting that shapes the output (the tsconfig.json chain and
// TS_NODE_COMPILER_OPTIONS), so an edit, an upgrade or a changed option is a miss, never stale
// code. TypeScript itself is loaded only on a miss. Entries are written to a temporary file and
// renamed into place (atomic: concurrent runs never read a half-written entry); a cache directory
// that cannot be created or written (a read-only checkout) only means compiling every time.
//
// Used by bin/meshguard.js (the CLI) and, as `node -r bin/ts-cache-register.js`, by the policy pack of a
// source checkout (components/analyzer/pack-process.ts). An installed package runs dist/ and never
// loads this file.
"use strict";
const { Buffer } = require("buffer");
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

/** Bumped when the emitted form changes (e.g. other fixed options below). */
const FORMAT = "meshguard-ts-cache/2";
const CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "meshguard-ts");

/** The nearest tsconfig.json from `dir` upwards, as ts-node looks it up; undefined when none. */
function findTsconfig(dir) {
    for (let current = path.resolve(dir); ; current = path.dirname(current)) {
        const candidate = path.join(current, "tsconfig.json");
        if (fs.existsSync(candidate)) return candidate;
        if (path.dirname(current) === current) return undefined;
    }
}

/** The raw text of a tsconfig and of every file it extends (relative paths only; others by name). */
function configText(file, seen = new Set()) {
    if (file === undefined || seen.has(file)) return "";
    seen.add(file);
    const text = fs.readFileSync(file, "utf8");
    const extended = /"extends"\s*:\s*"([^"]+)"/.exec(text);
    if (extended === null) return `${file}\n${text}`;
    const target = extended[1].startsWith(".") ? path.resolve(path.dirname(file), extended[1].endsWith(".json") ? extended[1] : `${extended[1]}.json`) : undefined;
    return `${file}\n${text}\n${target === undefined ? extended[1] : configText(target, seen)}`;
}

/**
 * Compiler options as ts-node's transpile-only mode ends up with them: the project's options plus
 * TS_NODE_COMPILER_OPTIONS, emitting CommonJS (every package here is CommonJS) with an inline
 * source map, no declarations.
 */
function compilerOptions(ts, project, overrides) {
    let options = {};
    if (project !== undefined) {
        const read = ts.readConfigFile(project, ts.sys.readFile);
        if (read.error) throw new Error(ts.formatDiagnostics([read.error], formatHost(ts)));
        options = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(project), overrides, project).options;
    } else if (overrides !== undefined) {
        options = ts.convertCompilerOptionsFromJson(overrides, process.cwd()).options;
    }
    options = { ...options, module: ts.ModuleKind.CommonJS, sourceMap: false, inlineSourceMap: true, inlineSources: false, declaration: false, declarationMap: false, noEmit: false, composite: false, incremental: false };
    for (const key of ["moduleResolution", "customConditions", "outDir", "outFile", "tsBuildInfoFile", "declarationDir", "emitDeclarationOnly", "rootDir"]) delete options[key];
    return options;
}

function formatHost(ts) {
    return { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => ts.sys.newLine };
}

/**
 * Stacks show the TypeScript lines, as under ts-node: frames in the compiled files are mapped
 * through their inline source maps (parsed on first use, with @jridgewell/trace-mapping, the
 * decoder ts-node's source-map-support uses); every other frame is left as V8 formats it. The SDK
 * formats a stack for every resource it registers, so only meshguard's own frames pay for a
 * lookup, and nothing is read from disk (Node's own source map support would read the source maps
 * of every SDK file as it loads).
 */
function installSourceMaps(outputs) {
    const original = Error.prepareStackTrace;
    const maps = new Map();
    let decoder;
    const mapOf = (file) => {
        if (!maps.has(file)) {
            const inline = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(outputs.get(file));
            try {
                decoder ??= require("@jridgewell/trace-mapping");
                maps.set(file, inline === null ? null : new decoder.TraceMap(Buffer.from(inline[1], "base64").toString("utf8")));
            } catch {
                maps.set(file, null);
            }
        }
        return maps.get(file);
    };
    // "file:line:column" in the compiled code → the same in the source (null: no mapping). The SDK
    // also formats a stack for every promise it tracks, so the same frames recur many times.
    const positions = new Map();
    const sourcePosition = (file, line, column) => {
        const at = `${file}:${line}:${column}`;
        let position = positions.get(at);
        if (position === undefined) {
            const map = mapOf(file);
            const found = map ? decoder.originalPositionFor(map, { line, column: column - 1 }) : { line: null };
            position = found.line === null ? null : { line: found.line, column: found.column + 1 };
            positions.set(at, position);
        }
        return position;
    };
    /** The frame's text with its source position, or undefined when it has none to map. */
    const mappedText = (frame) => {
        const file = frame.getFileName();
        if (typeof file !== "string" || !outputs.has(file)) return undefined;
        const line = frame.getLineNumber();
        const column = frame.getColumnNumber();
        const position = sourcePosition(file, line, column);
        return position === null ? undefined : { text: String(frame).replace(`${file}:${line}:${column}`, `${file}:${position.line}:${position.column}`), position };
    };
    /** The frame as V8 made it (every CallSite method still answers), with the mapped position. */
    const mappedFrame = (frame) => {
        const mapped = mappedText(frame);
        if (mapped === undefined) return frame;
        const answers = { toString: () => mapped.text, getLineNumber: () => mapped.position.line, getColumnNumber: () => mapped.position.column };
        return new Proxy(frame, {
            get: (target, key) => {
                if (Object.prototype.hasOwnProperty.call(answers, key)) return answers[key];
                const value = target[key];
                return typeof value === "function" ? value.bind(target) : value;
            },
        });
    };
    Error.prepareStackTrace = (error, frames) => {
        if (original !== undefined) return original(error, frames.map(mappedFrame));
        return `${error}${frames.map((f) => `\n    at ${mappedText(f)?.text ?? f}`).join("")}`;
    };
}

function writeAtomically(file, text) {
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
        fs.writeFileSync(temp, text);
        try {
            fs.renameSync(temp, file);
        } catch {
            fs.rmSync(temp, { force: true });
        }
    } catch {
        // A read-only or missing cache location: the next run compiles again.
    }
}

/**
 * Registers the hook. `project`: the tsconfig.json (default: the nearest one from the working
 * directory, as ts-node); `cacheDir`: where compiled files are kept (default CACHE_DIR). Compiler
 * option overrides come from TS_NODE_COMPILER_OPTIONS, as for ts-node.
 */
function register(options = {}) {
    const project = options.project ?? findTsconfig(process.cwd());
    const cacheDir = options.cacheDir ?? CACHE_DIR;
    const overridesText = process.env.TS_NODE_COMPILER_OPTIONS;
    const overrides = overridesText === undefined ? undefined : JSON.parse(overridesText);
    const typescriptPackage = require.resolve("typescript/package.json");
    const settings = [FORMAT, JSON.parse(fs.readFileSync(typescriptPackage, "utf8")).version, configText(project), overridesText ?? ""].join("\n\0");
    let compiled;
    const transpile = (source, filename) => {
        if (compiled === undefined) {
            const ts = require(path.dirname(typescriptPackage));
            compiled = { ts, options: compilerOptions(ts, project, overrides) };
        }
        const { ts } = compiled;
        const result = ts.transpileModule(source, { fileName: filename, compilerOptions: compiled.options, reportDiagnostics: true });
        const errors = (result.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
        if (errors.length > 0) throw new Error(`⨯ Unable to compile TypeScript:\n${ts.formatDiagnostics(errors, formatHost(ts))}`);
        return result.outputText;
    };
    const outputs = new Map();
    installSourceMaps(outputs);
    const previous = require.extensions[".ts"];
    require.extensions[".ts"] = function loadTypeScript(module, filename) {
        if (filename.split(path.sep).includes("node_modules")) {
            if (previous !== undefined) return previous(module, filename);
            return require.extensions[".js"](module, filename);
        }
        const source = fs.readFileSync(filename, "utf8");
        const key = crypto.createHash("sha256").update(settings).update("\n\0").update(filename).update("\n\0").update(source).digest("hex");
        const file = path.join(cacheDir, key.slice(0, 2), `${key}.js`);
        let code;
        try {
            code = fs.readFileSync(file, "utf8");
        } catch {
            code = transpile(source, filename);
            writeAtomically(file, code);
        }
        outputs.set(filename, code);
        module._compile(code, filename);
    };
}

module.exports = { register, CACHE_DIR };
