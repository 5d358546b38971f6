/**
 * Scale regression guard (issue 7). Asserts complexity, never time: the emitted objects are the
 * minimum layout, and output size, registrations and helper-call counts grow linearly when the
 * mesh doubles. Small sizes keep it fast; `npm run bench` measures the real thing.
 */
import * as k8s from "@pulumi/kubernetes";
import * as assert from "assert";
import fc from "fast-check";
import { stringify } from "yaml";
import { policyResources, runStackPolicy, stackPolicies } from "../../bench/lib/stack-policies";
import { stackResources } from "../../bench/lib/stack-resources";
import { emittedLayout, minimumLayout, naiveLayout, singleNamespaceMesh, syntheticMesh } from "../../bench/synthetic-mesh";
import * as authzRules from "../../components/compile/authz-rules";
import { compileMeshPolicy } from "../../components/compile/mesh-policy";
import { SelectorIndex } from "../../components/istio";
import * as naming from "../../components/compile/naming";
import { K8sManifest } from "../../components/manifest";
import { MeshPolicy } from "../../components/mesh-policy";
import * as istioSecurity from "../../components/istio/schema/security";
import * as meshPolicyModel from "../../components/model/mesh-policy";
import { MeshPolicyInput } from "../../components/model/mesh-policy";
import * as meshPolicyReferences from "../../components/model/mesh-policy-references";
import { LabelSetIndex } from "../../policy-pack/lib/label-index";
import * as packObject from "../../policy-pack/lib/object";
import * as packStack from "../../policy-pack/lib/stack";
import * as packWorkload from "../../policy-pack/lib/workload";
import { recorder, registered, useMocks } from "../harness/mocks";
import "../harness/property-seed";

/** Linear: doubling the input at most multiplies a measure by this (sorting adds a log factor). */
const LINEAR_BOUND = 2.35;

function yamlBytes(manifests: readonly K8sManifest[]): number {
    return Buffer.byteLength(manifests.map((m) => stringify(m)).join("---\n"));
}

/** Caller values (principals, namespaces, request principals) across every ALLOW policy. */
function callerValues(manifests: readonly K8sManifest[]): number {
    let values = 0;
    for (const m of manifests) {
        const spec = (m.spec ?? {}) as { action?: string; rules?: { from?: { source: Record<string, string[]> }[] }[] };
        if (m.kind !== "AuthorizationPolicy" || spec.action !== "ALLOW") continue;
        for (const rule of spec.rules ?? []) for (const from of rule.from ?? []) for (const list of Object.values(from.source)) values += list.length;
    }
    return values;
}

/** What an instrumented run counted. */
interface Counter {
    calls: number;
}

/**
 * Counts calls to the exported functions of `modules` while `run` runs. Callers inside the
 * project reach them through the module object (CommonJS), so every cross-module call counts.
 * `countReads` names functions whose result's object-valued properties also count every
 * property read (e.g. the label maps a selector is matched against, read in plain loops).
 */
async function countHelperCalls(modules: readonly Record<string, unknown>[], run: () => unknown, countReads: readonly string[] = []): Promise<number> {
    const counter: Counter = { calls: 0 };
    const restore: (() => void)[] = [];
    for (const mod of modules) {
        for (const [key, value] of Object.entries(mod)) {
            // Functions defined here (writable); re-exports are getters and counted at their origin.
            if (typeof value !== "function" || /^[A-Z]/.test(key) || Object.getOwnPropertyDescriptor(mod, key)?.writable !== true) continue;
            const original = value as (...args: unknown[]) => unknown;
            const proxyResult = countReads.includes(key);
            mod[key] = function (this: unknown, ...args: unknown[]) {
                counter.calls++;
                const result = original.apply(this, args);
                return proxyResult ? countingProperties(result, counter) : result;
            };
            restore.push(() => (mod[key] = original));
        }
    }
    try {
        await run();
    } finally {
        restore.forEach((r) => r());
    }
    return counter.calls;
}

