import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../components/cli/main";

export interface CliResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs `meshguard <argv>` in this process with buffered output. */
export async function runCli(argv: readonly string[], cwd: string, stderrIsTTY = false): Promise<CliResult> {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, cwd, stderrIsTTY });
    return { code, stdout, stderr };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `meshguard-${prefix}-`));
    return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The repository root (where package.json and the flagship Pulumi.yaml live). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const FIXTURES = path.join(REPO_ROOT, "test", "fixtures");

/** Every file under `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const full = path.join(d, entry.name);
            if (entry.isDirectory()) walk(full);
            else out.push(path.relative(dir, full).split(path.sep).join("/"));
        }
    };
    walk(dir);
    return out.sort();
}

/** `<level> <policy-name>` of every policy group of a verdict report, in report order. */
export function reportedPolicies(stdout: string): string[] {
    return [...stdout.matchAll(/^ {2}\[(\w+)\] ([a-z0-9-]+) \(/gm)].map((m) => `${m[1]} ${m[2]}`);
}

/** The mandatory policies the insecure example breaks, in report order (preview and check agree). */
export const INSECURE_EXAMPLE_POLICIES: readonly string[] = [
    "mandatory peer-authentication-strict",
    "mandatory authorization-policy-no-allow-all",
    "mandatory workload-no-injection-opt-out",
    "mandatory namespace-sidecar-injection",
    "mandatory mesh-default-deny",
    "mandatory mesh-strict-mtls-coverage",
    // Its ambient namespace has an HTTP rule ztunnel cannot enforce (issue 16).
    "mandatory authorization-policy-ztunnel-http",
    // Its namespace runs workloads without a default-deny ingress NetworkPolicy (issue 13).
    "advisory mesh-namespace-network-default-deny",
];
