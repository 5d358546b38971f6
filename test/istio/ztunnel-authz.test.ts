import * as assert from "assert";
import fc from "fast-check";
import "../harness/property-seed";
import { compileAuthorizationSpec, ztunnelAuthorization } from "../../components/istio";

// istiod pilot/pkg/serviceregistry/ambient/authorization.go (convertAuthorizationPolicy,
// handleRule) and ztunnel src/rbac.rs (Authorization::matches) of Istio 1.30.3.
const from = (source: Record<string, unknown>) => ({ source });
const to = (operation: Record<string, unknown>) => ({ operation });
const P = "cluster.local/ns/a/sa/caller";

describe("istio/ztunnel-authz", () => {
    it("an L4 ALLOW is enforced as written", () => {
        const spec = { selector: { matchLabels: { app: "x" } }, rules: [{ from: [from({ principals: [P] })], to: [to({ ports: ["8080"] })] }] };
        assert.deepStrictEqual(ztunnelAuthorization(spec), {
            enforced: true,
            action: "ALLOW",
            rules: [{ index: 0, fate: "kept", l7: [], broader: false, narrower: false }],
            l7: [],
            spec: { selector: { matchLabels: { app: "x" } }, action: "ALLOW", rules: [{ from: [from({ principals: [P] })], to: [to({ ports: ["8080"] })] }] },
        });
    });

    it("ALLOW: a rule with any L7 attribute is dropped whole; the policy stays and matches less", () => {
        const z = ztunnelAuthorization({
            rules: [
                { from: [from({ principals: [P] })], to: [to({ ports: ["8080"], methods: ["GET"] })] },
                { from: [from({ namespaces: ["b"] })] },
                { from: [from({ requestPrincipals: ["*"] })] },
                { when: [{ key: "request.headers[x-user]", values: ["1"] }] },
            ],
        });
        assert.deepStrictEqual(
            z.rules.map((r) => [r.fate, r.l7]),
            [
                ["dropped", ["methods"]],
                ["kept", []],
                ["dropped", ["requestPrincipals"]],
                ["dropped", ["request.headers[x-user]"]],
            ],
        );
        assert.deepStrictEqual(z.l7, ["methods", "request.headers[x-user]", "requestPrincipals"]);
        assert.deepStrictEqual(z.spec, { action: "ALLOW", rules: [{ from: [from({ namespaces: ["b"] })] }] });
    });

    it("ALLOW with only L7 rules becomes allow-nothing (rules: [])", () => {
        const z = ztunnelAuthorization({ selector: { matchLabels: { app: "x" } }, rules: [{ to: [to({ paths: ["/a"] })] }] });
        assert.deepStrictEqual(z.spec, { selector: { matchLabels: { app: "x" } }, action: "ALLOW", rules: [] });
        assert.deepStrictEqual(compileAuthorizationSpec(z.spec).rules, []);
    });

    it("DENY: L7 attributes removed, L4 kept (broader); an L7-only entry is skipped (narrower)", () => {
        const z = ztunnelAuthorization({
            action: "DENY",
            rules: [
                { to: [to({ ports: ["8080"], methods: ["DELETE"] })] },
                { from: [from({ principals: [P] })], to: [to({ methods: ["DELETE"] }), to({ ports: ["9000"] })] },
            ],
        });
        assert.deepStrictEqual(
            z.rules.map((r) => [r.fate, r.broader, r.narrower]),
            [
                ["altered", true, false],
                ["altered", false, true],
            ],
        );
        assert.deepStrictEqual(z.spec, {
            action: "DENY",
            rules: [{ to: [to({ ports: ["8080"] })] }, { from: [from({ principals: [P] })], to: [to({ ports: ["9000"] })] }],
        });
    });

    it("DENY: a rule whose every `to` is L7-only, or with an L7 `when`, never matches at ztunnel (istiod 1.30.3's status wrongly says more restrictive)", () => {
        const z = ztunnelAuthorization({
            action: "DENY",
            rules: [
                { from: [from({ principals: [P] })], to: [to({ methods: ["DELETE"] })] },
                { from: [from({ requestPrincipals: ["*"] })] },
                { when: [{ key: "request.auth.claims[role]", values: ["x"] }] },
                {},
            ],
        });
        assert.deepStrictEqual(
            z.rules.map((r) => r.fate),
            ["inert", "inert", "inert", "kept"],
        );
        assert.deepStrictEqual(z.spec, { action: "DENY", rules: [{}] });
    });

    it("L4 when keys are kept; trustDomains are ignored (not converted, not reported)", () => {
        const z = ztunnelAuthorization({
            rules: [
                { from: [from({ principals: [P], trustDomains: ["other.td"] })], when: [{ key: "destination.port", values: ["8080"] }] },
                { from: [from({ trustDomains: ["x"] })] },
            ],
        });
        assert.deepStrictEqual(
            z.rules.map((r) => [r.fate, r.broader, r.narrower, r.l7]),
            [
                ["altered", true, false, []],
                ["inert", false, false, []],
            ],
        );
        assert.deepStrictEqual(z.spec.rules, [{ from: [from({ principals: [P] })], when: [{ key: "destination.port", values: ["8080"] }] }]);
    });

    it("not sent to ztunnel: targetRefs, CUSTOM, AUDIT, dry-run", () => {
        assert.strictEqual(ztunnelAuthorization({ targetRefs: [{ kind: "Service", group: "", name: "a" }], rules: [{}] }).ignoredBecause, "it uses targetRef(s), which attach it to waypoints and gateways, never to ztunnel");
        assert.strictEqual(ztunnelAuthorization({ action: "CUSTOM", provider: { name: "x" }, rules: [{}] }).ignoredBecause, "ztunnel does not support the CUSTOM action");
        assert.strictEqual(ztunnelAuthorization({ action: "AUDIT", rules: [{}] }).enforced, false);
        assert.strictEqual(ztunnelAuthorization({ rules: [{}] }, { "istio.io/dry-run": "true" }).enforced, false);
        assert.strictEqual(ztunnelAuthorization({ rules: [{}] }, { "istio.io/dry-run": "false" }).enforced, true);
    });

    describe("properties", () => {
        const l4Source = fc.record({ principals: fc.constant([P]), namespaces: fc.constant(["b"]), trustDomains: fc.constant(["td"]) }, { requiredKeys: [] });
        const l7Source = fc.record({ requestPrincipals: fc.constant(["*"]), remoteIpBlocks: fc.constant(["10.0.0.0/8"]) }, { requiredKeys: [] });
        const l4Op = fc.record({ ports: fc.constant(["8080"]), notPorts: fc.constant(["9000"]) }, { requiredKeys: [] });
        const l7Op = fc.record({ methods: fc.constant(["GET"]), paths: fc.constant(["/a"]), hosts: fc.constant(["h"]), notMethods: fc.constant(["PUT"]) }, { requiredKeys: [] });
        const whenArb = fc.constantFrom({ key: "source.ip", values: ["10.0.0.1"] }, { key: "request.headers[a]", values: ["b"] }, { key: "request.auth.claims[iss]", values: ["x"] });
        const ruleArb = fc.record(
            {
                from: fc.array(fc.tuple(l4Source, l7Source).map(([a, b]) => from({ ...a, ...b })), { maxLength: 2 }),
                to: fc.array(fc.tuple(l4Op, l7Op).map(([a, b]) => to({ ...a, ...b })), { maxLength: 2 }),
                when: fc.array(whenArb, { maxLength: 2 }),
            },
            { requiredKeys: [] },
        );
        const specArb = fc.record({ action: fc.constantFrom("ALLOW", "DENY"), rules: fc.array(ruleArb, { maxLength: 3 }) });

        it("what ztunnel enforces never holds an HTTP-only attribute", () => {
            fc.assert(
                fc.property(specArb, (spec) => {
                    const compiled = compileAuthorizationSpec(ztunnelAuthorization(spec).spec);
                    assert.deepStrictEqual(compiled.rules.flatMap((r) => r.httpOnlyKeys), []);
                }),
            );
        });

        it("ALLOW drops exactly the rules with L7 attributes and keeps every live one", () => {
            fc.assert(
                fc.property(specArb, (spec) => {
                    fc.pre(spec.action === "ALLOW");
                    const z = ztunnelAuthorization(spec);
                    assert.deepStrictEqual(
                        z.rules.map((r) => r.l7.length > 0),
                        z.rules.map((r) => r.fate === "dropped"),
                    );
                    const live = z.rules.filter((r) => r.fate === "kept" || r.fate === "altered");
                    assert.strictEqual((z.spec.rules as unknown[]).length, live.length);
                }),
            );
        });
    });
});
