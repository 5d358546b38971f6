import * as assert from "assert";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { manifestResources, startPolicyPack } from "../../components/analyzer";
import { K8sManifest } from "../../components/manifest";

// Issue 12: meshguard as a user installs it. `npm pack` → a fresh project holding only the
// tarball, the peer dependencies and what `pulumi new typescript` adds (typescript, @types/node)
// → `npx meshguard preview` on a TypeScript program with all three components → `tsc --noEmit`
// under Pulumi-template tsconfigs → the shipped pack started exactly as the Pulumi CLI's host
// starts it (run-policy-pack in node_modules/meshguard/policy-pack) and driven over gRPC.
// Run with `npm run test:package` (.ci/run runs it after `npm test`).

const REPO = path.resolve(__dirname, "..", "..");
const rootManifest = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { devDependencies: Record<string, string> };

const PROGRAM = `import * as k8s from "@pulumi/kubernetes";
import { IstioMesh, MeshNamespace, MeshPolicy } from "meshguard";

const mesh = new IstioMesh("mesh", { meshConfig: { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } } });
const shop = new MeshNamespace("shop", { name: "shop", mesh });
for (const name of ["frontend", "backend"]) {
    const labels = { app: name };
    const metadata = { name, namespace: shop.namespace, labels };
    new k8s.core.v1.ServiceAccount(name, { metadata }, { dependsOn: shop.ready });
    new k8s.apps.v1.Deployment(name, {
        metadata,
        spec: {
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: { serviceAccountName: name, containers: [{ name, image: "ghcr.io/example/" + name + ":1.0.0", ports: [{ containerPort: 8080 }] }] },
            },
        },
    }, { dependsOn: shop.ready });
    new k8s.core.v1.Service(name, { metadata, spec: { selector: labels, ports: [{ name: "http", port: 8080, targetPort: 8080 }] } }, { dependsOn: shop.ready });
}
new MeshPolicy("access", {
    services: [
        { id: "frontend", namespace: "shop", serviceAccount: "frontend", ports: [{ port: 8080, protocol: "http" }] },
        { id: "backend", namespace: "shop", serviceAccount: "backend", ports: [{ port: 8080, protocol: "http" }] },
    ],
    allow: [{ from: { service: "frontend" }, to: "backend", methods: ["GET"], paths: ["/api/*"] }],
    mtls: "inherit",
    defaultDeny: false,
    dependsOn: mesh.ready,
    namespaceDependsOn: { shop: shop.ready },
});
`;

// The tsconfig \`pulumi new typescript\` writes (bare: no esModuleInterop, no skipLibCheck — issue 12
// item 4), and the same with the two flags other templates and users add.
const TEMPLATE = {
    strict: true, outDir: "bin", target: "es2020", module: "commonjs", moduleResolution: "node", sourceMap: true,
    experimentalDecorators: true, pretty: false, noFallthroughCasesInSwitch: true, noImplicitReturns: true, forceConsistentCasingInFileNames: true,
};
const TSCONFIGS: Record<string, Record<string, unknown>> = {
    "template": TEMPLATE,
    "template-esModuleInterop": { ...TEMPLATE, esModuleInterop: true },
    "template-skipLibCheck": { ...TEMPLATE, skipLibCheck: true },
    "node16": { ...TEMPLATE, module: "node16", moduleResolution: "node16" },
    "nodenext": { ...TEMPLATE, module: "nodenext", moduleResolution: "nodenext" },
    "bundler": { ...TEMPLATE, module: "esnext", moduleResolution: "bundler" },
};

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd, env: { ...process.env, NODE_OPTIONS: "" } });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, out }));
    });
}

