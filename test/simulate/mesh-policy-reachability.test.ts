// Property: for random service graphs, what the simulator says compileMeshPolicy's manifests allow
// is exactly what the MeshPolicy declares — no extra (caller, callee, port, method, path, token)
// allowed, none missing. The oracle (declared-graph.ts) reads the declared relationships directly.
import * as assert from "assert";
import fc from "fast-check";
import { compileMeshPolicy } from "../../components/compile";
import { MeshPolicyInput } from "../../components/model";
import { AuthorizationSimulator, RequestSource, SimRequest } from "../../components/simulate";
import { Caller, CallerId, expected, GATEWAY, Graph, graphArb, isHttp, ISSUERS, METHODS, OUTSIDER, Probe, PROBE_PATHS, target, tokens, workloads } from "./declared-graph";

function checkGraph(g: Graph): void {
    // The Istio layer alone (JWT end users may arrive from any pod here); both layers together:
    // test/simulate/network-policy-graph.test.ts.
    const manifests = compileMeshPolicy({ ...(g as unknown as MeshPolicyInput), networkPolicies: false });
    const sim = new AuthorizationSimulator({ manifests, workloads: workloads(g) });
    const callers: { name: string; from: RequestSource; id?: CallerId }[] = [
        ...g.services.map((s) => ({ name: s.id, from: { workload: `${s.namespace}/${s.id}` }, id: { namespace: s.namespace, serviceAccount: s.serviceAccount, gateway: false } })),
        { name: "gateway", from: { workload: `${GATEWAY.namespace}/${GATEWAY.name}` }, id: { namespace: GATEWAY.namespace, serviceAccount: GATEWAY.serviceAccount, gateway: true } },
        { name: "outsider", from: { workload: `${OUTSIDER.namespace}/${OUTSIDER.name}` }, id: { namespace: OUTSIDER.namespace, serviceAccount: OUTSIDER.serviceAccount, gateway: false } },
        { name: "external", from: { plaintext: true } },
    ];
    const jwts = tokens(g);
    for (const callee of g.services) {
        for (const caller of callers) {
            const withTokens = caller.name === "gateway" || caller.name === "outsider" || caller.name === "external" ? [undefined, ...jwts] : [undefined];
            for (const port of callee.ports) {
                const shapes = isHttp(port) ? METHODS.concat("PATCH").flatMap((method) => PROBE_PATHS.map((path) => ({ method, path }))) : [{}];
                for (const shape of shapes) {
                    for (const jwt of isHttp(port) ? withTokens : [undefined]) {
                        const probe: Probe = { caller: caller.name, from: caller.from, callee, port, ...shape, jwt };
                        const request: SimRequest = { from: caller.from, to: `${callee.namespace}/${callee.id}`, port: target(port), ...shape, jwt };
                        const got = sim.verdict(request).verdict;
                        const want = expected(g, probe, caller.id) ? "allowed" : "denied";
                        if (got !== want) {
                            const d = sim.decide(request);
                            assert.fail(
                                `${caller.name} → ${callee.id} port ${port.port}${port.targetPort ? `→${port.targetPort}` : ""}/${port.protocol} ${JSON.stringify(shape)} jwt=${JSON.stringify(jwt)}: ` +
                                    `simulator says ${got}, declared says ${want}\n${d.reason}\n${JSON.stringify(manifests.filter((m) => m.metadata.namespace === callee.namespace), null, 1)}`,
                            );
                        }
                    }
                }
            }
        }
    }
}

describe("property: compileMeshPolicy's reachability equals the declared relationships", () => {
    it("holds for hundreds of random service graphs (ports, methods, paths, JWT end users, deny rules)", () => {
        fc.assert(fc.property(graphArb(), checkGraph), { numRuns: 200 });
    });

    it("holds for random graphs without JWT end users or deny rules (the core relationships)", () => {
        const core = graphArb().map((g) => ({ ...g, allow: g.allow.filter((r) => r.from.endUsers === undefined), deny: [] }));
        fc.assert(fc.property(core, checkGraph), { numRuns: 200 });
    });

    it("keeps a relationship without audiences open to any audience of its issuer (shrunk counterexample)", () => {
        const jwt = (audiences?: string[]): Caller => ({ endUsers: { issuer: ISSUERS[0], jwksUri: `${ISSUERS[0]}/jwks`, ...(audiences ? { audiences } : {}) } });
        checkGraph({
            services: [{ id: "s0", namespace: "ns-a", serviceAccount: "s0", ports: [{ port: 8443, protocol: "http" }] }],
            allow: [{ from: jwt(), to: "s0" }, { from: jwt(["aud-1"]), to: "s0" }],
            deny: [],
        });
    });
});
