#!/usr/bin/env node
// Launches the meshguard CLI. In a source checkout it runs the TypeScript sources (no build step)
// with the `meshguard-source` export condition, so programs that `import "meshguard"` get the
// checkout's own sources; each file is transpiled once and then served from a cache keyed by its
// content (bin/ts-cache.js). An installed package runs dist/ and compiles a TypeScript program the
// way the Pulumi CLI does (components/offline/typescript-loader.ts).
"use strict";
const path = require("path");
const fs = require("fs");
const { spawnSync } = require("child_process");

const root = path.join(__dirname, "..");
const sourceEntry = path.join(root, "components", "cli", "main.ts");
const condition = "--conditions=meshguard-source";

function run(entry) {
    require(entry).main(process.argv.slice(2)).then(
        (code) => { process.exitCode = code; },
        (err) => { console.error(err instanceof Error ? err.stack : String(err)); process.exitCode = 1; },
    );
}

/**
 * Whether this run may load a Pulumi program (which may `import "meshguard"`, resolved through the
 * export condition). Commands that only read YAML never do, and skip re-executing Node with the
 * condition (a second Node start on every `check` or `explain` call).
 */
function mayRunProgram(argv) {
    const [command, ...args] = argv;
    if (["check", "import", "help", "--help", "-h", "--version", "-v", undefined].includes(command)) return false;
    if (["explain", "reachability"].includes(command)) return args.some((a) => a === "--program" || a.startsWith("--program="));
    return true;
}

if (fs.existsSync(sourceEntry)) {
    const active = process.execArgv.includes(condition) || (process.env.NODE_OPTIONS || "").includes(condition);
    if (!active && mayRunProgram(process.argv.slice(2))) {
        const child = spawnSync(process.execPath, [condition, ...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: "inherit" });
        process.exit(child.status === null ? 1 : child.status);
    }
    require("./ts-cache").register({ project: path.join(root, "tsconfig.json") });
    run(sourceEntry);
} else {
    run(path.join(root, "dist", "components", "cli", "main.js"));
}