describe("installed package (npm pack → npm install → preview, tsc, policy pack)", function () {
    this.timeout(900_000);
    let work: string;
    let project: string;

    before(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "meshguard-package-"));
        project = path.join(work, "project");
        fs.mkdirSync(project);
        const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", work], { cwd: REPO, encoding: "utf8" }).trim().split("\n").pop() as string;
        const dev = rootManifest.devDependencies;
        fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({
            name: "meshguard-package-test", version: "1.0.0", private: true, main: "index.ts",
            dependencies: { "@pulumi/pulumi": dev["@pulumi/pulumi"], "@pulumi/kubernetes": dev["@pulumi/kubernetes"] },
            devDependencies: { "typescript": dev["typescript"], "@types/node": dev["@types/node"] },
        }, null, 2));
        execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", path.join(work, tarball)], { cwd: project, stdio: "inherit" });
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: installed\nruntime: nodejs\ndescription: meshguard installed from its tarball\n");
        fs.writeFileSync(path.join(project, "index.ts"), PROGRAM);
    });
    after(() => fs.rmSync(work, { recursive: true, force: true }));

    it("the pack directory resolves to a file in the tarball (package.json main), without TypeScript; bin/ holds the launcher and the module deferral", () => {
        const packDir = path.join(project, "node_modules", "meshguard", "policy-pack");
        assert.strictEqual(require.resolve(packDir), path.join(packDir, "dist", "policy-pack", "index.js"));
        assert.deepStrictEqual(fs.readdirSync(packDir).sort(), ["PulumiPolicy.yaml", "dist", "package.json"]);
        // The launcher, and the preload that defers the modules no meshguard process uses (issue 15).
        assert.deepStrictEqual(fs.readdirSync(path.join(project, "node_modules", "meshguard", "bin")).sort(), ["meshguard.js", "module-deferral-register.js", "module-deferral.js"]);
    });

    it("npx meshguard preview runs the TypeScript program (no tsconfig.json) and the pack, exit 0", async () => {
        const { code, out } = await run("npx", ["--no-install", "meshguard", "preview"], project);
        assert.strictEqual(code, 0, out);
        assert.match(out, /^meshguard preview: OFFLINE preview of project installed, stack dev \(index\.ts\)$/m);
        assert.match(out, /^Resources: 21 \(1 stack, 3 components, 2 Helm installs, 15 Kubernetes objects\)$/m);
        assert.match(out, /^PASSED: no policy violations\.$/m, out);
    });

    it("tsc --noEmit accepts the program under Pulumi-template tsconfigs and moduleResolution node16, nodenext, bundler", async () => {
        const names = Object.keys(TSCONFIGS);
        for (const name of names) fs.writeFileSync(path.join(project, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions: TSCONFIGS[name], files: ["index.ts"] }));
        // Two at a time: each run reads @pulumi/kubernetes's large declarations.
        const results: (readonly [string, { code: number | null; out: string }])[] = [];
        for (let i = 0; i < names.length; i += 2) {
            const batch = names.slice(i, i + 2);
            const outcomes = await Promise.all(batch.map((name) => run("npx", ["--no-install", "tsc", "--noEmit", "-p", `tsconfig.${name}.json`], project)));
            batch.forEach((name, j) => results.push([name, outcomes[j]] as const));
        }
        assert.deepStrictEqual(results.map(([name, r]) => [name, r.code, r.out]), Object.keys(TSCONFIGS).map((name) => [name, 0, ""]));
    });

    it("with TypeScript 6 and ts-node in the project and no tsconfig.json, the preview compiles with nodenext (no TS5107/TS5109)", async () => {
        // ts-node's own defaults (moduleResolution node10) fail on TypeScript 6; the Pulumi CLI's defaults do not.
        execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", "-D", "typescript@6.0.3", "ts-node@10.9.2"], { cwd: project, stdio: "inherit" });
        const { code, out } = await run("npx", ["--no-install", "meshguard", "preview", "--no-policy", "--quiet"], project);
        assert.strictEqual(code, 0, out);
        assert.match(out, /^Resources: 21 \(1 stack, 3 components, 2 Helm installs, 15 Kubernetes objects\)$/m);
    });

    it("the pack in node_modules/meshguard/policy-pack, started through run-policy-pack, answers the analyzer protocol", async () => {
        const session = await startPolicyPack({ packDir: path.join(project, "node_modules", "meshguard", "policy-pack"), stack: "dev", project: "installed" });
        try {
            const info = await session.info();
            assert.deepStrictEqual([info.name, info.version], ["meshguard", "0.1.0"]);
            await session.configure();
            const permissive: K8sManifest = { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "shop" }, spec: { mtls: { mode: "PERMISSIVE" } } };
            const [, pa] = manifestResources([permissive]);
            const result = await session.analyze(pa);
            assert.deepStrictEqual(result.verdicts.map((v) => [v.policyName, v.enforcementLevel, v.resourceName]), [["peer-authentication-strict", "mandatory", "shop/default"]]);
        } finally {
            await session.close();
        }
    });
});
