import { strict as assert } from "assert";
import fc from "fast-check";
import { compileMeshPolicy } from "../../components/compile/mesh-policy";
import { childResourceName } from "../../components/compile/naming";
import { K8sManifest } from "../../components/manifest";
import { checkIstioSecurityObject } from "../../components/istio/schema/security";
import { MeshPolicyInput, MeshPortProtocol } from "../../components/model/mesh-policy";

type ServiceInput = MeshPolicyInput["services"][number];
type RelationshipInput = NonNullable<MeshPolicyInput["allow"]>[number];

const NAMESPACES = ["ns-a", "ns-b", "ns-c", "ns-d"];
const PROTOCOLS: MeshPortProtocol[] = ["http", "http2", "grpc", "tcp"];
const PATHS = ["/api/*", "/api", "*/info", "/test/*", "/v1/{*}/items", "/static/{**}", "/health"];
const ISSUERS = ["https://accounts.google.com", "https://idp.example.com"];

const serviceArb = (id: string): fc.Arbitrary<ServiceInput> =>
    fc.record({
        namespace: fc.constantFrom(...NAMESPACES),
        ports: fc.uniqueArray(fc.record({ port: fc.integer({ min: 1, max: 65535 }), protocol: fc.constantFrom(...PROTOCOLS) }), {
            minLength: 1,
            maxLength: 3,
            selector: (p) => p.port,
        }),
    }).map(({ namespace, ports }) => ({ id, namespace, serviceAccount: `${id}-sa`, ports }));

/** A relationship valid for `target`: HTTP fields only where the target has HTTP ports. */
function relationshipArb(ids: string[], target: ServiceInput): fc.Arbitrary<RelationshipInput> {
    const http = target.ports.filter((p) => p.protocol !== "tcp").map((p) => p.port);
    const grpc = target.ports.filter((p) => p.protocol === "grpc" || p.protocol === "http2").map((p) => p.port);
    const callers: fc.Arbitrary<RelationshipInput["from"]>[] = [
        fc.constantFrom(...ids).map((service) => ({ service })),
        fc.constantFrom(...NAMESPACES).map((namespace) => ({ namespace })),
        fc.constant({ ingressGateway: true as const }),
    ];
    const plain = fc.record({
        from: fc.oneof(...callers),
        ports: fc.option(fc.subarray(target.ports.map((p) => p.port), { minLength: 1 }), { nil: undefined }),
    });
    const options: fc.Arbitrary<RelationshipInput>[] = [plain.map(({ from, ports }) => clean({ from, to: target.id, ports }))];
    if (http.length > 0) {
        const endUsers = fc.record({
            issuer: fc.constantFrom(...ISSUERS),
            claims: fc.option(fc.constant<Record<string, string[]>>({ iss: ["https://accounts.google.com"] }), { nil: undefined }),
            audiences: fc.option(fc.subarray(["web", "mobile"], { minLength: 1 }), { nil: undefined }),
        }).map(({ issuer, claims, audiences }) => ({ endUsers: clean({ issuer, jwksUri: `${issuer}/keys`, claims, audiences }) }));
        options.push(
            fc.record({
                from: fc.oneof(...callers, endUsers),
                ports: fc.option(fc.subarray(http, { minLength: 1 }), { nil: undefined }),
                methods: fc.option(fc.subarray(["GET", "HEAD", "POST", "DELETE"], { minLength: 1 }), { nil: undefined }),
                paths: fc.option(fc.subarray(PATHS, { minLength: 1 }), { nil: undefined }),
            }).map((r) => clean({ ...r, to: target.id })),
        );
    }
    if (grpc.length > 0) {
        options.push(
            fc.record({ from: fc.oneof(...callers), grpcMethods: fc.subarray(["shop.v1.Cart/Add", "shop.v1.Catalog/*"], { minLength: 1 }) }).map((r) => ({ ...r, to: target.id })),
        );
    }
    return fc.oneof(...options);
}

