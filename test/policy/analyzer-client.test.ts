import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { packCommand } from "../../components/analyzer/pack-process";
import { analyzeRequest, analyzeStackRequest, manifestResources, reconcilePolicyConfig, toAnalyzerValue, verdictFailsRun } from "../../components/analyzer";
import { RegisteredResource, UNKNOWN_SENTINEL } from "../../components/offline";
import { AnalyzeStackRequest } from "@pulumi/pulumi/proto/analyzer_pb";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";

const policies = [
    {
        name: "a",
        description: "A.",
        enforcementLevel: "mandatory",
        configSchema: { properties: { names: { type: "array", items: { type: "string" }, default: [] }, root: { type: "string", default: "istio-system" } }, required: [] },
    },
    { name: "b", description: "B.", enforcementLevel: "advisory" },
];

describe("analyzer client: policy config as the CLI reconciles it", () => {
    it("starts from each policy's level and schema defaults", () => {
        assert.deepStrictEqual(reconcilePolicyConfig(policies), {
            a: { enforcementLevel: "mandatory", properties: { names: [], root: "istio-system" } },
            b: { enforcementLevel: "advisory", properties: {} },
        });
    });

    it("applies \"all\", then per-policy levels and properties", () => {
        assert.deepStrictEqual(reconcilePolicyConfig(policies, { all: "advisory", a: { enforcementLevel: "disabled", names: ["x"] }, b: "mandatory" }), {
            a: { enforcementLevel: "disabled", properties: { names: ["x"], root: "istio-system" } },
            b: { enforcementLevel: "mandatory", properties: {} },
        });
    });

    it("rejects invalid levels, unknown policies, unknown properties and wrong types, listing every problem", () => {
        assert.throws(
            () => reconcilePolicyConfig(policies, { a: { names: "x", nmes: [] }, c: "advisory", b: "strict" }),
            {
                message: [
                    "invalid policy config:",
                    '  - b: "strict" is not a valid enforcement level (advisory, mandatory, remediate, disabled)',
                    '  - "c" is not a policy of this pack (policies: a, b)',
                    "  - a.names: must be of type array (found string)",
                    "  - a.nmes: unknown config property (known: names, root)",
                ].join("\n"),
            },
        );
    });
});

describe("analyzer client: property encoding as the engine marshals it", () => {
    it("keeps unknowns and secrets, resolves references and output values, drops internal keys", () => {
        const input = {
            a: UNKNOWN_SENTINEL,
            s: { [SIG]: SECRET, value: "x" },
            r: { [SIG]: "5cf8f73096256a8f31e491e813e4eb8e", urn: "urn:pulumi:s::p::t::n", id: "" },
            rid: { [SIG]: "5cf8f73096256a8f31e491e813e4eb8e", urn: "urn:pulumi:s::p::t::n", id: "id-1" },
            o: { [SIG]: "d0e6a833031e9bbcd3f4e8bde6ca49a4", value: "v" },
            ou: { [SIG]: "d0e6a833031e9bbcd3f4e8bde6ca49a4" },
            os: { [SIG]: "d0e6a833031e9bbcd3f4e8bde6ca49a4", value: "v", secret: true },
            __defaults: ["a"],
            nested: [{ __internal: 1, keep: null }],
        };
        assert.deepStrictEqual(toAnalyzerValue(input), {
            a: UNKNOWN_SENTINEL,
            s: { [SIG]: SECRET, value: "x" },
            r: "urn:pulumi:s::p::t::n",
            rid: "id-1",
            o: "v",
            ou: UNKNOWN_SENTINEL,
            os: { [SIG]: SECRET, value: "v" },
            nested: [{ keep: null }],
        });
    });
});

