import * as fs from "fs";
import * as path from "path";
import { packageRoot } from "./package-root";

// Where meshguard's processes get bin/module-deferral.js, which loads the Pulumi SDKs and zod
// without the modules they load eagerly but meshguard never uses (the function serializer with the
// TypeScript compiler, npm's Arborist, the Automation API, glob, zod's locales): each loads on first
// use. A package shipped without it only loads them eagerly.

function binFile(name: string): string | undefined {
    const file = path.join(packageRoot(), "bin", name);
    return fs.existsSync(file) ? file : undefined;
}

/** Node arguments that preload the deferral in a child process, for what its working directory resolves. */
export function moduleDeferralPreload(): string[] {
    const register = binFile("module-deferral-register.js");
    return register === undefined ? [] : ["-r", register];
}

/** Defers those modules in this process, for the copies `require` resolves from each of `fromDirs`. */
export function deferUnusedModules(fromDirs: readonly string[]): void {
    const deferral = binFile("module-deferral.js");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (deferral !== undefined) (require(deferral) as { deferUnusedModules(dirs: readonly string[]): string[] }).deferUnusedModules(fromDirs);
}