function clean<T extends object>(value: T): T {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const graphArb: fc.Arbitrary<MeshPolicyInput> = fc.integer({ min: 1, max: 10 }).chain((count) => {
    const ids = Array.from({ length: count }, (_, i) => `svc-${i}`);
    return fc.tuple(...ids.map(serviceArb)).chain((services) =>
        fc.record({
            services: fc.constant(services),
            allow: fc.array(fc.constantFrom(...services).chain((target) => relationshipArb(ids, target)), { maxLength: 15 }),
            deny: fc.array(
                fc.record({ to: fc.constantFrom(...ids), unlessFrom: fc.subarray([{ namespace: "ns-a" }, { service: ids[0] }, { ingressGateway: true as const }], { minLength: 1 }) }),
                { maxLength: 2 },
            ),
            destinationRules: fc.boolean(),
            dryRun: fc.boolean(),
        }),
    );
});

function shuffle<T>(items: readonly T[], seed: number): T[] {
    const out = [...items];
    let state = seed;
    for (let i = out.length - 1; i > 0; i--) {
        state = (state * 1103515245 + 12345) & 0x7fffffff;
        const j = state % (i + 1);
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
}

const key = (m: K8sManifest) => `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`;
const RUNS = { numRuns: 300 };

describe("compileMeshPolicy: properties over random service graphs", () => {
    it("emits only objects that pass the strict Istio schema, with names of at most 63 characters", () => {
        fc.assert(
            fc.property(graphArb, (input) => {
                for (const m of compileMeshPolicy(input)) {
                    assert.deepEqual(checkIstioSecurityObject(m), [], key(m));
                    assert.ok(m.metadata.name.length <= 63, key(m));
                    assert.ok(childResourceName("mesh-policy", m.metadata.namespace, m.metadata.name).length <= 63);
                }
            }),
            RUNS,
        );
    });

    it("is deterministic: same input, and the same graph in another order, give the same output", () => {
        fc.assert(
            fc.property(graphArb, fc.integer({ min: 1, max: 1000 }), (input, seed) => {
                const first = JSON.stringify(compileMeshPolicy(input));
                assert.equal(JSON.stringify(compileMeshPolicy(input)), first);
                const reordered = { ...input, services: shuffle(input.services, seed), allow: shuffle(input.allow ?? [], seed + 1), deny: shuffle(input.deny ?? [], seed + 2) };
                assert.equal(JSON.stringify(compileMeshPolicy(reordered)), first);
            }),
            RUNS,
        );
    });

    it("keeps every object (name and content) when an unrelated service is added", () => {
        fc.assert(
            fc.property(graphArb, serviceArb("newcomer"), (input, newcomer) => {
                const before = compileMeshPolicy(input);
                const after = new Map(compileMeshPolicy({ ...input, services: [...input.services, newcomer] }).map((m) => [key(m), m]));
                for (const m of before) assert.deepEqual(after.get(key(m)), m, key(m));
            }),
            RUNS,
        );
    });

    it("emits exactly one ALLOW policy per destination, naming exactly its declared callers", () => {
        fc.assert(
            fc.property(graphArb, (input) => {
                const manifests = compileMeshPolicy(input);
                const allows = manifests.filter((m) => m.kind === "AuthorizationPolicy" && (m.spec as { action?: string }).action === "ALLOW");
                const destinations = [...new Set((input.allow ?? []).map((r) => r.to))].sort();
                assert.deepEqual(allows.map((m) => m.metadata.name).sort(), destinations.map((d) => `${d}-allow`));
                for (const policy of allows) {
                    const id = policy.metadata.name.replace(/-allow$/, "");
                    assert.deepEqual(callersInPolicy(policy), expectedCallers(input, id), id);
                }
            }),
            RUNS,
        );
    });
});

function callersInPolicy(policy: K8sManifest): string[] {
    const rules = (policy.spec as { rules: { from: { source: Record<string, string[]> }[] }[] }).rules;
    return [...new Set(rules.flatMap((r) => r.from.flatMap((f) => Object.entries(f.source).flatMap(([field, values]) => values.map((v) => `${field}:${v}`)))))].sort();
}

function expectedCallers(input: MeshPolicyInput, id: string): string[] {
    const sa = new Map(input.services.map((s) => [s.id, `cluster.local/ns/${s.namespace}/sa/${s.serviceAccount}`]));
    const callers = (input.allow ?? [])
        .filter((r) => r.to === id)
        .map((r) => {
            if (r.from.service !== undefined) return `principals:${sa.get(r.from.service)}`;
            if (r.from.namespace !== undefined) return `namespaces:${r.from.namespace}`;
            if (r.from.ingressGateway) return "principals:cluster.local/ns/istio-ingress/sa/istio-ingressgateway";
            return `requestPrincipals:${r.from.endUsers?.issuer}/*`;
        });
    return [...new Set(callers)].sort();
}
