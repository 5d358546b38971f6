// Hostile input for compileMeshPolicy (issue 10): overlapping selectors, wildcard patterns,
// prototype keys, huge lists, empty strings, unicode, null/undefined/wrong types. Invariants:
// either a MeshguardValidationError whose every issue names a field path, or manifests that pass
// the strict schema self-check AND that the simulator never lets through more than declared.
// Never any other exception.
import { strict as assert } from "assert";
import fc from "fast-check";
import { compileMeshPolicy } from "../../components/compile/mesh-policy";
import { MeshguardValidationError } from "../../components/errors";
import { K8sManifest } from "../../components/manifest";
import { checkIstioSecurityObject } from "../../components/istio/schema/security";
import { MeshPolicyConfig, MeshPolicyInput, MeshService, meshServiceSelector, parseMeshPolicy } from "../../components/model/mesh-policy";
import { selectorsCanSelectOnePod } from "../../components/model/mesh-policy-references";
import { AuthorizationSimulator, SimWorkload } from "../../components/simulate";
import "../harness/property-seed";

// ---- generators ----

const LABEL_KEYS = ["app", "role", "tier"];
const LABEL_VALUES = ["cart", "admin", "web"];
const NAMESPACES = ["ns-a", "ns-b"];
const PORTS = [80, 8080, 9000];

const selectorArb: fc.Arbitrary<Record<string, string> | undefined> = fc.option(
    fc.uniqueArray(fc.tuple(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_VALUES)), { minLength: 1, maxLength: 3, selector: ([k]) => k }).map((pairs) => Object.fromEntries(pairs)),
    { nil: undefined, freq: 3 },
);

interface GraphOptions {
    maxServices: number;
}

/** A structurally valid graph whose only possible fault is overlapping selectors. */
function graphArb({ maxServices }: GraphOptions): fc.Arbitrary<MeshPolicyInput> {
    return fc.integer({ min: 1, max: maxServices }).chain((n) => {
        const ids = Array.from({ length: n }, (_, i) => `s${i}`);
        const services = fc.tuple(
            ...ids.map((id) =>
                fc
                    .record({
                        namespace: fc.constantFrom(...NAMESPACES),
                        selector: selectorArb,
                        ports: fc.uniqueArray(fc.record({ port: fc.constantFrom(...PORTS), protocol: fc.constantFrom("http" as const, "tcp" as const) }), { minLength: 1, maxLength: 2, selector: (p) => p.port }),
                    })
                    .map(({ namespace, selector, ports }) => (selector === undefined ? { id, namespace, serviceAccount: id, ports } : { id, namespace, serviceAccount: id, selector, ports })),
            ),
        );
        const caller = fc.oneof(
            fc.constantFrom(...ids).map((service) => ({ service })),
            fc.constantFrom(...NAMESPACES, "ns-other").map((namespace) => ({ namespace })),
            fc.constant({ ingressGateway: true as const }),
        );
        return services.chain((list) =>
            fc.record({
                services: fc.constant(list),
                allow: fc.array(
                    fc.record({ from: caller, to: fc.constantFrom(...ids) }).chain(({ from, to }) => {
                        const target = list.find((s) => s.id === to) as (typeof list)[number];
                        return fc
                            .option(fc.subarray(target.ports.map((p) => p.port), { minLength: 1 }), { nil: undefined })
                            .map((ports) => (ports === undefined ? { from, to } : { from, to, ports }));
                    }),
                    { maxLength: 6 },
                ),
            }),
        );
    });
}

// ---- the oracle: never broader than declared ----

interface Identity {
    namespace: string;
    serviceAccount: string;
}

/** The pods of a namespace: every service's own pods, plus pods with random labels (strays or members). */
function podsOf(config: MeshPolicyConfig, extraLabels: Record<string, string>[]): SimWorkload[] {
    const pods: SimWorkload[] = [];
    const toSim = (s: MeshService) => s.ports.map((p) => ({ port: p.targetPort ?? p.port, protocol: p.protocol === "tcp" ? ("tcp" as const) : ("http" as const) }));
    for (const s of config.services) {
        pods.push({ namespace: s.namespace, name: `${s.id}-pod`, serviceAccount: s.serviceAccount, labels: meshServiceSelector(s), ports: toSim(s) });
        extraLabels.forEach((extra, i) => {
            // The service's labels plus others: still only this service's pod.
            const labels = { ...extra, ...meshServiceSelector(s) };
            pods.push({ namespace: s.namespace, name: `${s.id}-pod-${i}`, serviceAccount: s.serviceAccount, labels, ports: toSim(s) });
        });
    }
    const namespaces = [...new Set(config.services.map((s) => s.namespace))];
    namespaces.forEach((namespace) =>
        extraLabels.forEach((labels, i) => pods.push({ namespace, name: `stray-${i}`, serviceAccount: `stray-${i}`, labels, ports: PORTS.map((port) => ({ port, protocol: "http" as const })) })),
    );
    return pods;
}