function countingProperties(result: unknown, counter: Counter): unknown {
    if (result === null || typeof result !== "object") return result;
    const out: Record<string, unknown> = { ...(result as Record<string, unknown>) };
    for (const [key, value] of Object.entries(out)) {
        if (value === null || typeof value !== "object") continue;
        out[key] = new Proxy(value, {
            get(target, property, receiver) {
                counter.calls++;
                return Reflect.get(target, property, receiver);
            },
        });
    }
    return out;
}

function assertLinear(what: string, small: number, large: number): void {
    assert.ok(small > 0, `${what}: nothing measured at the small size`);
    const factor = large / small;
    assert.ok(factor <= LINEAR_BOUND, `${what} grew ${factor.toFixed(2)}× when the mesh doubled (linear: ≤ ${LINEAR_BOUND}×): ${small} → ${large}`);
}

describe("scale guard: compileMeshPolicy", () => {
    const sizes = [60, 120, 240];
    const inputs = new Map(sizes.map((n) => [n, syntheticMesh(n)]));
    const compiled = new Map(sizes.map((n) => [n, compileMeshPolicy(inputs.get(n) as MeshPolicyInput)]));
    const at = (n: number) => ({ input: inputs.get(n) as MeshPolicyInput, manifests: compiled.get(n) as K8sManifest[] });

    for (const n of sizes) {
        it(`emits exactly the minimum layout for ${n} services (one ALLOW policy per destination, per-namespace defaults)`, () => {
            const { input, manifests } = at(n);
            assert.deepStrictEqual(emittedLayout(manifests), minimumLayout(input));
            assert.ok(naiveLayout(input).total > 2.5 * manifests.length, "the synthetic mesh must have several callers per destination");
        });
    }

    it("grows linearly in objects, YAML bytes and caller values when the mesh doubles", () => {
        for (const [small, large] of [
            [60, 120],
            [120, 240],
        ]) {
            assertLinear(`objects ${small}→${large}`, at(small).manifests.length, at(large).manifests.length);
            assertLinear(`YAML bytes ${small}→${large}`, yamlBytes(at(small).manifests), yamlBytes(at(large).manifests));
            assertLinear(`caller values ${small}→${large}`, callerValues(at(small).manifests), callerValues(at(large).manifests));
        }
    });

    it("lists each caller at most once per operation: caller values never exceed two per relationship", () => {
        const { input, manifests } = at(240);
        assert.ok(callerValues(manifests) <= 2 * (input.allow ?? []).length);
    });

    it("calls its helpers a linear number of times, also when every service shares one namespace", async () => {
        const helpers = [authzRules, naming, istioSecurity, meshPolicyModel, meshPolicyReferences] as unknown as Record<string, unknown>[];
        for (const mesh of [syntheticMesh, singleNamespaceMesh]) {
            const small = await countHelperCalls(helpers, () => compileMeshPolicy(mesh(100)));
            const large = await countHelperCalls(helpers, () => compileMeshPolicy(mesh(200)));
            assertLinear(`compile helper calls (${mesh.name})`, small, large);
        }
    });
});

