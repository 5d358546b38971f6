import { strict as assert } from "assert";
import { compileMeshPolicy } from "../../components/compile";
import { MeshPolicyInput } from "../../components/model";
import { AuthorizationSimulator, SimWorkload } from "../../components/simulate";

const billing = { id: "billing", namespace: "shop", serviceAccount: "billing", ports: [{ port: 8080, protocol: "http" as const }] };
const web = { id: "web", namespace: "shop", serviceAccount: "web", ports: [{ port: 80, protocol: "http" as const }] };
const input: MeshPolicyInput = {
    services: [billing, web],
    allow: [{ from: { service: "web" }, to: "billing" }],
    networkPolicies: { egress: true },
    external: [{ from: { service: "billing" }, hosts: ["api.stripe.com"], ports: [{ port: 443, protocol: "https" }] }],
};
const pods: SimWorkload[] = [
    { namespace: "shop", name: "billing", serviceAccount: "billing", labels: { app: "billing" }, ip: "10.0.1.5", ports: [{ port: 8080, protocol: "http" }] },
    { namespace: "shop", name: "web", serviceAccount: "web", labels: { app: "web" }, ip: "10.0.1.6", ports: [{ port: 80, protocol: "http" }] },
    { namespace: "shop", name: "intruder", labels: { app: "intruder" }, ip: "10.0.1.9", inMesh: false },
];
const STRIPE = { ip: "203.0.113.10", host: "api.stripe.com" };
const simulator = (manifests: unknown[], mode: "ALLOW_ANY" | "REGISTRY_ONLY" = "REGISTRY_ONLY") => new AuthorizationSimulator({ manifests, workloads: pods, outboundTrafficPolicy: mode });

