import * as assert from "assert";
import fc from "fast-check";
import "../harness/property-seed";
import { attachingRef, readPolicyTargets, ztunnelAuthorization } from "../../components/istio";

// pilot/pkg/model/policyattachment.go (GetTargetRefs, ShouldAttachPolicy) and
// pkg/config/validation/validation.go (validatePolicyTargetReference) of Istio 1.30.3.
describe("istio/target-refs", () => {
    it("reads targetRefs, preferring them over the deprecated targetRef (the webhook rejects both at once)", () => {
        const t = readPolicyTargets({
            targetRef: { kind: "Gateway", group: "gateway.networking.k8s.io", name: "ignored" },
            targetRefs: [{ kind: "Service", group: "", name: "reviews" }],
        });
        assert.deepStrictEqual(t, {
            refs: [{ group: "", kind: "Service", name: "reviews", target: "Service", path: "spec.targetRefs[0]" }],
            targeted: true,
            problems: [{ path: "spec", message: "only one of selector, targetRef or targetRefs may be set" }],
        });
    });

    it("reads the single targetRef when targetRefs is absent or empty", () => {
        const t = readPolicyTargets({ targetRef: { kind: "Gateway", group: "gateway.networking.k8s.io", name: "waypoint" }, targetRefs: [] });
        assert.deepStrictEqual(t.refs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "waypoint", target: "Gateway", path: "spec.targetRef" }]);
        assert.deepStrictEqual(t.problems, []);
    });

    it("a selector-based policy has no references and is not targeted", () => {
        assert.deepStrictEqual(readPolicyTargets({ selector: { matchLabels: { app: "a" } } }), { refs: [], targeted: false, problems: [] });
        assert.deepStrictEqual(readPolicyTargets(undefined), { refs: [], targeted: false, problems: [] });
    });

    it("reports what istiod's webhook rejects: kind, namespace, name, selector alongside", () => {
        const t = readPolicyTargets({
            selector: { matchLabels: { app: "a" } },
            targetRefs: [
                { kind: "Deployment", group: "apps", name: "x" },
                { kind: "Service", group: "core", name: "y", namespace: "other" },
                { kind: "Service", group: "" },
                "bad",
            ],
        });
        assert.deepStrictEqual(t.problems, [
            { path: "spec.targetRefs[0]", message: 'must name a core/Service, networking.istio.io/ServiceEntry, gateway.networking.k8s.io/Gateway or gateway.networking.k8s.io/GatewayClass (got "apps/Deployment")' },
            { path: "spec.targetRefs[1]", message: "namespace must not be set; cross namespace referencing is not supported" },
            { path: "spec.targetRefs[2]", message: "name must be set" },
            { path: "spec.targetRefs[3]", message: "must be an object" },
            { path: "spec", message: "only one of selector, targetRef or targetRefs may be set" },
        ]);
        assert.strictEqual(t.refs[0].target, "other");
        assert.strictEqual(t.refs[1].target, "Service");
    });

    it("group core is the core group; a Service in another group is not a Service", () => {
        assert.strictEqual(readPolicyTargets({ targetRefs: [{ kind: "Service", group: "core", name: "a" }] }).refs[0].invalid, undefined);
        assert.strictEqual(readPolicyTargets({ targetRefs: [{ kind: "Service", group: "networking.istio.io", name: "a" }] }).refs[0].target, "other");
    });

    describe("attachingRef (ShouldAttachPolicy for a waypoint)", () => {
        const at = { waypoint: { namespace: "shop", name: "waypoint" }, service: { namespace: "shop", name: "reviews", registry: "Kubernetes" as const }, rootNamespace: "istio-system" };
        const attach = (ns: string, spec: unknown) => attachingRef(ns, readPolicyTargets(spec), at)?.path;
        const svc = (name: string) => ({ targetRefs: [{ kind: "Service", group: "", name }] });
        const gw = (name: string) => ({ targetRefs: [{ kind: "Gateway", group: "gateway.networking.k8s.io", name }] });
        it("Service: the request's service, policy in its namespace", () => {
            assert.strictEqual(attach("shop", svc("reviews")), "spec.targetRefs[0]");
            assert.strictEqual(attach("shop", svc("ratings")), undefined);
            assert.strictEqual(attach("other", svc("reviews")), undefined);
            assert.strictEqual(attachingRef("shop", readPolicyTargets(svc("reviews")), { ...at, service: undefined }), undefined);
        });
        it("Gateway: the waypoint itself, same namespace", () => {
            assert.strictEqual(attach("shop", gw("waypoint")), "spec.targetRefs[0]");
            assert.strictEqual(attach("other", gw("waypoint")), undefined);
            assert.strictEqual(attach("shop", gw("ingress")), undefined);
        });
        it("GatewayClass istio-waypoint: only from the root namespace", () => {
            const cls = { targetRefs: [{ kind: "GatewayClass", group: "gateway.networking.k8s.io", name: "istio-waypoint" }] };
            assert.strictEqual(attach("istio-system", cls), "spec.targetRefs[0]");
            assert.strictEqual(attach("shop", cls), undefined);
        });
        it("ServiceEntry: only for external services", () => {
            const se = { targetRefs: [{ kind: "ServiceEntry", group: "networking.istio.io", name: "reviews" }] };
            assert.strictEqual(attach("shop", se), undefined);
            assert.strictEqual(attachingRef("shop", readPolicyTargets(se), { ...at, service: { ...at.service, registry: "External" } })?.target, "ServiceEntry");
        });
        it("an invalid policy attaches nowhere", () => {
            assert.strictEqual(attach("shop", { targetRefs: [{ kind: "Service", group: "", name: "reviews" }, { kind: "Pod", name: "x" }] }), undefined);
        });
    });
});

describe("istio/target-refs and ztunnel-authz: hostile input (property)", () => {
    const refArb = fc.oneof(fc.anything(), fc.record({ kind: fc.constantFrom("Service", "Gateway", "GatewayClass", "ServiceEntry", "Pod", 7), group: fc.constantFrom("", "core", "gateway.networking.k8s.io", "networking.istio.io", null), name: fc.constantFrom("a", "", 3), namespace: fc.constantFrom(undefined, "", "x") }, { requiredKeys: [] }));
    const specArb = fc.record({ selector: fc.anything(), targetRef: refArb, targetRefs: fc.oneof(fc.array(refArb, { maxLength: 3 }), fc.anything()), rules: fc.anything(), action: fc.anything() }, { requiredKeys: [] });

    it("never throws; an attaching reference is always a valid one of a valid policy", () => {
        fc.assert(
            fc.property(specArb, (spec) => {
                const t = readPolicyTargets(spec);
                assert.strictEqual(t.refs.some((r) => r.invalid !== undefined), t.problems.some((p) => p.path !== "spec" && p.path !== "spec.targetRefs"));
                const at = { waypoint: { namespace: "shop", name: "a" }, service: { namespace: "shop", name: "a", registry: "Kubernetes" as const }, rootNamespace: "shop" };
                const ref = attachingRef("shop", t, at);
                if (ref !== undefined) assert.deepStrictEqual([ref.invalid, t.problems], [undefined, []]);
                const z = ztunnelAuthorization(spec);
                assert.strictEqual(z.enforced, !t.targeted && (z.action === "ALLOW" || z.action === "DENY"));
            }),
            { numRuns: 500 },
        );
    });
});
