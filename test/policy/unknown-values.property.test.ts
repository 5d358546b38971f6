/**
 * Pack-wide properties over values unknown at preview and hostile objects (issue 10 item 5, proof):
 * - never more permissive: each mandatory violation of a fully known object stays a mandatory
 *   violation, or the same policy says the object cannot be verified during preview;
 * - for the policies that decide per field (peer-authentication-strict, destination-rule-tls-*,
 *   istio-resource-schema) a violation stays mandatory unless an unknown is at, under, above or
 *   beside its field;
 * - never a silent pass on unknown input: when a policy reports nothing with some fields unknown,
 *   no insecure value in those fields makes it report anything either;
 * - hostile objects (prototype keys, numeric apiVersion, null metadata, arrays for objects) never
 *   make a policy throw, and every verdict is a well-formed message at a real level.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { meshguardPolicies } from "../../policy-pack/policies";
import { k8s, ownMessage, runPack, runResourcePolicy, TestResource, UNKNOWN, Verdict } from "./harness";
import { authorizationPolicy, deployment, destinationRule, namespace, peerAuthentication, requestAuthentication, MESH_LABELS } from "./fixtures";

const RESOURCE_POLICIES = meshguardPolicies.filter((p): p is ResourceValidationPolicy => "validateResource" in p);
const PER_FIELD_POLICIES = new Set(["peer-authentication-strict", "destination-rule-tls-verified", "destination-rule-tls-san", "istio-resource-schema"]);

/** Compliant and non-compliant baselines of each kind the resource policies judge. */
const BASELINES: readonly TestResource[] = [
    peerAuthentication("shop", "strict", { mtls: { mode: "STRICT" } }),
    peerAuthentication("shop", "weak", { mtls: { mode: "PERMISSIVE" }, portLevelMtls: { "8080": { mode: "DISABLE" }, "9090": { mode: "STRICT" } } }),
    destinationRule("shop", "mesh", { host: "api", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } }, subsets: [{ name: "v1", labels: { v: "1" } }] }),
    destinationRule("shop", "ext", { host: "api.example.com", trafficPolicy: { tls: { mode: "SIMPLE", caCertificates: "/etc/ca.pem", subjectAltNames: ["api.example.com"] } } }),
    destinationRule("shop", "weak", {
        host: "api",
        trafficPolicy: { tls: { mode: "SIMPLE", sni: "api.example.com" }, portLevelSettings: [{ port: { number: 80 }, tls: { mode: "DISABLE" } }] },
        subsets: [
            { name: "a", labels: { v: "a" }, trafficPolicy: { tls: { mode: "MUTUAL", credentialName: "cert" } } },
            { name: "b", labels: { v: "b" }, trafficPolicy: { tls: { mode: "SIMPLE", insecureSkipVerify: true } } },
        ],
    }),
    authorizationPolicy("shop", "named", { selector: { matchLabels: { app: "api" } }, rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/web"] } }], to: [{ operation: { methods: ["GET"] } }] }] }),
    authorizationPolicy("shop", "open", { rules: [{}, { from: [{ source: { notPrincipals: ["cluster.local/ns/shop/sa/evil"] } }] }] }),
    authorizationPolicy("shop", "mistyped", { rulez: [{}] }),
    requestAuthentication("shop", "jwt", { jwtRules: [{ issuer: "https://id.example.com", jwksUri: "https://id.example.com/jwks" }] }),
    deployment("shop", "web", { labels: { app: "web" } }),
    deployment("shop", "opt-out", { labels: { app: "x", "sidecar.istio.io/inject": "false" }, annotations: { "traffic.sidecar.istio.io/excludeInboundPorts": "8080" } }),
];

type Path = readonly (string | number)[];

/** Every path in a JSON-like tree (interior nodes too), the root excluded. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
    if (value === null || typeof value !== "object") return [];
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
}

/** A copy of `value` with the value at each path replaced (own properties, so `__proto__` stays data). */
function replaced(value: unknown, at: readonly Path[], by: (path: Path) => unknown, prefix: Path = []): unknown {
    const hit = at.find((p) => p.length === prefix.length && p.every((s, i) => s === prefix[i]));
    if (hit !== undefined && prefix.length > 0) return by(hit);
    if (Array.isArray(value)) return value.map((v, i) => replaced(v, at, by, [...prefix, i]));
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: replaced(v, at, by, [...prefix, k]), enumerable: true, writable: true, configurable: true });
        return out;
    }
    return value;
}

const dotted = (path: Path) => path.reduce<string>((out, s) => (typeof s === "number" ? `${out}[${s}]` : out === "" ? s : `${out}.${s}`), "");

