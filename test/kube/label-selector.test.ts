import { strict as assert } from "assert";
import fc from "fast-check";
import { MeshguardValidationError } from "../../components/errors";
import { labelSelectorMatches, maySelectPodCarrying, readLabelSelector, selectsEveryPodCarrying } from "../../components/kube";

// One LabelSelector reading for the simulator, the renderer and the pack (apimachinery's
// labels.Requirement.Matches): exact matching, and the two partial-knowledge judgements the pack
// makes when it knows only some of a pod's labels.

const read = (value: unknown) => readLabelSelector(value, "NetworkPolicy shop/x", "spec.podSelector");

function refusal(value: unknown): string {
    try {
        read(value);
    } catch (e) {
        assert.ok(e instanceof MeshguardValidationError);
        return e.issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    }
    assert.fail("expected the selector to be refused");
}

describe("kube: label selectors (one reading)", function () {
    it("matches exactly: matchLabels and every expression ANDed; NotIn and DoesNotExist match a missing key", function () {
        const s = read({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }, { key: "debug", operator: "DoesNotExist" }] });
        assert.equal(labelSelectorMatches(s, { app: "web" }), true);
        assert.equal(labelSelectorMatches(s, { app: "web", tier: "db" }), false);
        assert.equal(labelSelectorMatches(s, { app: "web", debug: "" }), false);
        assert.equal(labelSelectorMatches(s, { app: "api" }), false);
        assert.equal(labelSelectorMatches(read({}), {}), true, "an empty selector selects everything");
        assert.equal(labelSelectorMatches(read({ matchLabels: { constructor: "x" } }), {}), false, "a prototype key is not a label the pod carries");
    });

    it("refuses what the API server refuses instead of reading it more broadly", function () {
        assert.equal(refusal({ matchLabels: { app: 5 } }), "spec.podSelector.matchLabels.app: must be a string (got 5)");
        assert.equal(refusal({ matchLabels: ["app"] }), "spec.podSelector.matchLabels: must be a map of label keys to string values");
        assert.equal(refusal({ matchExpressions: { key: "app" } }), "spec.podSelector.matchExpressions: must be a list");
        assert.equal(refusal({ matchExpressions: [{ key: "app", operator: "In", values: ["a", 1] }] }), "spec.podSelector.matchExpressions[0].values: must be a list of strings");
        assert.equal(refusal({ matchExpressions: [{ key: "app", operator: "in", values: ["a"] }] }), 'spec.podSelector.matchExpressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist (got "in")');
        assert.equal(refusal({ matchExpressions: [{ key: "app", operator: "Exists", values: ["a"] }] }), "spec.podSelector.matchExpressions[0].values: must be empty for Exists");
        assert.equal(refusal({ matchExpressions: [{ key: "", operator: "Exists" }] }), "spec.podSelector.matchExpressions[0].key: must be a non-empty label key");
        assert.equal(refusal("app=web"), "spec.podSelector: must be a label selector (an object)");
    });

    it("judges pods known only by some labels: selects every such pod / may select one", function () {
        const notIn = read({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }] });
        assert.equal(selectsEveryPodCarrying(notIn, { tier: "web" }), true, "the pod cannot carry tier twice");
        assert.equal(selectsEveryPodCarrying(notIn, {}), false, "the pod may carry tier=db");
        assert.equal(maySelectPodCarrying(notIn, { tier: "db" }), false);
        const exists = read({ matchExpressions: [{ key: "app", operator: "Exists" }] });
        assert.equal(selectsEveryPodCarrying(exists, {}), false);
        assert.equal(maySelectPodCarrying(exists, {}), true);
        assert.equal(maySelectPodCarrying(read({ matchLabels: { app: "web" } }), { app: "api" }), false);
    });

    it("property: the partial judgements hold for every pod that carries the known labels and more", function () {
        const key = fc.constantFrom("app", "tier", "version", "__proto__", "constructor", "toString");
        const value = fc.constantFrom("a", "b", "", "web");
        const labels = fc.dictionary(key, value, { maxKeys: 4 });
        const requirement = fc.oneof(
            fc.record({ key, operator: fc.constantFrom("In", "NotIn"), values: fc.array(value, { minLength: 1, maxLength: 3 }) }),
            fc.record({ key, operator: fc.constantFrom("Exists", "DoesNotExist") }),
        );
        const selector = fc.record({ matchLabels: labels, matchExpressions: fc.array(requirement, { maxLength: 3 }) });
        fc.assert(
            fc.property(selector, labels, labels, (raw, known, extra) => {
                const s = read(raw);
                const pod: Record<string, string> = {};
                for (const [k, v] of Object.entries(extra)) Object.defineProperty(pod, k, { value: v, enumerable: true, configurable: true, writable: true });
                for (const [k, v] of Object.entries(known)) Object.defineProperty(pod, k, { value: v, enumerable: true, configurable: true, writable: true });
                const matches = labelSelectorMatches(s, pod);
                if (selectsEveryPodCarrying(s, known)) assert.equal(matches, true, "selects every pod carrying the known labels, yet not this one");
                if (!maySelectPodCarrying(s, known)) assert.equal(matches, false, "may not select pods carrying the known labels, yet selects this one");
            }),
            { numRuns: 3000 },
        );
    });
});