function ownerOf(config: MeshPolicyConfig, pod: SimWorkload): MeshService | undefined {
    const owners = config.services.filter((s) => s.namespace === pod.namespace && Object.entries(meshServiceSelector(s)).every(([k, v]) => pod.labels?.[k] === v));
    assert.ok(owners.length <= 1, `pod ${pod.namespace}/${pod.name} is selected by ${owners.map((s) => s.id).join(" and ")} although validation accepted the graph`);
    return owners[0];
}

/** Some relationship declares this caller identity → this service on this workload port (HTTP fields ignored: an over-approximation of what is declared). */
function declared(config: MeshPolicyConfig, caller: Identity, gateway: boolean, target: MeshService, port: number): boolean {
    return config.allow.some((rel) => {
        if (rel.to !== target.id || rel.from.endUsers !== undefined) return false;
        const ports = rel.ports === undefined ? target.ports : target.ports.filter((p) => rel.ports?.includes(p.port));
        if (!ports.some((p) => (p.targetPort ?? p.port) === port)) return false;
        if (rel.from.service !== undefined) {
            const from = config.services.find((s) => s.id === rel.from.service) as MeshService;
            return !gateway && from.namespace === caller.namespace && from.serviceAccount === caller.serviceAccount;
        }
        if (rel.from.namespace !== undefined) return rel.from.namespace === caller.namespace;
        return rel.from.ingressGateway === true && gateway;
    });
}

/** Every (caller pod, destination pod, port) the simulator allows must be declared. */
function assertNeverBroader(input: unknown, manifests: readonly K8sManifest[], extraLabels: Record<string, string>[]): void {
    const config = parseMeshPolicy(input);
    if (config.dryRun) return; // dry-run policies are evaluated, never enforced (documented)
    const gatewayPod: SimWorkload = { namespace: config.ingressGateway.namespace, name: "gateway", serviceAccount: config.ingressGateway.serviceAccount, labels: { istio: "ingressgateway" } };
    const outsider: SimWorkload = { namespace: "ns-other", name: "outsider", serviceAccount: "outsider", labels: { app: "outsider" } };
    const pods = podsOf(config, extraLabels);
    const sim = new AuthorizationSimulator({ manifests, workloads: [...pods, gatewayPod, outsider], trustDomain: config.trustDomain, rootNamespace: config.rootNamespace });
    const destinationsWithAllow = new Set(config.allow.map((r) => r.to));
    for (const dest of pods) {
        const owner = ownerOf(config, dest);
        if (!config.defaultDeny && (owner === undefined || !destinationsWithAllow.has(owner.id))) continue; // no ALLOW policy: Istio allows all (defaultDeny: false opts out)
        for (const caller of [...pods, gatewayPod, outsider]) {
            for (const { port, protocol } of dest.ports ?? []) {
                const request = { from: { workload: `${caller.namespace}/${caller.name}` }, to: `${dest.namespace}/${dest.name}`, port };
                const verdict = sim.verdict(request).verdict;
                if (verdict !== "allowed") continue;
                const identity = { namespace: caller.namespace, serviceAccount: caller.serviceAccount ?? "default" };
                const ok = owner !== undefined && declared(config, identity, caller === gatewayPod, owner, port);
                if (!ok) {
                    assert.fail(
                        `${caller.namespace}/${caller.name} → ${dest.namespace}/${dest.name} port ${port}/${protocol} is allowed but not declared (owner ${owner?.id ?? "none"})\n` +
                            `${sim.decide(request).reason}\n${JSON.stringify(input)}`,
                    );
                }
            }
        }
    }
}

/** Validation errors only, each issue naming a field (the root only when the input is not an object). */
function assertFieldErrors(err: unknown, input: unknown): MeshguardValidationError {
    if (!(err instanceof MeshguardValidationError)) throw err;
    assert.ok(err.issues.length > 0);
    const rootIsObject = typeof input === "object" && input !== null && !Array.isArray(input);
    for (const issue of err.issues) {
        if (rootIsObject) assert.notEqual(issue.path, "", `an issue without a field: ${issue.message}`);
        assert.ok(!/meshguard bug/.test(err.subject), err.message);
        assert.ok(issue.message.length > 0 && issue.message.length < 2000, `message too long or empty at ${issue.path}`);
    }
    return err;
}

