import * as fs from "fs";
import * as path from "path";
import { packageRoot } from "../package-root";

type RunProgramOffline = typeof import("../offline/run-program").runProgramOffline;

/**
 * The offline runner, loaded on use (a command that reads only YAML never loads the Pulumi SDK),
 * with the SDK's function-serialization modules deferred first for both copies a run may load:
 * meshguard's own and the one the program in `programDir` resolves (bin/module-deferral.js: about
 * two thirds of the SDK's load time, never needed offline; loaded on first use if a program does).
 */
export function loadOfflineRunner(programDir: string): RunProgramOffline {
    const deferral = path.join(packageRoot(), "bin", "module-deferral.js");
    if (fs.existsSync(deferral)) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require(deferral) as { deferUnusedModules(fromDirs: string[]): string[] }).deferUnusedModules([packageRoot(), programDir]);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require("../offline/run-program") as typeof import("../offline/run-program")).runProgramOffline;
}