describe("scale guard: MeshPolicy component", () => {
    before(async () => {
        await useMocks();
    });
    beforeEach(() => recorder.reset());

    it("registers one child per object of the minimum layout, linearly in the mesh size", async () => {
        const counts: number[] = [];
        for (const n of [20, 40]) {
            recorder.reset();
            const input = syntheticMesh(n);
            const component = new MeshPolicy(`scale-${n}`, input);
            const resources = await registered(component);
            const children = resources.filter((r) => r.parent === resources.find((p) => p.type === MeshPolicy.TYPE)?.urn);
            assert.strictEqual(children.length, minimumLayout(input).total);
            assert.strictEqual(resources.length, children.length + 1);
            counts.push(resources.length);
        }
        assertLinear("registrations 20→40", counts[0], counts[1]);
    });

    it("gives each child two dependency edges (the shared install, its own namespace) however many namespaces there are", async () => {
        const input = syntheticMesh(60);
        const namespaces = [...new Set(input.services.map((s) => s.namespace))];
        const marker = (name: string) => new k8s.apiextensions.CustomResource(name, { apiVersion: "v1", kind: "ConfigMap", metadata: { name } });
        const install = marker("install-ready");
        const ready = Object.fromEntries(namespaces.map((ns) => [ns, [marker(`${ns}-ready`)]]));
        const component = new MeshPolicy("edges", { ...input, dependsOn: [install], namespaceDependsOn: ready });
        const resources = await registered(component);
        const parent = resources.find((r) => r.type === MeshPolicy.TYPE)!.urn;
        const children = resources.filter((r) => r.parent === parent);
        assert.ok(namespaces.length >= 3, `${namespaces.length} namespaces`);
        assert.strictEqual(children.length, minimumLayout(input).total);
        assert.strictEqual(children.reduce((edges, child) => edges + child.dependencies.length, 0), 2 * children.length);
    });
});

describe("scale guard: policy pack stack policies", () => {
    const helpers = [packStack, packObject, packWorkload] as unknown as Record<string, unknown>[];

    async function stackPolicyCalls(input: MeshPolicyInput): Promise<{ calls: number; violations: number }> {
        const resources = stackResources(input, compileMeshPolicy(input));
        let violations = 0;
        // Pod template labels count every read: matching a selector against the workloads is a plain loop.
        const calls = await countHelperCalls(
            helpers,
            async () => {
                for (const policy of stackPolicies) violations += await runStackPolicy(policy, policyResources(resources));
            },
            ["readPodTemplate"],
        );
        return { calls, violations };
    }

    for (const mesh of [syntheticMesh, singleNamespaceMesh]) {
        it(`read the stack a linear number of times (${mesh.name}: ${mesh === syntheticMesh ? "20 services per namespace" : "one namespace, a JWT policy per service"})`, async () => {
            const small = await stackPolicyCalls(mesh(100));
            const large = await stackPolicyCalls(mesh(200));
            assert.deepStrictEqual([small.violations, large.violations], [0, 0], "the synthetic stacks are compliant");
            assertLinear(`stack policy helper calls (${mesh.name})`, small.calls, large.calls);
        });
    }
});

describe("scale guard: label indexes answer exactly as the scans they replace", () => {
    const key = fc.constantFrom("app", "version", "tier", "constructor", "a.b/c");
    const value = fc.constantFrom("x", "y", "z", "");
    const labels = fc.dictionary(key, value, { maxKeys: 3 });
    const selector = fc.option(fc.dictionary(key, value, { minKeys: 1, maxKeys: 3 }), { nil: undefined });
    const selects = (sel: Record<string, string>, target: Record<string, string>) => Object.entries(sel).every(([k, v]) => target[k] === v);

    it("LabelSetIndex.anyMatches: some label set contains every pair of the selector", () => {
        fc.assert(
            fc.property(fc.array(labels, { maxLength: 8 }), fc.dictionary(key, value, { minKeys: 1, maxKeys: 3 }), (sets, sel) => {
                const index = new LabelSetIndex();
                sets.forEach((s) => index.add(s));
                assert.strictEqual(index.anyMatches(sel), sets.some((s) => selects(sel, s)));
            }),
            { numRuns: 500 },
        );
    });

    it("SelectorIndex.anySelects: some selector (or a selector-less entry) matches the labels", () => {
        fc.assert(
            fc.property(fc.array(selector, { maxLength: 8 }), labels, (selectors, target) => {
                const index = new SelectorIndex<{ matchLabels?: Record<string, string> }>();
                selectors.forEach((s) => index.add({ matchLabels: s }));
                assert.strictEqual(index.anySelects(target), selectors.some((s) => s === undefined || selects(s, target)));
            }),
            { numRuns: 500 },
        );
    });
});