describe("simulator: off-cluster destinations (issue 13 section 5)", () => {
    const manifests = compileMeshPolicy(input);

    it("a declared caller reaches its declared host and port: the NetworkPolicy allows, the ServiceEntry decides", () => {
        const d = simulator(manifests).decideExternal({ from: { workload: "shop/billing" }, to: STRIPE, port: 443 });
        assert.deepEqual([d.verdict, d.layer, d.policy, d.network?.verdict], ["allowed", "outbound-traffic-policy", { kind: "ServiceEntry", namespace: "shop", name: "external.api.stripe.com" }, "allowed"]);
        assert.equal(d.reason, "outboundTrafficPolicy REGISTRY_ONLY: ServiceEntry shop/external.api.stripe.com declares api.stripe.com (203.0.113.10) port 443 for namespace shop.");
    });

    it("an undeclared host on the declared port passes the NetworkPolicy and is stopped by REGISTRY_ONLY", () => {
        const d = simulator(manifests).decideExternal({ from: { serviceAccount: "shop/billing" }, to: { ip: "198.51.100.7", host: "evil.example.com" }, port: 443 });
        assert.deepEqual([d.verdict, d.layer, d.policy], ["denied", "outbound-traffic-policy", undefined]);
        assert.equal(d.reason, "outboundTrafficPolicy REGISTRY_ONLY: no ServiceEntry visible to namespace shop declares host evil.example.com on port 443, so the sidecar of shop/billing sends it to the BlackHoleCluster.");
    });

    it("an undeclared port, or a caller that declared nothing, is denied by the egress NetworkPolicy", () => {
        const port = simulator(manifests).decideExternal({ from: { workload: "shop/billing" }, to: STRIPE, port: 80 });
        assert.deepEqual([port.verdict, port.layer, port.policy], ["denied", "network-policy", { kind: "NetworkPolicy", namespace: "shop", name: "allow-egress-from-billing" }]);
        assert.equal(port.reason, "NetworkPolicy egress: source shop/billing is isolated for egress (by shop/allow-egress-from-billing, shop/allow-external-egress-from-billing, shop/default-deny-egress) and no rule allows shop/billing → api.stripe.com (203.0.113.10) port 80/TCP.");
        const other = simulator(manifests).decideExternal({ from: { workload: "shop/web" }, to: STRIPE, port: 443 });
        assert.deepEqual([other.verdict, other.layer], ["denied", "network-policy"]);
    });

    it("ALLOW_ANY lets any host through the sidecar; a pod without a sidecar bypasses REGISTRY_ONLY but not the NetworkPolicy", () => {
        const any = simulator(manifests, "ALLOW_ANY").decideExternal({ from: { workload: "shop/billing" }, to: { ip: "198.51.100.7", host: "evil.example.com" }, port: 443 });
        assert.deepEqual([any.verdict, any.layer], ["allowed", "none"]);
        const intruder = simulator(manifests).decideExternal({ from: { workload: "shop/intruder" }, to: STRIPE, port: 443 });
        assert.deepEqual([intruder.verdict, intruder.layer], ["denied", "network-policy"]);
        const serviceEntriesOnly = simulator(compileMeshPolicy({ ...input, networkPolicies: { egress: false } })).decideExternal({ from: { workload: "shop/intruder" }, to: { ip: "198.51.100.7", host: "evil.example.com" }, port: 443 });
        assert.deepEqual([serviceEntriesOnly.verdict, serviceEntriesOnly.layer, serviceEntriesOnly.reason], [
            "allowed",
            "none",
            "shop/intruder has no sidecar, so outboundTrafficPolicy does not apply: only NetworkPolicies could stop it, and none does.",
        ]);
    });

    it("the ipBlock rule never opens an in-cluster address: 10.x on the declared port is denied", () => {
        const d = simulator(manifests).decideExternal({ from: { workload: "shop/billing" }, to: { ip: "10.20.0.4" }, port: 443 });
        assert.deepEqual([d.verdict, d.layer], ["denied", "network-policy"]);
    });

    it("exportTo: a ServiceEntry of another namespace exported to '.' is invisible; wildcard hosts match subdomains; without host the addresses decide", () => {
        const entry = (namespace: string, spec: Record<string, unknown>) => ({ apiVersion: "networking.istio.io/v1", kind: "ServiceEntry", metadata: { name: "e", namespace }, spec });
        const sim = simulator([
            entry("data", { hosts: ["db.example.com"], ports: [{ number: 5432, name: "tcp" }], exportTo: ["."] }),
            entry("ops", { hosts: ["*.googleapis.com"], ports: [{ number: 443, name: "tls" }] }),
            entry("ops", { hosts: ["legacy.example.com"], addresses: ["192.0.2.0/24"], ports: [{ number: 9000, name: "tcp" }], exportTo: ["shop"] }),
        ]);
        const verdict = (to: { ip: string; host?: string }, port: number) => sim.decideExternal({ from: { workload: "shop/billing" }, to, port }).verdict;
        assert.equal(verdict({ ip: "203.0.113.1", host: "db.example.com" }, 5432), "denied");
        assert.equal(verdict({ ip: "203.0.113.1", host: "storage.eu.googleapis.com" }, 443), "allowed");
        assert.equal(verdict({ ip: "203.0.113.1", host: "googleapis.com" }, 443), "denied");
        assert.equal(verdict({ ip: "192.0.2.9" }, 9000), "allowed");
        assert.equal(verdict({ ip: "198.51.100.1" }, 9000), "denied");
    });

    it("rejects an off-cluster source and a malformed address", () => {
        assert.throws(() => simulator(manifests).decideExternal({ from: { plaintext: true }, to: STRIPE, port: 443 }), /from: an off-cluster destination needs a pod of the cluster as the source/);
        assert.throws(() => simulator(manifests).decideExternal({ from: { workload: "shop/billing" }, to: { ip: "203.0.113.0/24" }, port: 443 }), /to\.ip: must be an IPv4 or IPv6 address \(got "203\.0\.113\.0\/24"\)/);
    });
});
