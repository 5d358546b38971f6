import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { explainCommand } from "../../components/cli/explain";
import { compileMeshPolicy } from "../../components/compile";

// `meshguard explain --to-external`: the simulator's off-cluster decision (simulate/external.ts)
// through the CLI, on MeshPolicy's own output (egress NetworkPolicies + a declared external host).
const manifests = compileMeshPolicy({
    services: [
        { id: "billing", namespace: "shop", serviceAccount: "billing", ports: [{ port: 8080, protocol: "http" }] },
        { id: "web", namespace: "shop", serviceAccount: "web", ports: [{ port: 80, protocol: "http" }] },
    ],
    allow: [{ from: { service: "web" }, to: "billing" }],
    networkPolicies: { egress: true },
    external: [{ from: { service: "billing" }, hosts: ["api.stripe.com"], ports: [{ port: 443, protocol: "https" }] }],
});

async function run(args: string[], cwd: string): Promise<{ code: number; out: string }> {
    let out = "";
    const code = await explainCommand.run(args, { stdout: (t) => void (out += t), stderr: () => undefined, cwd });
    return { code, out };
}

async function usageError(args: string[], cwd: string): Promise<string> {
    try {
        await run(args, cwd);
    } catch (e) {
        return (e as Error).message;
    }
    assert.fail(`expected a usage error for ${args.join(" ")}`);
}

describe("meshguard explain --to-external (off-cluster destinations)", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshguard-explain-external-"));
        fs.writeFileSync(path.join(dir, "mesh.yaml"), manifests.map((m) => stringify(m)).join("---\n"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("the declared caller reaches its declared host under REGISTRY_ONLY: the ServiceEntry decides, exit 0", async () => {
        const r = await run(["mesh.yaml", "--from-workload", "shop/billing", "--to-external", "203.0.113.10", "--host", "api.stripe.com", "--port", "443", "--outbound-traffic-policy", "REGISTRY_ONLY"], dir);
        assert.equal(r.code, 0);
        assert.deepEqual(r.out.split("\n").slice(0, 5), [
            "note: workload shop/billing is not among the objects; assumed labels app=billing, service account billing",
            "ALLOWED: outboundTrafficPolicy REGISTRY_ONLY: ServiceEntry shop/external.api.stripe.com declares api.stripe.com (203.0.113.10) port 443 for namespace shop.",
            "decided by: ServiceEntry shop/external.api.stripe.com",
            "layer: Istio sidecar (meshConfig.outboundTrafficPolicy)",
            "NetworkPolicy: NetworkPolicies allow shop/billing → api.stripe.com (203.0.113.10) port 443/TCP.",
        ]);
    });

    it("an undeclared host: REGISTRY_ONLY denies it; under Istio's default ALLOW_ANY only the NetworkPolicy stands, exit 1 / 0", async () => {
        const registryOnly = await run(["mesh.yaml", "--from-workload", "shop/billing", "--to-external", "198.51.100.7", "--host", "evil.example.com", "--port", "443", "--outbound-traffic-policy", "REGISTRY_ONLY"], dir);
        assert.equal(registryOnly.code, 1);
        assert.equal(registryOnly.out.split("\n")[1], "DENIED: outboundTrafficPolicy REGISTRY_ONLY: no ServiceEntry visible to namespace shop declares host evil.example.com on port 443, so the sidecar of shop/billing sends it to the BlackHoleCluster.");
        const allowAny = await run(["mesh.yaml", "--from-workload", "shop/billing", "--to-external", "198.51.100.7", "--port", "443", "--json"], dir);
        assert.equal(allowAny.code, 0);
        assert.deepEqual([JSON.parse(allowAny.out).verdict, JSON.parse(allowAny.out).layer], ["allowed", "none"]);
    });

    it("a caller that declared no external host is stopped by its egress NetworkPolicy, naming it, exit 1", async () => {
        const r = await run(["mesh.yaml", "--from-workload", "shop/web", "--to-external", "203.0.113.10", "--host", "api.stripe.com", "--port", "443"], dir);
        assert.equal(r.code, 1);
        assert.deepEqual(r.out.split("\n").slice(1, 4), [
            "DENIED: NetworkPolicy egress: source shop/web is isolated for egress (by shop/allow-egress-from-web, shop/default-deny-egress) and no rule allows shop/web → api.stripe.com (203.0.113.10) port 443/TCP.",
            "decided by: NetworkPolicy shop/allow-egress-from-web",
            "layer: Kubernetes NetworkPolicy (L3/L4, egress)",
        ]);
    });

    it("refuses what does not make an off-cluster request (usage errors: main exits 2)", async () => {
        const base = ["mesh.yaml", "--to-external", "203.0.113.10", "--port", "443"];
        assert.equal(await usageError([...base, "--plaintext"], dir), "--plaintext does not apply with --to-external (an address outside the cluster, called by a pod of the cluster)");
        assert.equal(await usageError([...base, "--from-workload", "shop/web", "--to", "shop/billing"], dir), "--to does not apply with --to-external (an address outside the cluster, called by a pod of the cluster)");
        assert.equal(await usageError(["mesh.yaml", "--to-external", "203.0.113.0/24", "--port", "443", "--from-workload", "shop/web"], dir), '--to-external must be one IPv4 or IPv6 address such as 203.0.113.10 (got "203.0.113.0/24")');
        assert.equal(await usageError(["mesh.yaml", "--to-external", "203.0.113.10", "--from-workload", "shop/web"], dir), "--port is required with --to-external");
        assert.equal(await usageError([...base, "--from-workload", "shop/web", "--outbound-traffic-policy", "registry_only"], dir), "--outbound-traffic-policy must be ALLOW_ANY or REGISTRY_ONLY (got registry_only)");
        assert.equal(await usageError([...base], dir), "with --to-external give exactly one caller pod: --from NS/SA or --from-workload NS/NAME");
        assert.equal(await usageError(["mesh.yaml", "--from", "shop/web"], dir), "give a destination: --to NS/NAME or --to-external IP");
    });
});
