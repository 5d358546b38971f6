// Property (issue 13 section 2): for random graphs with declared external egress and egress
// NetworkPolicies on, every pod reaches exactly the external ports its service (or namespace)
// declared and nothing else outside the cluster; with REGISTRY_ONLY a host is reachable only where
// a ServiceEntry of the caller's namespace declares it; and the ipBlock rule opens no in-cluster
// pod: pod-to-pod reachability stays exactly the declared (caller, callee, port) triples.
import { strict as assert } from "assert";
import fc from "fast-check";
import { compileMeshPolicy } from "../../components/compile";
import { MeshExternalEgress, MeshPolicyInput } from "../../components/model";
import { AuthorizationSimulator, SimWorkload } from "../../components/simulate";
import "../harness/property-seed";

interface Service { id: string; namespace: string; serviceAccount: string; ports: { port: number; protocol: "http" | "tcp" }[] }
interface Relationship { from: { service?: string; namespace?: string }; to: string; ports?: number[] }
interface Graph { services: Service[]; allow: Relationship[]; external: MeshExternalEgress[] }

const NAMESPACES = ["ns-a", "ns-b", "ns-c"];
/** Shared by in-cluster services and external hosts, so an external port often equals a pod's port. */
const PORTS = [80, 443, 5432, 8080];
const PROBE_PORTS = [...PORTS, 53, 15012, 7777];
const HOSTS = ["api.stripe.com", "hooks.slack.com", "*.googleapis.com"];
const OFF_CLUSTER_IP = "203.0.113.50";
const protocolOf = (port: number) => (port === 80 ? "http" : "https");

const graphArb: fc.Arbitrary<Graph> = fc.integer({ min: 1, max: 5 }).chain((n) =>
    fc
        .tuple(
            fc.array(fc.record({ namespace: fc.constantFrom(...NAMESPACES), ports: fc.uniqueArray(fc.constantFrom(...PORTS), { minLength: 1, maxLength: 2 }) }), { minLength: n, maxLength: n }),
            fc.array(fc.record({ caller: fc.nat(n - 1), byNamespace: fc.boolean(), to: fc.nat(n - 1), onePort: fc.boolean() }), { maxLength: 6 }),
            fc.array(
                fc.record({ caller: fc.nat(n - 1), byNamespace: fc.boolean(), hosts: fc.uniqueArray(fc.constantFrom(...HOSTS), { minLength: 1, maxLength: 2 }), ports: fc.uniqueArray(fc.constantFrom(...PORTS), { minLength: 1, maxLength: 2 }) }),
                { maxLength: 4 },
            ),
        )
        .map(([shapes, rels, ext]) => {
            const services: Service[] = shapes.map((s, i) => ({ id: `s${i}`, namespace: s.namespace, serviceAccount: `s${i}`, ports: s.ports.map((port) => ({ port, protocol: "tcp" as const })) }));
            const from = (i: number, byNamespace: boolean) => (byNamespace ? { namespace: services[i].namespace } : { service: services[i].id });
            return {
                services,
                allow: rels.map((r) => ({ from: from(r.caller, r.byNamespace), to: services[r.to].id, ...(r.onePort ? { ports: [services[r.to].ports[0].port] } : {}) })),
                external: ext.map((e) => ({ from: from(e.caller, e.byNamespace), hosts: e.hosts, ports: e.ports.map((port) => ({ port, protocol: protocolOf(port) as "http" | "https" })) })),
            };
        }),
);

const covers = (from: { service?: string; namespace?: string }, s: { id?: string; namespace: string }) => (from.service !== undefined ? from.service === s.id : from.namespace === s.namespace);
const hostMatches = (pattern: string, host: string) => (pattern.startsWith("*.") ? host.endsWith(pattern.slice(1)) : pattern === host);