const extraLabelsArb = fc.array(
    fc.uniqueArray(fc.tuple(fc.constantFrom(...LABEL_KEYS, "extra"), fc.constantFrom(...LABEL_VALUES)), { maxLength: 3, selector: ([k]) => k }).map((p) => Object.fromEntries(p)),
    { maxLength: 3 },
);

describe("compileMeshPolicy under hostile input (issue 10)", () => {
    it("property: overlapping or compatible selectors are refused naming both services; accepted graphs are never broader than declared", () => {
        fc.assert(
            fc.property(graphArb({ maxServices: 4 }), extraLabelsArb, (input, extraLabels) => {
                const overlapping: [string, string][] = [];
                input.services.forEach((b, j) =>
                    input.services.slice(0, j).forEach((a) => {
                        const sa = a.selector ?? { app: a.id };
                        const sb = b.selector ?? { app: b.id };
                        if (a.namespace === b.namespace && selectorsCanSelectOnePod(sa, sb)) overlapping.push([a.id, b.id]);
                    }),
                );
                let manifests: K8sManifest[];
                try {
                    manifests = compileMeshPolicy(input);
                } catch (err) {
                    const error = assertFieldErrors(err, input);
                    assert.ok(overlapping.length > 0, `rejected without overlapping selectors: ${error.message}`);
                    for (const issue of error.issues) assert.match(issue.path, /^services\[\d+\]\.(selector|id)$/);
                    const lines = error.issues.map((i) => i.message).join("\n");
                    // The first overlap found for each later service is reported, naming both.
                    for (const [, later] of overlapping) assert.ok(lines.includes(`service "${later}"`), `no error names ${later}:\n${lines}`);
                    for (const issue of error.issues) assert.match(issue.message, /^service "s\d+" .* (can select the same pods as|selects the same workloads as) service "s\d+" .*Fix: give them disjoint labels/);
                    return;
                }
                assert.deepEqual(overlapping, [], "accepted although two selectors can select one pod");
                assertNeverBroader(input, manifests, extraLabels);
            }),
            { numRuns: 300 },
        );
    });

    it("issue 10 item 1 reproduction: web {app: cart} never reaches admin {app: cart, role: admin}", () => {
        const input: MeshPolicyInput = {
            services: [
                { id: "web", namespace: "shop", serviceAccount: "web", selector: { app: "cart" }, ports: [{ port: 80, protocol: "http" }] },
                { id: "admin", namespace: "shop", serviceAccount: "admin", selector: { app: "cart", role: "admin" }, ports: [{ port: 80, protocol: "http" }] },
            ],
            allow: [{ from: { service: "web" }, to: "web" }],
        };
        assert.throws(() => compileMeshPolicy(input), (err: unknown) => err instanceof MeshguardValidationError && err.issues[0].path === "services[1].selector");
    });

    it("property: hostile values and keys anywhere give a field-named validation error, or manifests that pass the self-check and are never broader than declared", () => {
        fc.assert(
            fc.property(graphArb({ maxServices: 3 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (base, mutations) => {
                const input = mutations.reduce<unknown>((value, mutation) => mutation(value), clone(base));
                let manifests: K8sManifest[];
                try {
                    manifests = compileMeshPolicy(input as MeshPolicyInput);
                } catch (err) {
                    assertFieldErrors(err, input);
                    return;
                }
                for (const m of manifests) assert.deepEqual(checkIstioSecurityObject(m), [], `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`);
                assertNeverBroader(input, manifests, [{ role: "admin" }, { extra: "web" }]);
            }),
            { numRuns: 400 },
        );
    });

    it("non-object inputs are validation errors at the root, never TypeErrors", () => {
        for (const input of [undefined, null, 0, "services", [], true, () => 1, Symbol("x")]) {
            assert.throws(
                () => compileMeshPolicy(input as unknown as MeshPolicyInput),
                (err: unknown) => err instanceof MeshguardValidationError && err.issues.length === 1 && err.issues[0].path === "",
                String(typeof input),
            );
        }
    });
});

// ---- hostile mutations ----

type Mutation = (value: unknown) => unknown;

const HOSTILE_STRINGS = [
    "",
    " ",
    "*",
    "**",
    "cluster.local/*",
    "*/sa/default",
    "c*",
    "*.example.com",
    "/api/*/x",
    "/a/{**}/b",
    "{*}",
    "/api\u0000",
    "ns-a\n",
    "é",
    "🙂",
    "ﬁ",
    "İ",
    "a".repeat(64),
    "a".repeat(254),
    "x".repeat(5000),
    "__proto__",
    "constructor",
    "https://idp.example/*",
];
const HOSTILE_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "", "*", "a b", "🙂", "app", "role"];

const hostileValueArb: fc.Arbitrary<unknown> = fc.oneof(
    fc.constantFrom<unknown>(undefined, null, 0, -1, 1.5, NaN, Infinity, 65536, true, false, [], {}, ["*"], [""], [null], { "*": "*" }),
    fc.constantFrom(...HOSTILE_STRINGS),
    fc.string({ unit: "grapheme", maxLength: 12 }),
    fc.array(fc.constantFrom(...HOSTILE_STRINGS), { maxLength: 4 }),
    fc.constantFrom(...HOSTILE_KEYS).map((key) => withOwnKey({ app: "cart" }, key, "x")),
);

/** Every path to a node of a JSON-like tree (objects and arrays included). */
function nodePaths(value: unknown, prefix: PropertyKey[] = []): PropertyKey[][] {
    const out: PropertyKey[][] = [prefix];
    if (Array.isArray(value)) value.forEach((v, i) => out.push(...nodePaths(v, [...prefix, i])));
    else if (typeof value === "object" && value !== null) for (const k of Object.keys(value)) out.push(...nodePaths((value as Record<string, unknown>)[k], [...prefix, k]));
    return out;
}

function clone<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
}