/** The verdict's field path (second segment of `<subject>: <path>: ...`). */
const fieldOf = (v: Verdict) => ownMessage(v).split(": ")[1] ?? "";
/** The message without its subject (the subject shows `<unknown namespace>` when the namespace is unknown). */
const withoutSubject = (v: Verdict) => ownMessage(v).split(": ").slice(1).join(": ");

const isUnverifiable = (v: Verdict) => v.enforcementLevel === "advisory" && /cannot be verified during preview|can't run policy|can't be verified during preview/.test(v.message);

function related(field: string, unknown: string): boolean {
    const parent = unknown.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
    const within = (path: string, prefix: string) => prefix === "" || path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
    return within(field, unknown) || within(unknown, field) || within(field, parent);
}

async function verdictsOf(target: TestResource): Promise<Map<string, Verdict[]>> {
    const out = new Map<string, Verdict[]>();
    for (const policy of RESOURCE_POLICIES) out.set(policy.name, (await runResourcePolicy(policy, target)).violations);
    return out;
}

const baselineArb = fc.constantFrom(...BASELINES.map((_b, i) => i));

describe("policy pack properties: values unknown at preview", function () {
    this.timeout(120_000);
    let known: Map<string, Verdict[]>[];
    before(async () => {
        known = [];
        for (const baseline of BASELINES) known.push(await verdictsOf(baseline));
    });

    const withUnknowns = fc.tuple(baselineArb, fc.infiniteStream(fc.boolean())).map(([i, coin]) => {
        const base = BASELINES[i];
        const candidates = pathsOf(base.inputs).filter((p) => !(p.length === 1 && (p[0] === "apiVersion" || p[0] === "kind")));
        const chosen = candidates.filter(() => coin.next().value && coin.next().value);
        return { i, chosen };
    });

    it("never becomes more permissive, and per-field policies keep violations that do not depend on an unknown", async () => {
        await fc.assert(
            fc.asyncProperty(withUnknowns, async ({ i, chosen }) => {
                const base = BASELINES[i];
                const target = { ...base, inputs: replaced(base.inputs, chosen, () => UNKNOWN) as Record<string, unknown> };
                const after = await verdictsOf(target);
                const unknownFields = chosen.map(dotted);
                for (const [policy, before] of known[i]) {
                    const now = after.get(policy) ?? [];
                    for (const violation of before.filter((v) => v.enforcementLevel === "mandatory")) {
                        const kept = now.some((v) => v.enforcementLevel === "mandatory" && withoutSubject(v) === withoutSubject(violation));
                        const unverifiable = now.some(isUnverifiable);
                        assert.ok(kept || unverifiable, `${policy} on ${base.name} with unknown ${unknownFields.join(", ")}: lost "${ownMessage(violation)}"`);
                        if (PER_FIELD_POLICIES.has(policy) && !unknownFields.some((u) => related(fieldOf(violation), u))) {
                            assert.ok(kept, `${policy} on ${base.name}: "${fieldOf(violation)}" does not depend on ${unknownFields.join(", ")} but was downgraded`);
                        }
                    }
                }
            }),
            { numRuns: 60 },
        );
    });

    const INSECURE = ["DISABLE", "PERMISSIVE", "*", "SIMPLE", true, [{}], {}];

    async function assertNoSilentPass(base: TestResource, chosen: readonly Path[], insecure: unknown): Promise<void> {
        const unknownTarget = { ...base, inputs: replaced(base.inputs, chosen, () => UNKNOWN) as Record<string, unknown> };
        const insecureTarget = { ...base, inputs: replaced(base.inputs, chosen, () => insecure) as Record<string, unknown> };
        for (const policy of RESOURCE_POLICIES) {
            const whenUnknown = (await runResourcePolicy(policy, unknownTarget)).violations;
            if (whenUnknown.length > 0) continue;
            const whenInsecure = (await runResourcePolicy(policy, insecureTarget)).violations.filter((v) => v.enforcementLevel === "mandatory");
            assert.deepStrictEqual(whenInsecure.map(ownMessage), [], `${policy.name} passed ${base.name} silently with ${chosen.map(dotted).join(", ")} unknown`);
        }
    }

    it("never passes silently when an insecure value in the one unknown field would be reported (every field of every baseline)", async () => {
        for (const base of BASELINES) {
            for (const path of pathsOf(base.inputs)) {
                for (const insecure of INSECURE) await assertNoSilentPass(base, [path], insecure);
            }
        }
    });

    it("never passes silently when insecure values in several unknown fields would be reported", async () => {
        await fc.assert(
            fc.asyncProperty(withUnknowns, fc.constantFrom(...INSECURE), async ({ i, chosen }, insecure) => {
                if (chosen.length > 0) await assertNoSilentPass(BASELINES[i], chosen, insecure);
            }),
            { numRuns: 60 },
        );
    });
});

