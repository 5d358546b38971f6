import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { explainCommand } from "../../components/cli/explain";

const POLICIES = `apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: shop}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}]
    to: [{operation: {methods: [GET], paths: ["/api/*"]}}]
`;

async function run(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await explainCommand.run(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd });
    return { code, out, err };
}

describe("meshguard explain", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshguard-explain-"));
        fs.writeFileSync(path.join(dir, "policies.yaml"), POLICIES);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("explains an allowed request from YAML, assuming workloads missing from the files", async () => {
        const r = await run(["policies.yaml", "--to", "shop/cart", "--from", "shop/web", "--path", "/api/items"], dir);
        assert.strictEqual(r.code, 0);
        const lines = r.out.split("\n");
        assert.strictEqual(lines[0], "note: workload shop/cart is not among the objects; assumed labels app=cart, service account cart");
        assert.strictEqual(lines[1], "ALLOWED: ALLOW policy shop/cart rule 0 matches the request.");
        assert.strictEqual(lines[2], "decided by: ALLOW AuthorizationPolicy shop/cart rule 0");
        assert.strictEqual(lines[3], "layer: Istio");
        assert.strictEqual(lines[4], "mTLS: STRICT, connection mTLS, peer cluster.local/ns/shop/sa/web");
    });

    it("exits 1 on a denial and explains it", async () => {
        const r = await run(["policies.yaml", "--to", "shop/cart", "--from", "shop/web", "--method", "DELETE", "--path", "/api/items"], dir);
        assert.strictEqual(r.code, 1);
        assert.match(r.out, /^note: .*\nDENIED: 2 ALLOW policies select shop\/cart \(shop\/allow-nothing, shop\/cart\) and no rule of them matches the request\.\n/);
        assert.ok(r.out.includes("\n  - ALLOW shop/cart rule 0: it does not match on to (to[0]: methods).\n"), r.out);
        const plain = await run(["policies.yaml", "--to", "shop/cart", "--plaintext"], dir);
        assert.strictEqual(plain.code, 1);
        assert.match(plain.out, /DENIED: STRICT mTLS on shop\/cart port 80 rejects the plaintext connection of a plaintext caller outside the mesh\./);
    });

    it("prints JSON with --json", async () => {
        const r = await run(["policies.yaml", "--to", "shop/cart", "--from", "shop/web", "--path", "/api/x", "--json"], dir);
        const decision = JSON.parse(r.out);
        assert.strictEqual(decision.verdict, "allowed");
        assert.deepStrictEqual(decision.policy, { kind: "AuthorizationPolicy", namespace: "shop", name: "cart", action: "ALLOW", rule: 0 });
    });

    it("runs a Pulumi program offline with --program", async () => {
        const program = path.join(__dirname, "explain-program");
        const allowed = await run(["--program", program, "--to", "demo/api", "--from-workload", "demo/web", "--path", "/api/v1"], dir);
        assert.strictEqual(allowed.err, "");
        assert.strictEqual(allowed.code, 0, allowed.out);
        assert.match(allowed.out, /^ALLOWED: ALLOW policy demo\/api-allow rule 0 matches the request\.\n/);
        const denied = await run(["--program", program, "--to", "demo/api", "--from-workload", "demo/api"], dir);
        assert.strictEqual(denied.code, 1);
    });

    it("rejects bad invocations with usage errors", async () => {
        const cases: [string[], RegExp][] = [
            [["policies.yaml", "--from", "shop/web"], /give a destination: --to NS\/NAME or --to-external IP/],
            [["policies.yaml", "--to", "shop/cart"], /give exactly one caller/],
            [["policies.yaml", "--to", "shop/cart", "--plaintext", "--from", "a/b"], /give exactly one caller/],
            [["policies.yaml", "--to", "cart", "--plaintext"], /--to must be NAMESPACE\/NAME \(got cart\)/],
            [["policies.yaml", "--to", "shop/cart", "--plaintext", "--port", "http"], /--port must be a port number/],
            [["policies.yaml", "--to", "shop/cart", "--plaintext", "--jwt-claims", "[1]"], /--jwt-claims must be a JSON object/],
            [["--to", "shop/cart", "--plaintext"], /expected YAML files or directories, or --program DIR/],
        ];
        for (const [args, message] of cases) {
            await assert.rejects(explainCommand.run(args, { stdout: () => undefined, stderr: () => undefined, cwd: dir }), message);
        }
    });

    it("reports unreadable input with exit 2", async () => {
        const r = await run(["missing.yaml", "--to", "shop/cart", "--plaintext"], dir);
        assert.strictEqual(r.code, 2);
        assert.strictEqual(r.err, "meshguard explain: cannot read the manifests:\n  missing.yaml: no such file or directory\n");
    });
});
