/**
 * readConfig keeps its readings per configuration list (by identity) and root namespace: every
 * call must still give exactly the configuration read from that call's values, whatever lists,
 * non-lists and root namespaces come before it.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { DEFAULT_ROOT_NAMESPACE } from "../../components/constants";
import { DEFAULT_INJECTION_EXEMPT_NAMESPACES, readConfig } from "../../policy-pack/lib/config";

/** The reading, written out from the config schema's documented defaults. */
function expected(raw: Record<string, unknown>): unknown {
    const list = (v: unknown, fallback: readonly string[]) => (Array.isArray(v) ? v.filter((s) => typeof s === "string") : [...fallback]);
    const root = raw["rootNamespace"];
    return {
        exemptNamespaces: list(raw["exemptNamespaces"], []),
        exemptNames: list(raw["exemptNames"], []),
        rootNamespace: typeof root === "string" && root !== "" ? root : DEFAULT_ROOT_NAMESPACE,
        injectionExemptNamespaces: list(raw["injectionExemptNamespaces"], DEFAULT_INJECTION_EXEMPT_NAMESPACES),
    };
}

const text = fc.oneof(fc.constantFrom("", "*", "kube-*", "__proto__", "ns/name", "é☃𝔘"), fc.string({ maxLength: 6, unit: "grapheme" }));
const hostile = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), text, fc.constant({}), fc.constant({ length: 2, 0: "a", 1: "b" }));
const rawList = fc.array(fc.oneof(text, fc.integer(), fc.constant(null)), { maxLength: 4 });

describe("policy pack: readConfig", () => {
    it("gives every call the configuration of its own values, with lists shared between calls", () => {
        fc.assert(
            fc.property(
                fc.array(rawList, { minLength: 1, maxLength: 4 }),
                fc.array(fc.record({ lists: fc.array(fc.nat(5), { minLength: 3, maxLength: 3 }), other: fc.array(hostile, { minLength: 3, maxLength: 3 }), root: hostile }), {
                    minLength: 1,
                    maxLength: 12,
                }),
                (pool, calls) => {
                    for (const call of calls) {
                        // An index within the pool picks a shared list; beyond it, a non-list value.
                        const field = (i: number) => (call.lists[i] < pool.length ? pool[call.lists[i]] : call.other[i]);
                        const raw: Record<string, unknown> = { exemptNamespaces: field(0), exemptNames: field(1), injectionExemptNamespaces: field(2), rootNamespace: call.root };
                        assert.deepEqual(readConfig(raw), expected(raw));
                    }
                },
            ),
            { numRuns: 300 },
        );
    });

    it("reads the same lists and root namespace once (the SDK's getConfig builds a new object each call)", () => {
        const exemptNamespaces = ["team-*"];
        const first = readConfig({ exemptNamespaces, rootNamespace: "mesh-root" });
        assert.equal(readConfig({ exemptNamespaces, rootNamespace: "mesh-root" }), first);
        assert.deepEqual(readConfig({ exemptNamespaces, rootNamespace: "other-root" }), { ...first, rootNamespace: "other-root" });
        assert.deepEqual(readConfig({ exemptNamespaces: ["team-*", "ops"], rootNamespace: "mesh-root" }).exemptNamespaces, ["team-*", "ops"]);
        assert.deepEqual(readConfig({ exemptNamespaces, exemptNames: ["a/b"], rootNamespace: "mesh-root" }).exemptNames, ["a/b"]);
        assert.deepEqual(readConfig({}), expected({}));
    });
});