function podsOf(g: Graph): { pod: SimWorkload; service?: Service }[] {
    const managed = new Set(g.services.map((s) => s.namespace));
    return [
        ...g.services.map((s, i) => ({ pod: { namespace: s.namespace, name: s.id, serviceAccount: s.serviceAccount, labels: { app: s.id }, ip: `10.0.0.${i + 1}`, ports: s.ports }, service: s })),
        // An undeclared pod without a sidecar in each isolated namespace.
        ...[...managed].map((ns, i) => ({ pod: { namespace: ns, name: "intruder", labels: { app: "intruder" }, ip: `10.1.0.${i + 1}`, inMesh: false } })),
    ];
}

describe("property: external egress with egress NetworkPolicies on (issue 13 section 2)", () => {
    it("each pod reaches exactly its declared external ports, REGISTRY_ONLY only its namespace's declared hosts, and no in-cluster pod through the ipBlock rule", () => {
        fc.assert(
            fc.property(graphArb, (g) => {
                const input: MeshPolicyInput = { services: g.services, allow: g.allow, networkPolicies: { egress: true }, ...(g.external.length > 0 ? { external: g.external } : {}) };
                const pods = podsOf(g);
                const namespaceOf = (e: MeshExternalEgress) => e.from.namespace ?? (g.services.find((s) => s.id === e.from.service) as Service).namespace;
                const sim = new AuthorizationSimulator({ manifests: compileMeshPolicy(input), workloads: pods.map((p) => p.pod), outboundTrafficPolicy: "REGISTRY_ONLY" });
                for (const { pod, service } of pods) {
                    const who = { id: service?.id, namespace: pod.namespace };
                    const entries = g.external.filter((e) => covers(e.from, who));
                    const declaredPorts = new Set(entries.flatMap((e) => e.ports.map((p) => p.port)));
                    for (const port of PROBE_PORTS) {
                        const network = sim.network.decide({ label: pod.name, namespace: pod.namespace, labels: pod.labels, ip: pod.ip }, { label: OFF_CLUSTER_IP, ip: OFF_CLUSTER_IP }, port);
                        assert.equal(network.verdict === "allowed", declaredPorts.has(port), `${pod.namespace}/${pod.name} → ${OFF_CLUSTER_IP}:${port}: ${network.reason}`);
                        if (pod.inMesh === false) continue;
                        for (const host of ["api.stripe.com", "storage.googleapis.com", "evil.example.com"]) {
                            const d = sim.decideExternal({ from: { workload: `${pod.namespace}/${pod.name}` }, to: { ip: OFF_CLUSTER_IP, host }, port });
                            // ServiceEntries are per caller namespace (exportTo "."): the sidecar sees every host declared there.
                            const inNamespace = g.external.some((e) => namespaceOf(e) === pod.namespace && e.hosts.some((h) => hostMatches(h, host)) && e.ports.some((p) => p.port === port));
                            assert.equal(d.verdict === "allowed", declaredPorts.has(port) && inNamespace, `${pod.name} → ${host}:${port}: ${d.reason}`);
                        }
                    }
                    // In-cluster: the external rule opens no pod; reachability is exactly the declared triples.
                    for (const callee of g.services) {
                        const target = pods.find((p) => p.service === callee)?.pod as SimWorkload;
                        for (const port of PORTS) {
                            const declared = g.allow.some((r) => covers(r.from, who) && r.to === callee.id && (r.ports ?? callee.ports.map((p) => p.port)).includes(port) && callee.ports.some((p) => p.port === port));
                            const network = sim.network.decide(
                                { label: pod.name, namespace: pod.namespace, labels: pod.labels, ip: pod.ip },
                                { label: target.name, namespace: target.namespace, labels: target.labels, ip: target.ip },
                                port,
                            );
                            assert.equal(network.verdict === "allowed", declared, `${pod.name} → ${callee.id}:${port}: ${network.reason}`);
                        }
                    }
                }
            }),
            { numRuns: 200 },
        );
    });
});
