import { deferUnusedModules } from "../module-deferral";
import { packageRoot } from "../package-root";

type RunProgramOffline = typeof import("../offline/run-program").runProgramOffline;

/**
 * The offline runner, loaded on use (a command that reads only YAML never loads the Pulumi SDK),
 * after deferring the modules of the SDKs and zod no offline run needs, for both copies a run may
 * load: meshguard's own and the ones the program in `programDir` resolves.
 */
export function loadOfflineRunner(programDir: string): RunProgramOffline {
    deferUnusedModules([packageRoot(), programDir]);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require("../offline/run-program") as typeof import("../offline/run-program")).runProgramOffline;
}