describe("analyzer client: requests", () => {
    const stackUrn = "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev";
    const providerUrn = "urn:pulumi:dev::proj::pulumi:providers:kubernetes::k8s";
    const resources: RegisteredResource[] = [
        { urn: stackUrn, type: "pulumi:pulumi:Stack", name: "proj-dev", custom: false, remote: false, dependencies: [], propertyDependencies: {}, inputs: {} },
        { urn: providerUrn, type: "pulumi:providers:kubernetes", name: "k8s", custom: true, remote: false, parent: stackUrn, dependencies: [], propertyDependencies: {}, inputs: { namespace: "team" }, id: "p-id" },
        {
            urn: "urn:pulumi:dev::proj::pulumi:pulumi:Stack$kubernetes:core/v1:Namespace::ns",
            type: "kubernetes:core/v1:Namespace",
            name: "ns",
            custom: true,
            remote: false,
            parent: stackUrn,
            provider: `${providerUrn}::p-id`,
            dependencies: [providerUrn],
            propertyDependencies: { metadata: [providerUrn], spec: [] },
            inputs: { metadata: { name: "shop" } },
        },
    ];

    it("Analyze carries type, name, urn, properties, options with parent, and the provider", () => {
        const request = analyzeRequest(resources[2], new Map(resources.map((r) => [r.urn, r])));
        assert.strictEqual(request.getType(), "kubernetes:core/v1:Namespace");
        assert.strictEqual(request.getUrn(), resources[2].urn);
        assert.deepStrictEqual(request.getProperties()?.toJavaScript(), { metadata: { name: "shop" } });
        assert.strictEqual(request.getOptions()?.getParent(), stackUrn);
        assert.strictEqual(request.getOptions()?.getDeletebeforereplacedefined(), false);
        assert.ok(request.getOptions()?.getCustomtimeouts() !== undefined);
        const provider = request.getProvider();
        assert.deepStrictEqual([provider?.getUrn(), provider?.getType(), provider?.getName(), provider?.getProperties()?.toJavaScript()], [providerUrn, "pulumi:providers:kubernetes", "k8s", { namespace: "team" }]);
    });

    it("AnalyzeStack carries parents, dependencies and non-empty property dependencies", () => {
        // Through the wire format, as the pack receives it.
        const [, , ns] = AnalyzeStackRequest.deserializeBinary(analyzeStackRequest(resources).serializeBinary()).getResourcesList();
        assert.strictEqual(ns.getParent(), stackUrn);
        assert.deepStrictEqual(ns.getDependenciesList(), [providerUrn]);
        const deps = ns.getPropertydependenciesMap();
        assert.deepStrictEqual([...deps.entries()].map(([k, v]) => [k, v.getUrnsList()]), [["metadata", [providerUrn]]]);
    });

    it("turns plain manifests into resources typed by apiVersion and kind, under a stack", () => {
        const out = manifestResources([
            { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
            { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "x", namespace: "shop" }, spec: {} },
            { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "x", namespace: "shop" }, spec: { action: "DENY" } },
        ]);
        assert.deepStrictEqual(out.map((r) => [r.type, r.name, r.parent === out[0].urn]), [
            ["pulumi:pulumi:Stack", "meshguard-check-manifests", false],
            ["kubernetes:core/v1:Namespace", "shop", true],
            ["kubernetes:security.istio.io/v1:AuthorizationPolicy", "shop/x", true],
            ["kubernetes:security.istio.io/v1:AuthorizationPolicy", "shop/x#2", true],
        ]);
        assert.strictEqual(new Set(out.map((r) => r.urn)).size, out.length);
    });

    it("only mandatory verdicts fail a run", () => {
        const base = { policyPackName: "meshguard", policyName: "p", description: "", message: "" };
        assert.deepStrictEqual(
            (["mandatory", "advisory", "remediate", "disabled"] as const).map((enforcementLevel) => verdictFailsRun({ ...base, enforcementLevel })),
            [true, false, false, false],
        );
    });
});

describe("analyzer client: how the pack is started", () => {
    it("runs a checkout's TypeScript through the compile cache, any other pack through the CLI's run-policy-pack and its package.json main", () => {
        // Inside the repository, so that @pulumi/pulumi resolves from the pack directory as in a project.
        const dir = fs.mkdtempSync(path.join(__dirname, ".pack-"));
        try {
            fs.mkdirSync(path.join(dir, "dist"));
            fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "p", version: "1.0.0", main: "dist/entry.js" }));
            fs.writeFileSync(path.join(dir, "dist", "entry.js"), "");
            const compiled = packCommand(dir);
            const deferral = ["-r", path.join(__dirname, "..", "..", "bin", "module-deferral-register.js")];
            assert.deepStrictEqual([compiled.args, compiled.entry], [[...deferral, require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:0", dir], path.join(dir, "dist", "entry.js")]);
            fs.writeFileSync(path.join(dir, "index.ts"), "");
            const source = packCommand(dir);
            assert.deepStrictEqual(source.args, [...deferral, "-r", path.join(__dirname, "..", "..", "bin", "ts-cache-register.js"), path.join(dir, "index.ts")]);
            // A relative directory names the same files (the pack's working directory is its own).
            assert.deepStrictEqual(packCommand(path.relative(process.cwd(), dir)).args, source.args);
            assert.match(String(source.env["TS_NODE_COMPILER_OPTIONS"]), /"module":"commonjs"/);
            fs.rmSync(path.join(dir, "index.ts"));
            fs.rmSync(path.join(dir, "dist", "entry.js"));
            assert.throws(() => packCommand(dir), {
                message: `policy pack in ${dir} has no entry point: ${path.join("dist", "entry.js")} (package.json "main") does not exist and there is no index.ts. Fix: build the pack (npm run build) or install the package again.`,
            });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("the shipped pack's package.json main is the compiled pack the build emits (issue 12 item 1)", () => {
        const packDir = path.join(__dirname, "..", "..", "policy-pack");
        const manifest = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8")) as { main: string; files: string[] };
        const tsconfig = JSON.parse(fs.readFileSync(path.join(packDir, "tsconfig.json"), "utf8")) as { compilerOptions: { rootDir: string; outDir: string }; files: string[] };
        // rootDir ".." keeps the repository layout under outDir: index.ts compiles to <outDir>/policy-pack/index.js.
        assert.deepStrictEqual(
            [manifest.main, manifest.files, tsconfig.compilerOptions.rootDir, tsconfig.compilerOptions.outDir, tsconfig.files],
            ["dist/policy-pack/index.js", ["PulumiPolicy.yaml", "dist/"], "..", "dist", ["index.ts"]],
        );
    });
});
