// Property: with a random subset of destinations in staged enforcement (MeshPolicy dryRunServices),
// the simulator's enforced decisions equal the declared graph for every enforced destination;
// every mesh caller reaches a shadow destination on its declared ports, and the dry-run policies'
// own decision there (the shadow engines, shadowVerdict) equals the declared graph.
import * as assert from "assert";
import fc from "fast-check";
import { compileMeshPolicy } from "../../components/compile";
import { MeshPolicyInput, MeshNetworkPoliciesInput } from "../../components/model";
import { AuthorizationSimulator, shadowVerdict, SimWorkload } from "../../components/simulate";

type Protocol = "http" | "tcp";
interface Port { port: number; protocol: Protocol }
interface Service { id: string; namespace: string; serviceAccount: string; ports: Port[] }
interface Relationship { from: { service?: string; namespace?: string }; to: string; ports?: number[] }
interface Graph { services: Service[]; allow: Relationship[]; dryRunServices: string[]; networkPolicies: MeshNetworkPoliciesInput }

const NAMESPACES = ["ns-a", "ns-b"];
const PORTS = [8080, 9000, 5432];
const OUTSIDER: SimWorkload = { namespace: "ns-outside", name: "outsider", serviceAccount: "outsider", labels: { app: "outsider" } };

const serviceArb = (i: number) =>
    fc
        .record({
            namespace: fc.constantFrom(...NAMESPACES),
            ports: fc.uniqueArray(fc.constantFrom(...PORTS), { minLength: 1, maxLength: 2 }),
            protocol: fc.constantFrom<Protocol>("http", "tcp"),
        })
        .map(({ namespace, ports, protocol }): Service => ({ id: `s${i}`, namespace, serviceAccount: `s${i}`, ports: ports.map((port) => ({ port, protocol })) }));

const graphArb: fc.Arbitrary<Graph> = fc.integer({ min: 1, max: 4 }).chain((n) =>
    fc.tuple(...Array.from({ length: n }, (_, i) => serviceArb(i))).chain((services) => {
        const ids = services.map((s) => s.id);
        const relArb = fc
            .record({
                from: fc.oneof(fc.constantFrom(...ids).map((service) => ({ service })), fc.constantFrom(...NAMESPACES, "ns-outside").map((namespace) => ({ namespace }))),
                to: fc.constantFrom(...ids),
                onePort: fc.boolean(),
            })
            .map(({ from, to, onePort }): Relationship => {
                const target = services.find((s) => s.id === to) as Service;
                return onePort ? { from, to, ports: [target.ports[0].port] } : { from, to };
            });
        return fc.record({
            services: fc.constant(services),
            allow: fc.array(relArb, { maxLength: 6 }),
            dryRunServices: fc.subarray(ids, { minLength: 1 }),
            networkPolicies: fc.constantFrom<MeshNetworkPoliciesInput>(false, {}, { egress: true }),
        });
    }),
);

function declared(g: Graph, caller: SimWorkload, dest: Service, port: number): boolean {
    return g.allow.some(
        (r) =>
            r.to === dest.id &&
            (r.ports === undefined || r.ports.includes(port)) &&
            (r.from.service === caller.name || (r.from.namespace !== undefined && r.from.namespace === caller.namespace)),
    );
}

function checkGraph(g: Graph): void {
    const input: MeshPolicyInput = { services: g.services, allow: g.allow, dryRunServices: g.dryRunServices, networkPolicies: g.networkPolicies };
    const manifests = compileMeshPolicy(input);
    const workloads: SimWorkload[] = [
        ...g.services.map((s): SimWorkload => ({ namespace: s.namespace, name: s.id, serviceAccount: s.serviceAccount, labels: { app: s.id }, ports: s.ports })),
        OUTSIDER,
    ];
    const sim = new AuthorizationSimulator({ manifests, workloads });
    for (const dest of g.services) {
        const shadow = g.dryRunServices.includes(dest.id);
        for (const caller of workloads) {
            for (const { port, protocol } of dest.ports) {
                const d = sim.decide({ from: { workload: `${caller.namespace}/${caller.name}` }, to: `${dest.namespace}/${dest.id}`, port, protocol });
                const expected = declared(g, caller, dest, port);
                const what = `${caller.namespace}/${caller.name} → ${dest.id}:${port} (${shadow ? "dry-run" : "enforced"}): ${d.reason}`;
                if (shadow) {
                    assert.strictEqual(d.verdict, "allowed", what);
                    assert.strictEqual(shadowVerdict(d), expected ? "allowed" : "denied", what);
                } else {
                    assert.strictEqual(d.verdict, expected ? "allowed" : "denied", what);
                    assert.strictEqual(shadowVerdict(d), undefined, what);
                }
            }
        }
    }
}

describe("staged enforcement (dryRunServices) in the simulator", () => {
    it("enforced destinations keep exactly the declared graph; shadow destinations are open to the mesh and their shadow decision is the declared graph", () => {
        fc.assert(fc.property(graphArb, checkGraph), { numRuns: 150 });
    });

    it("shadowVerdict: a matching dry-run DENY denies; dry-run ALLOW policies allow only when one matches; no dry-run policy says nothing", () => {
        const ref = (action: "ALLOW" | "DENY") => ({ kind: "AuthorizationPolicy" as const, namespace: "ns", name: action.toLowerCase(), action });
        const decision = (dryRun: { action: "ALLOW" | "DENY"; matched: "match" | "no-match" | "unknown" }[]) =>
            ({ dryRun: dryRun.map((o) => ({ policy: ref(o.action), matched: o.matched })) }) as unknown as Parameters<typeof shadowVerdict>[0];
        assert.deepStrictEqual(
            [
                shadowVerdict(decision([])),
                shadowVerdict(decision([{ action: "ALLOW", matched: "match" }])),
                shadowVerdict(decision([{ action: "ALLOW", matched: "no-match" }])),
                shadowVerdict(decision([{ action: "ALLOW", matched: "unknown" }])),
                shadowVerdict(decision([{ action: "ALLOW", matched: "match" }, { action: "DENY", matched: "match" }])),
                shadowVerdict(decision([{ action: "DENY", matched: "no-match" }])),
                shadowVerdict(decision([{ action: "DENY", matched: "unknown" }, { action: "ALLOW", matched: "match" }])),
            ],
            [undefined, "allowed", "denied", "unknown", "denied", "allowed", "unknown"],
        );
    });
});