function withOwnKey(target: object, key: string, value: unknown): object {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    return target;
}

function at(root: unknown, path: PropertyKey[]): unknown {
    return path.reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[k] : undefined), root);
}

/** Applies `edit` to the node at the `pick`-th path (modulo the number of paths). */
function editAt(root: unknown, pick: number, edit: (parent: unknown, key: PropertyKey | undefined, node: unknown) => unknown): unknown {
    const paths = nodePaths(root);
    const path = paths[pick % paths.length];
    if (path.length === 0) return edit(undefined, undefined, root);
    const parent = at(root, path.slice(0, -1)) as Record<PropertyKey, unknown>;
    const key = path[path.length - 1];
    const replaced = edit(parent, key, parent[key]);
    withOwnKey(parent, key as string, replaced);
    return root;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
    // Replace any node by a hostile value.
    fc.tuple(fc.nat(), hostileValueArb).map(([pick, value]): Mutation => (root) => editAt(root, pick, () => (typeof value === "object" && value !== null ? clone(value) : value))),
    // Add a hostile key (own property, as JSON.parse makes it) to any object.
    fc.tuple(fc.nat(), fc.constantFrom(...HOSTILE_KEYS), hostileValueArb).map(
        ([pick, key, value]): Mutation =>
            (root) =>
                editAt(root, pick, (_parent, _key, node) => (typeof node === "object" && node !== null && !Array.isArray(node) ? withOwnKey(node, key, value) : node)),
    ),
    // Blow a list up: 600 copies of an element, or 600 distinct strings.
    fc.tuple(fc.nat(), fc.boolean()).map(
        ([pick, distinct]): Mutation =>
            (root) =>
                editAt(root, pick, (_parent, _key, node) => {
                    if (!Array.isArray(node) || node.length === 0) return node;
                    return Array.from({ length: 600 }, (_, i) => (distinct && typeof node[0] === "string" ? `${node[0]}-${i}` : clone(node[0])));
                }),
    ),
    // Wildcard patterns where paths, hosts and methods go.
    fc.tuple(fc.nat(), fc.constantFrom("paths", "hosts", "methods", "grpcMethods"), fc.array(fc.constantFrom(...HOSTILE_STRINGS, "/ok", "GET", "pkg.Svc/M"), { minLength: 1, maxLength: 3 })).map(
        ([pick, field, values]): Mutation =>
            (root) => {
                const allow = (root as { allow?: unknown[] }).allow;
                if (!Array.isArray(allow) || allow.length === 0) return root;
                const rel = allow[pick % allow.length];
                if (typeof rel === "object" && rel !== null) withOwnKey(rel, field, values);
                return root;
            },
    ),
);
