import { strict as assert } from "assert";
import { MeshguardValidationError } from "../../components/errors";
import { AuthorizationSimulator, formatReachability, NetworkEndpoint, NetworkPolicyLayer, reachability, SimWorkload } from "../../components/simulate";

const web: NetworkEndpoint = { label: "shop/web", namespace: "shop", labels: { app: "web", tier: "front" }, ip: "10.1.0.5" };
const db: NetworkEndpoint = { label: "data/db", namespace: "data", labels: { app: "db" }, ip: "10.2.0.7", namedPorts: { pg: 5432, metrics: 9187 } };
const job: NetworkEndpoint = { label: "data/job", namespace: "data", labels: { app: "job", stage: "canary" }, ip: "10.2.0.9" };

function np(name: string, namespace: string, spec: Record<string, unknown>) {
    return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec };
}
const namespaces = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: { team: "shop" } } }];
function layer(...policies: unknown[]): NetworkPolicyLayer {
    return new NetworkPolicyLayer([...namespaces, ...policies]);
}
const verdict = (l: NetworkPolicyLayer, from: NetworkEndpoint, to: NetworkEndpoint, port: number, protocol: "TCP" | "UDP" = "TCP") => l.decide(from, to, port, protocol).verdict;

describe("simulator: NetworkPolicy layer", () => {
    it("policyTypes: a pod is isolated for a direction only by a policy with that type; omitted = Ingress (+ Egress when egress is set)", () => {
        const egressOnly = layer(np("e", "data", { podSelector: {}, policyTypes: ["Egress"] }));
        assert.equal(verdict(egressOnly, web, db, 5432), "allowed");
        assert.equal(verdict(egressOnly, db, web, 80), "denied");
        const omitted = layer(np("i", "data", { podSelector: {} }));
        assert.equal(verdict(omitted, web, db, 5432), "denied");
        assert.equal(verdict(omitted, db, web, 80), "allowed");
        const omittedWithEgress = layer(np("ie", "data", { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] }));
        assert.deepEqual(
            [verdict(omittedWithEgress, web, db, 5432), verdict(omittedWithEgress, db, web, 80), verdict(omittedWithEgress, db, web, 53, "UDP")],
            ["denied", "denied", "allowed"],
        );
        const d = omittedWithEgress.decide(db, web, 80);
        assert.equal(d.direction, "egress");
        assert.deepEqual(d.policy, { kind: "NetworkPolicy", namespace: "data", name: "ie" });
        assert.equal(d.reason, "NetworkPolicy egress: source data/db is isolated for egress (by data/ie) and no rule allows data/db → shop/web port 80/TCP.");
    });

    it("needs the source's egress AND the destination's ingress; names the allowing rule", () => {
        const ingress = np("db-in", "data", { podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "shop" } }, podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: 5432 }] }] });
        const denyEgress = np("deny-out", "shop", { podSelector: {}, policyTypes: ["Egress"] });
        assert.equal(verdict(layer(ingress), web, db, 5432), "allowed");
        assert.deepEqual(layer(ingress).decide(web, db, 5432).policy, { kind: "NetworkPolicy", namespace: "data", name: "db-in", rule: 0 });
        assert.equal(verdict(layer(ingress, denyEgress), web, db, 5432), "denied");
        assert.equal(layer(ingress, denyEgress).decide(web, db, 5432).direction, "egress");
        assert.equal(verdict(layer(ingress), web, db, 5433), "denied");
        assert.equal(verdict(layer(ingress), web, db, 5432, "UDP"), "denied");
    });

    it("podSelector alone means the policy's namespace; namespaceSelector alone every pod of matching namespaces; kubernetes.io/metadata.name is implicit", () => {
        const samePods = layer(np("p", "data", { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: "job" } } }] }] }));
        assert.equal(verdict(samePods, job, db, 1), "allowed");
        assert.equal(verdict(samePods, { ...web, labels: { app: "job" } }, db, 1), "denied");
        const byName = layer(np("n", "data", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } }] }] }));
        assert.equal(verdict(byName, web, db, 1), "allowed");
        assert.equal(verdict(byName, job, db, 1), "denied");
    });

    it("matchExpressions: In, NotIn, Exists, DoesNotExist (NotIn and DoesNotExist match a missing key)", () => {
        const rule = (expr: Record<string, unknown>) => layer(np("x", "data", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [expr] } }] }] }));
        const cases: [Record<string, unknown>, NetworkEndpoint, string][] = [
            [{ key: "app", operator: "In", values: ["web", "api"] }, web, "allowed"],
            [{ key: "app", operator: "In", values: ["api"] }, web, "denied"],
            [{ key: "tier", operator: "NotIn", values: ["back"] }, web, "allowed"],
            [{ key: "tier", operator: "NotIn", values: ["front"] }, web, "denied"],
            [{ key: "stage", operator: "NotIn", values: ["canary"] }, web, "allowed"],
            [{ key: "stage", operator: "Exists" }, job, "allowed"],
            [{ key: "stage", operator: "Exists" }, web, "denied"],
            [{ key: "stage", operator: "DoesNotExist" }, web, "allowed"],
            [{ key: "stage", operator: "DoesNotExist" }, job, "denied"],
        ];
        for (const [expr, from, expected] of cases) assert.equal(verdict(rule(expr), from, db, 1), expected, JSON.stringify(expr));
        assert.throws(
            () => rule({ key: "app", operator: "Equals", values: ["web"] }),
            (e: unknown) => e instanceof MeshguardValidationError && e.message.includes('spec.ingress[0].from[0].podSelector.matchExpressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist (got "Equals")'),
        );
        assert.throws(() => rule({ key: "app", operator: "Exists", values: ["x"] }), /matchExpressions\[0\]\.values: must be empty for Exists/);
    });

    it("named ports resolve against the destination pod's container ports; endPort opens a range", () => {
        const named = layer(np("named", "data", { podSelector: {}, ingress: [{ ports: [{ port: "pg" }] }] }));
        assert.equal(verdict(named, web, db, 5432), "allowed");
        assert.equal(verdict(named, web, db, 9187), "denied");
        assert.equal(verdict(named, web, job, 5432), "denied");
        const range = layer(np("range", "data", { podSelector: {}, ingress: [{ ports: [{ port: 9000, endPort: 9100 }] }] }));
        assert.deepEqual([8999, 9000, 9050, 9100, 9101].map((p) => verdict(range, web, db, p)), ["denied", "allowed", "allowed", "allowed", "denied"]);
    });

    it("ipBlock with except, for off-cluster sources and destinations", () => {
        const offCluster = (ip: string): NetworkEndpoint => ({ label: ip, ip });
        const l = layer(
            np("from-lb", "data", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "203.0.113.0/24", except: ["203.0.113.128/25"] } }] }] }),
            np("out", "shop", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }], ports: [{ port: 443 }] }] }),
        );
        assert.equal(verdict(l, offCluster("203.0.113.10"), db, 5432), "allowed");
        assert.equal(verdict(l, offCluster("203.0.113.200"), db, 5432), "denied");
        assert.equal(verdict(l, { label: "unknown caller" }, db, 5432), "denied");
        assert.equal(verdict(l, web, offCluster("198.51.100.1"), 443), "allowed");
        assert.equal(verdict(l, web, offCluster("10.9.9.9"), 443), "denied");
        assert.throws(() => layer(np("bad", "data", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/33" } }] }] })), /spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: must be a CIDR/);
    });

    it("the simulator decides the NetworkPolicy layer first and says which layer and policy decided", () => {
        const workloads: SimWorkload[] = [
            { namespace: "shop", name: "web", labels: { app: "web" }, ports: [{ port: 8080, protocol: "http" }] },
            { namespace: "shop", name: "rogue", labels: { app: "rogue" }, inMesh: false },
            { namespace: "data", name: "db", labels: { app: "db" }, ports: [{ port: 5432, protocol: "tcp", name: "pg" }] },
        ];
        const manifests = [
            np("default-deny-ingress", "data", { podSelector: {}, policyTypes: ["Ingress"] }),
            np("db-in", "data", { podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } }, podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: "pg" }] }] }),
        ];
        const sim = new AuthorizationSimulator({ manifests, workloads });
        const denied = sim.decide({ from: { workload: "shop/rogue" }, to: "data/db", port: 5432 });
        assert.deepEqual([denied.verdict, denied.layer, denied.stage], ["denied", "network-policy", "network-policy"]);
        assert.deepEqual(denied.policy, { kind: "NetworkPolicy", namespace: "data", name: "default-deny-ingress" });
        const allowed = sim.decide({ from: { workload: "shop/web" }, to: "data/db", port: 5432 });
        assert.deepEqual([allowed.verdict, allowed.layer, allowed.stage], ["allowed", "istio", "no-allow-policy"]);
        assert.deepEqual(allowed.network, { verdict: "allowed", direction: undefined, policy: { kind: "NetworkPolicy", namespace: "data", name: "db-in", rule: 0 }, reason: "NetworkPolicies allow shop/web → data/db port 5432/TCP." });
        const unknown = sim.decide({ from: { serviceAccount: "shop/nobody" }, to: "data/db", port: 5432 });
        assert.deepEqual([unknown.verdict, unknown.layer], ["unknown", "network-policy"]);
        const plain = new AuthorizationSimulator({ manifests: [], workloads }).decide({ from: { workload: "shop/rogue" }, to: "data/db", port: 5432 });
        assert.deepEqual([plain.layer, plain.network], ["istio", undefined]);
    });

    it("reachability applies the NetworkPolicy layer before Istio and counts what it denied", () => {
        const workloads: SimWorkload[] = [
            { namespace: "shop", name: "web", labels: { app: "web" }, ports: [{ port: 8080, protocol: "tcp" }] },
            { namespace: "data", name: "db", labels: { app: "db" }, ports: [{ port: 5432, protocol: "tcp" }, { port: 9187, protocol: "tcp" }] },
        ];
        const manifests = [np("db-in", "data", { podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: 5432 }] }] })];
        const report = reachability(new AuthorizationSimulator({ manifests, workloads }), { callees: ["data/db"] });
        assert.deepEqual(report.pairs, [{ from: "shop/web", to: "data/db", allowed: [{ port: 5432, protocol: "tcp", verdict: "allowed", policy: undefined }], unknown: [], denied: 1, deniedByNetworkPolicy: 1 }]);
        assert.equal(formatReachability(report).split("\n")[1], "  shop/web → data/db: tcp/5432 (1 denied, 1 by NetworkPolicy)");
    });
});