describe("policy pack properties: hostile objects", function () {
    this.timeout(120_000);
    const HOSTILE_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"];
    const hostileRecord = fc.dictionary(fc.constantFrom(...HOSTILE_KEYS, "app"), fc.oneof(fc.string({ maxLength: 5 }), fc.constant(null), fc.constant([]), fc.constant({})), { maxKeys: 3 });
    const hostileValue = fc.oneof(hostileRecord, fc.constant(null), fc.constant([]), fc.constant([{}]), fc.integer(), fc.string({ maxLength: 5 }), fc.constant(UNKNOWN));
    const KINDS = [
        ["security.istio.io/v1", "AuthorizationPolicy"],
        ["security.istio.io/v1", "PeerAuthentication"],
        ["security.istio.io/v1", "RequestAuthentication"],
        ["networking.istio.io/v1", "DestinationRule"],
        ["apps/v1", "Deployment"],
        ["v1", "Namespace"],
    ] as const;

    const hostileResource = fc
        .record({
            kind: fc.constantFrom(...KINDS),
            apiVersion: fc.oneof(fc.constant(undefined), fc.integer(), fc.constant(null), fc.constant("security.istio.io/v1")),
            metadata: fc.oneof(fc.constant(null), fc.constant([]), fc.record({ name: fc.oneof(fc.constant("x"), fc.integer(), fc.constant(UNKNOWN)), namespace: fc.oneof(fc.constant("shop"), fc.constant(UNKNOWN), fc.constant([])), labels: hostileValue, annotations: hostileValue })),
            spec: fc.oneof(hostileValue, fc.record({ selector: fc.record({ matchLabels: hostileValue }), rules: hostileValue, mtls: hostileValue, trafficPolicy: hostileValue, subsets: hostileValue, portLevelMtls: hostileRecord, template: hostileValue })),
        })
        .map(({ kind, apiVersion, metadata, spec }) => {
            const inputs = JSON.parse(JSON.stringify({ apiVersion: apiVersion ?? kind[0], kind: kind[1], metadata, spec })) as Record<string, unknown>;
            return k8s({ apiVersion: kind[0], kind: kind[1], metadata: { name: "hostile", namespace: "shop" } }, { inputs });
        });

    it("never makes a policy throw; every verdict is a clear message at a real level", async () => {
        await fc.assert(
            fc.asyncProperty(fc.array(hostileResource, { minLength: 1, maxLength: 3 }), async (hostile) => {
                const stack = [namespace("shop", MESH_LABELS), deployment("shop", "web"), ...hostile.map((h, i) => ({ ...h, name: `${h.name}-${i}`, urn: `${h.urn}-${i}` }))];
                const verdicts = await runPack(stack);
                for (const v of verdicts) {
                    assert.ok(v.enforcementLevel === "mandatory" || v.enforcementLevel === "advisory", v.enforcementLevel);
                    assert.match(ownMessage(v), /^(\S.*: .+|can't run policy .+)$/s, v.message);
                }
            }),
            { numRuns: 40 },
        );
    });

    it("reports hostile Istio objects instead of passing them (numeric apiVersion, array spec, prototype keys)", async () => {
        const cases: [string, Record<string, unknown>][] = [
            ["numeric apiVersion", { apiVersion: 1, kind: "PeerAuthentication", metadata: { name: "p", namespace: "shop" }, spec: { mtls: { mode: "STRICT" } } }],
            ["array spec", { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "p", namespace: "shop" }, spec: [] }],
            ["prototype key in spec", JSON.parse('{"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy","metadata":{"name":"p","namespace":"shop"},"spec":{"__proto__":{"rules":[{}]}}}')],
            ["null metadata", { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: null, spec: { mtls: { mode: "DISABLE" } } }],
        ];
        for (const [title, inputs] of cases) {
            const kindName = String(inputs["kind"]);
            const group = kindName === "DestinationRule" ? "networking.istio.io" : "security.istio.io";
            const target = k8s({ apiVersion: `${group}/v1`, kind: kindName, metadata: { name: "p", namespace: "shop" } }, { inputs });
            const verdicts = await runPack([target]);
            assert.ok(verdicts.some((v) => v.enforcementLevel === "mandatory"), `${title}: ${JSON.stringify(verdicts.map((v) => v.message))}`);
        }
    });
});
