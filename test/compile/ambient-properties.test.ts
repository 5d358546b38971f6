// Properties of the ambient compile over random mixed graphs (sidecar, ambient, ambient with a
// waypoint): what each proxy is given. The reachability of the output is proven against the
// simulator in test/simulate (h-ambient-sim).
import { strict as assert } from "assert";
import fc from "fast-check";
import "../harness/property-seed";
import { compileMeshPolicy } from "../../components/compile/mesh-policy";
import { MeshguardValidationError } from "../../components/errors";
import { K8sManifest } from "../../components/manifest";
import { MeshCaller, MeshDenyCaller, MeshPolicyInput, MeshPolicyNamespace } from "../../components/model/mesh-policy";

const NAMESPACES = ["ns-a", "ns-b", "ns-c"];
const MODES: MeshPolicyNamespace[] = [{ dataplane: "sidecar" }, { dataplane: "ambient" }, { dataplane: "ambient", waypoint: "wp" }, { dataplane: "ambient", waypoint: "wp", ingressUseWaypoint: true }];
const IDS = ["s0", "s1", "s2", "s3"];
const L7 = ["methods", "paths", "hosts", "notMethods", "notPaths", "requestPrincipals", "notRequestPrincipals"];

const inputArb: fc.Arbitrary<MeshPolicyInput> = fc
    .record({
        modes: fc.tuple(...NAMESPACES.map(() => fc.constantFrom(...MODES))),
        services: fc.tuple(...IDS.map(() => fc.record({ namespace: fc.constantFrom(...NAMESPACES), port: fc.integer({ min: 1, max: 3 }), shift: fc.boolean(), tcp: fc.boolean() }))),
        allow: fc.array(
            fc.record({
                from: fc.oneof(
                    fc.constantFrom(...IDS).map((service): MeshCaller => ({ service })),
                    fc.constantFrom(...NAMESPACES).map((namespace): MeshCaller => ({ namespace })),
                    fc.constant<MeshCaller>({ ingressGateway: true }),
                    fc.constant<MeshCaller>({ endUsers: { issuer: "https://idp.example", jwksUri: "https://idp.example/keys" } }),
                ),
                to: fc.constantFrom(...IDS),
                methods: fc.option(fc.constant<string[]>(["GET"]), { nil: undefined }),
            }),
            { maxLength: 6 },
        ),
        deny: fc.array(fc.record({ to: fc.constantFrom(...IDS), unlessFrom: fc.constant<MeshDenyCaller[]>([{ service: "s0" }]) }), { maxLength: 1 }),
    })
    .map(({ modes, services, allow, deny }) => {
        const declared = services.map((s, i) => ({
            id: IDS[i],
            namespace: s.namespace,
            serviceAccount: IDS[i],
            ports: [{ port: 80 + s.port, protocol: s.tcp ? ("tcp" as const) : ("http" as const), ...(s.shift ? { targetPort: 8000 + s.port } : {}) }],
        }));
        const tcp = new Set(declared.filter((s) => s.ports[0].protocol === "tcp").map((s) => s.id));
        // HTTP fields only towards HTTP ports: the other rules are not what this test is about.
        const kept = allow.filter((r) => !tcp.has(r.to) || (r.methods === undefined && r.from.endUsers === undefined)).map((r) => (r.methods === undefined ? { from: r.from, to: r.to } : r));
        const used = new Set([...declared.map((s) => s.namespace), ...kept.flatMap((r) => (r.from.namespace === undefined ? [] : [r.from.namespace]))]);
        return {
            networkPolicies: { ingress: true, egress: true },
            namespaces: Object.fromEntries(NAMESPACES.map((ns, i): [string, MeshPolicyNamespace] => [ns, modes[i]]).filter(([ns]) => used.has(ns))),
            services: declared,
            allow: kept,
            deny,
        };
    });

const AMBIENT_REASONS = [/without a waypoint, where ztunnel enforces/, /sidecars do not send through waypoints/, /istio\.io\/ingress-use-waypoint=true/];

function compileOrReason(input: MeshPolicyInput): K8sManifest[] | undefined {
    try {
        return compileMeshPolicy(input);
    } catch (err) {
        assert.ok(err instanceof MeshguardValidationError, String(err));
        for (const line of err.message.split("\n").slice(1)) assert.ok(AMBIENT_REASONS.some((r) => r.test(line)), `not an ambient rule: ${line}`);
        return undefined;
    }
}

