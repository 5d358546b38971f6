import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { moduleDeferralPreload } from "../module-deferral";
import { packageRoot } from "../package-root";

/** A running policy pack: the analyzer gRPC server the Pulumi CLI would talk to. */
export interface PackProcess {
    readonly port: number;
    readonly child: ChildProcess;
    /** Everything the pack wrote to stderr so far. */
    stderr(): string;
    /** Stops the pack (SIGTERM, then SIGKILL) and waits for it to exit. */
    stop(): Promise<void>;
}

/** meshguard's own policy pack directory (in a checkout and in an installed package alike). */
export function defaultPackDir(): string {
    return path.join(packageRoot(), "policy-pack");
}

/**
 * How to run the pack. A source checkout (an `index.ts` next to `PulumiPolicy.yaml`) runs its
 * TypeScript transpile-only (sourceLoader), so a preview does not wait for a type check. Any
 * other pack runs exactly as the Pulumi CLI's nodejs host starts a policy pack: `node
 * @pulumi/pulumi/cmd/run-policy-pack <engine-address> <pack-dir>`, with `@pulumi/pulumi` resolved
 * from the pack directory, which then requires the pack's package.json `main`
 * (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go, RunPlugin for analyzers). The
 * working directory is always the pack directory: @pulumi/policy reads `./package.json` for the version.
 */
export function packCommand(packDir: string): { args: string[]; entry: string; env: NodeJS.ProcessEnv } {
    // Absolute: the pack runs with its own directory as the working directory.
    const source = path.resolve(packDir, "index.ts");
    if (fs.existsSync(source)) {
        // Like the CLI's run-policy-pack: a pack without tsconfig.json gets CommonJS defaults.
        const env = fs.existsSync(path.join(packDir, "tsconfig.json"))
            ? process.env
            : { ...process.env, TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: "commonjs", moduleResolution: "node", target: "ES2020", esModuleInterop: true }) };
        return { args: [...moduleDeferralPreload(), "-r", sourceLoader(), source], entry: source, env };
    }
    const entry = packEntryPoint(packDir);
    let host: string;
    try {
        host = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    } catch {
        throw new Error(`policy pack in ${packDir}: @pulumi/pulumi is not installed where the pack can resolve it. Fix: run npm install in the pack directory or in the project that contains it.`);
    }
    // The engine address is the first argument; the pack itself never dials it.
    return { args: [...moduleDeferralPreload(), host, "127.0.0.1:0", path.resolve(packDir)], entry, env: process.env };
}

/**
 * The preload that compiles a source pack: the checkout's compile cache (bin/ts-cache-register.js:
 * transpile-only like ts-node, but each file once, then from a cache keyed by its content and the
 * compiler settings), else ts-node's transpile-only register.
 */
export function sourceLoader(): string {
    const cached = path.join(packageRoot(), "bin", "ts-cache-register.js");
    return fs.existsSync(cached) ? cached : require.resolve("ts-node/register/transpile-only");
}

/** The file `require(packDir)` loads: package.json `main`, else index.js, as Node resolves a directory. */
export function packEntryPoint(packDir: string): string {
    const manifestFile = path.join(packDir, "package.json");
    let main = "index.js";
    if (fs.existsSync(manifestFile)) {
        const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as { main?: unknown };
        if (typeof manifest.main === "string" && manifest.main !== "") main = manifest.main;
    }
    const entry = path.resolve(packDir, main);
    const candidates = [entry, `${entry}.js`, path.join(entry, "index.js")];
    const found = candidates.find((file) => fs.existsSync(file) && fs.statSync(file).isFile());
    if (found === undefined) {
        throw new Error(`policy pack in ${packDir} has no entry point: ${path.relative(packDir, entry)} (package.json "main") does not exist and there is no index.ts. Fix: build the pack (npm run build) or install the package again.`);
    }
    return found;
}

/**
 * Starts the pack and waits for the port it prints on its first stdout line (the protocol the
 * CLI's analyzer host relies on). Fails with the pack's stderr if it exits or stays silent.
 */
export function launchPolicyPack(packDir: string, timeoutMs = 120_000): Promise<PackProcess> {
    if (!fs.existsSync(path.join(packDir, "PulumiPolicy.yaml"))) {
        return Promise.reject(new Error(`no policy pack at ${packDir}: PulumiPolicy.yaml is missing`));
    }
    const { args, entry, env } = packCommand(packDir);
    const child = spawn(process.execPath, args, { cwd: packDir, stdio: ["ignore", "pipe", "pipe"], env });
    let stderr = "";
    let stdout = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM");
            const forced = setTimeout(() => child.kill("SIGKILL"), 5_000);
            await exited;
            clearTimeout(forced);
        }
    };
    return new Promise<PackProcess>((resolve, reject) => {
        const fail = (why: string) => {
            clearTimeout(timer);
            void stop().then(() => reject(new Error(`policy pack ${entry} failed to start: ${why}${stderr.trim() === "" ? "" : `\n${stderr.trim()}`}`)));
        };
        const timer = setTimeout(() => fail(`it printed no port within ${timeoutMs / 1000}s`), timeoutMs);
        child.once("error", (err) => fail(err.message));
        const onEarlyExit = (code: number | null, signal: string | null) => fail(`it exited (${signal ?? `code ${code}`}) before printing its port`);
        child.once("exit", onEarlyExit);
        child.stdout?.setEncoding("utf8");
        child.stdout?.on("data", (chunk: string) => {
            stdout += chunk;
            const newline = stdout.indexOf("\n");
            if (newline < 0) return;
            const line = stdout.slice(0, newline).trim();
            child.off("exit", onEarlyExit);
            clearTimeout(timer);
            child.stdout?.removeAllListeners("data");
            child.stdout?.resume();
            if (!/^\d+$/.test(line)) {
                fail(`expected a port on its first output line, got ${JSON.stringify(line)}`);
                return;
            }
            resolve({ port: Number(line), child, stderr: () => stderr, stop });
        });
    });
}
