import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { FIXTURES, REPO_ROOT, tempDir } from "./run-cli";

// Which packages and meshguard modules a command's own process loads (issue 15): the real
// launcher, run as a user runs it, with a preload that lists require.cache when the process exits.
const PROBE = `"use strict";
process.on("exit", () => {
    const files = Object.keys(require.cache);
    // Only the process that ran the CLI (not a launcher that re-executed Node and waited for it).
    if (!files.some((f) => f.endsWith(require("path").join("components", "cli", "main.ts")))) return;
    require("fs").writeFileSync(process.env.MESHGUARD_MODULE_PROBE, JSON.stringify(files));
});
`;

const SHOP = path.join(FIXTURES, "manifests", "secure", "shop.yaml");
const WORKLOADS = path.join(FIXTURES, "manifests", "secure", "workloads.yaml");

/** The modules the meshguard process loaded: npm packages by name, meshguard's own files by path. */
function loadedBy(args: readonly string[], exitCodes: readonly number[]): { packages: Set<string>; own: Set<string> } {
    const { dir, cleanup } = tempDir("module-probe");
    try {
        const probe = path.join(dir, "probe.js");
        const out = path.join(dir, "loaded.json");
        fs.writeFileSync(probe, PROBE);
        // The first run may compile (a fresh clone's empty compile cache loads TypeScript); the second is probed.
        const launch = () =>
            spawnSync(process.execPath, ["-r", probe, path.join(REPO_ROOT, "bin", "meshguard.js"), ...args], {
                cwd: dir,
                encoding: "utf8",
                env: { ...process.env, MESHGUARD_MODULE_PROBE: out },
            });
        launch();
        const run = launch();
        assert.ok(run.status !== null && exitCodes.includes(run.status), `meshguard ${args.join(" ")} exited ${run.status}: ${run.stderr}`);
        const files = JSON.parse(fs.readFileSync(out, "utf8")) as string[];
        const packages = new Set<string>();
        const own = new Set<string>();
        for (const file of files) {
            const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(file);
            // The analyzer protocol's generated messages ship inside @pulumi/pulumi (proto/); they are not the SDK.
            if (pkg !== null) packages.add(pkg[1] === "@pulumi/pulumi" && pkg[2].startsWith("proto/") ? "@pulumi/pulumi/proto" : pkg[1]);
            else if (file.startsWith(REPO_ROOT + path.sep)) own.add(path.relative(REPO_ROOT, file).split(path.sep).join("/"));
        }
        return { packages, own };
    } finally {
        cleanup();
    }
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
});