type Spec = { selector?: unknown; targetRefs?: { kind: string; name: string }[]; rules?: { from?: { source: Record<string, string[]> }[]; to?: { operation: Record<string, string[]> }[]; when?: unknown[] }[] };

describe("property: ambient compile over random mixed graphs", () => {
    it("fails only for ambient reasons; ztunnel policies never carry HTTP fields; a waypoint namespace's ztunnel policies never admit an ambient caller directly", () => {
        const seen = { rejected: 0, withWaypointRules: 0 };
        fc.assert(
            fc.property(inputArb, (input) => {
                const manifests = compileOrReason(input);
                if (manifests === undefined) {
                    seen.rejected++;
                    return;
                }
                if (manifests.some((m) => (m.spec as Spec).targetRefs !== undefined && ((m.spec as Spec).rules ?? []).length > 0)) seen.withWaypointRules++;
                const modes = input.namespaces ?? {};
                const ambient = (ns: string) => modes[ns]?.dataplane === "ambient";
                const ambientPrincipals = input.services.filter((s) => ambient(s.namespace)).map((s) => `cluster.local/ns/${s.namespace}/sa/${s.serviceAccount}`);
                for (const m of manifests) {
                    if (m.kind !== "AuthorizationPolicy" || !ambient(m.metadata.namespace as string)) continue;
                    const spec = m.spec as Spec;
                    if (spec.targetRefs !== undefined) continue;
                    for (const rule of spec.rules ?? []) {
                        assert.equal(rule.when, undefined, `${m.metadata.name}: a condition at ztunnel`);
                        for (const entry of [...(rule.from ?? []).map((f) => f.source), ...(rule.to ?? []).map((t) => t.operation)]) {
                            assert.deepEqual(Object.keys(entry).filter((k) => L7.includes(k)), [], `${m.metadata.name}: HTTP field at ztunnel`);
                        }
                        if (modes[m.metadata.namespace as string]?.waypoint === undefined || (m.spec as { action?: string }).action !== "ALLOW") continue;
                        for (const { source } of rule.from ?? []) {
                            assert.deepEqual((source.principals ?? []).filter((p) => ambientPrincipals.includes(p)), [], `${m.metadata.name} admits an ambient caller past the waypoint`);
                            assert.deepEqual((source.namespaces ?? []).filter(ambient), [], `${m.metadata.name} admits an ambient namespace past the waypoint`);
                        }
                    }
                }
            }),
            { numRuns: 300 },
        );
        // The generator reaches both outcomes often enough for the property to mean something.
        assert.ok(seen.rejected >= 30 && seen.withWaypointRules >= 30, JSON.stringify(seen));
    });

    it("targetRefs name a declared Service of their namespace (ports: its Service ports) or the namespace's waypoint Gateway, and only in waypoint namespaces", () => {
        fc.assert(
            fc.property(inputArb, (input) => {
                const manifests = compileOrReason(input);
                if (manifests === undefined) return;
                for (const m of manifests) {
                    const spec = m.spec as Spec;
                    if (spec.targetRefs === undefined) continue;
                    const ns = m.metadata.namespace as string;
                    const mode = input.namespaces?.[ns];
                    assert.ok(mode?.waypoint !== undefined, `${m.kind} ${ns}/${m.metadata.name} attached outside a waypoint namespace`);
                    for (const ref of spec.targetRefs) {
                        if (ref.kind === "Gateway") {
                            assert.equal(ref.name, mode.waypoint);
                            continue;
                        }
                        const service = input.services.find((s) => s.id === ref.name && s.namespace === ns);
                        assert.ok(service !== undefined, `${m.metadata.name} targets ${ref.name}`);
                        const servicePorts = service.ports.map((p) => String(p.port));
                        for (const rule of spec.rules ?? []) for (const t of rule.to ?? []) for (const p of t.operation.ports ?? []) assert.ok(servicePorts.includes(p), `${m.metadata.name}: port ${p} is not a Service port`);
                    }
                }
            }),
            { numRuns: 300 },
        );
    });

    it("hostile: every namespace listed as sidecar compiles byte for byte like no `namespaces` at all", () => {
        fc.assert(
            fc.property(inputArb, (input) => {
                const sidecar = Object.fromEntries(Object.keys(input.namespaces ?? {}).map((ns) => [ns, { dataplane: "sidecar" as const }]));
                assert.deepEqual(JSON.stringify(compileMeshPolicy({ ...input, namespaces: sidecar })), JSON.stringify(compileMeshPolicy({ ...input, namespaces: undefined })));
            }),
            { numRuns: 200 },
        );
    });
});
