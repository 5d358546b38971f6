import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { FIXTURES, REPO_ROOT, tempDir } from "./run-cli";

// Which packages and meshguard modules a command's own process loads (issue 15): the real
// launcher, run as a user runs it, with a preload that lists require.cache when the process exits.
const PROBE = `"use strict";
// The pack is stopped with SIGTERM, which would end it without "exit".
process.once("SIGTERM", () => process.exit(143));
process.on("exit", () => {
    const files = Object.keys(require.cache);
    const path = require("path");
    // The process that ran the CLI (not a launcher that re-executed Node and waited for it), and the pack's.
    const role = files.some((f) => f.endsWith(path.join("components", "cli", "main.ts"))) ? "cli" : files.some((f) => f.endsWith(path.join("policy-pack", "index.ts"))) ? "pack" : undefined;
    if (role !== undefined) require("fs").writeFileSync(path.join(process.env.MESHGUARD_MODULE_PROBE, role + ".json"), JSON.stringify(files));
});
`;
const SHOP = path.join(FIXTURES, "manifests", "secure", "shop.yaml");
const WORKLOADS = path.join(FIXTURES, "manifests", "secure", "workloads.yaml");

interface Loaded {
    /** npm packages by name. */
    packages: Set<string>;
    /** meshguard's own files by path. */
    own: Set<string>;
}

/** The modules the meshguard process loaded, and those of the policy pack's process when it ran. */
function loadedBy(args: readonly string[], exitCodes: readonly number[]): Loaded & { pack?: Loaded } {
    const { dir, cleanup } = tempDir("module-probe");
    try {
        const probe = path.join(dir, "probe.js");
        fs.writeFileSync(probe, PROBE);
        // The first run may compile (a fresh clone's empty compile cache loads TypeScript); the second is probed.
        const launch = () =>
            spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "meshguard.js"), ...args], {
                cwd: dir,
                encoding: "utf8",
                // In NODE_OPTIONS, so that the pack's process (a child) is probed too.
                env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} -r ${probe}`, MESHGUARD_MODULE_PROBE: dir },
            });
        launch();
        const run = launch();
        assert.ok(run.status !== null && exitCodes.includes(run.status), `meshguard ${args.join(" ")} exited ${run.status}: ${run.stderr}`);
        const cli = classify(JSON.parse(fs.readFileSync(path.join(dir, "cli.json"), "utf8")) as string[]);
        const packFile = path.join(dir, "pack.json");
        return fs.existsSync(packFile) ? { ...cli, pack: classify(JSON.parse(fs.readFileSync(packFile, "utf8")) as string[]) } : cli;
    } finally {
        cleanup();
    }
}

function classify(files: readonly string[]): Loaded {
    const packages = new Set<string>();
    const own = new Set<string>();
    for (const file of files) {
        const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(file);
        // The analyzer protocol's generated messages ship inside @pulumi/pulumi (proto/); they are not the SDK.
        if (pkg !== null) packages.add(pkg[1] === "@pulumi/pulumi" && pkg[2].startsWith("proto/") ? "@pulumi/pulumi/proto" : pkg[1]);
        else if (file.startsWith(REPO_ROOT + path.sep)) own.add(path.relative(REPO_ROOT, file).split(path.sep).join("/"));
    }
    return { packages, own };
}

describe("cli: what each command loads (issue 15: interactive speed)", function () {
    this.timeout(120_000);

    it("check on YAML loads neither the Pulumi SDK nor the policies in its own process (the pack process does), nor other commands", () => {
        const { packages, own } = loadedBy(["check", SHOP], [0]);
        assert.deepStrictEqual(
            ["@pulumi/pulumi", "@pulumi/policy", "ts-node", "typescript", "zod", "@grpc/grpc-js", "@pulumi/pulumi/proto", "yaml"].map((p) => [p, packages.has(p)]),
            [["@pulumi/pulumi", false], ["@pulumi/policy", false], ["ts-node", false], ["typescript", false], ["zod", false], ["@grpc/grpc-js", true], ["@pulumi/pulumi/proto", true], ["yaml", true]],
        );
        assert.deepStrictEqual(
            [...own].filter((f) => /^components\/cli\/(preview|explain|reachability|discover|diff|import|import-run)\.ts$|^components\/(offline\/run-program|offline\/recorder|simulate|compile)\/?|^policy-pack\//.test(f)),
            [],
        );
    });

    it("explain on YAML loads no Pulumi SDK, no gRPC and no compiler; preview (a program) does load the SDK", () => {
        const explain = loadedBy(["explain", WORKLOADS, SHOP, "--to", "shop/backend", "--from-workload", "shop/frontend"], [0, 1]);
        assert.deepStrictEqual(
            ["@pulumi/pulumi", "@pulumi/policy", "@grpc/grpc-js", "google-protobuf", "ts-node", "typescript"].filter((p) => explain.packages.has(p)),
            [],
        );
        assert.ok(explain.own.has("components/cli/explain.ts") && !explain.own.has("components/cli/check.ts"));
        const preview = loadedBy(["preview", "--no-policy", "--quiet", "--out", "out", path.join(FIXTURES, "projects", "plain-k8s")], [0]);
        assert.deepStrictEqual(["@pulumi/pulumi", "@grpc/grpc-js"].map((p) => preview.packages.has(p)), [true, true]);
    });

    it("preview and the pack's process load the Pulumi SDKs without what they load but never use here: no TypeScript, npm Arborist, execa or glob (its path-scurry; bin/module-deferral.js)", () => {
        const preview = loadedBy(["preview", "--quiet", "--out", "out", REPO_ROOT], [0]);
        const packages = ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/policy", "typescript", "@npmcli/arborist", "execa", "path-scurry"];
        assert.deepStrictEqual(
            [packages.filter((p) => preview.packages.has(p)), packages.filter((p) => preview.pack?.packages.has(p))],
            [["@pulumi/pulumi", "@pulumi/kubernetes"], ["@pulumi/pulumi", "@pulumi/policy"]],
        );
        const check = loadedBy(["check", SHOP], [0]);
        assert.deepStrictEqual(packages.filter((p) => check.pack?.packages.has(p)), ["@pulumi/pulumi", "@pulumi/policy"]);
    });
});
