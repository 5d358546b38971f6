import * as assert from "assert";
import fc from "fast-check";
import {
    compileAuthorizationSpec,
    describeIdentitySet,
    evaluateRule,
    findAllowAnyCaller,
    identityInSet,
    identityReach,
    matchNamespacePattern,
    matchServiceAccountPattern,
    matchString,
    matchTrustDomainPattern,
    namespacePatternSet,
    principalPatternSet,
    trustDomainPatternSet,
} from "../../components/istio";
import "../harness/property-seed";

interface Id {
    readonly trustDomain: string;
    readonly namespace: string;
    readonly serviceAccount: string;
}
const principal = (id: Id) => `${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}`;

// Names chosen to collide with the principal layout ("sa", "-sa", "local", "prod" prefixes/suffixes).
// A namespace or trust domain literally named "ns" lets istiod's namespace regex anchor on it; that
// corner is documented in docs/simulator.md and left out of the pool.
const TRUST_DOMAINS = ["cluster.local", "c.example", "local", "td-a"];
const NAMESPACES = ["prod", "prod-eu", "dev", "sa", "kube-system", "a", "team-x-prod"];
const SERVICE_ACCOUNTS = ["default", "web", "sa", "api-sa", "ns", "a"];
const IDENTITIES: Id[] = TRUST_DOMAINS.flatMap((trustDomain) =>
    NAMESPACES.flatMap((namespace) => SERVICE_ACCOUNTS.map((serviceAccount) => ({ trustDomain, namespace, serviceAccount }))),
);

/** Patterns cut from real principals (prefix, suffix, exact) plus hostile strings over the layout's alphabet. */
function patternArb(source: (id: Id) => string): fc.Arbitrary<string> {
    const cut = fc.tuple(fc.constantFrom(...IDENTITIES), fc.nat(40), fc.constantFrom("prefix", "suffix", "exact")).map(([id, k, how]) => {
        const s = source(id);
        const at = k % (s.length + 1);
        return how === "prefix" ? `${s.slice(0, at)}*` : how === "suffix" ? `*${s.slice(at)}` : s;
    });
    const hostile = fc.array(fc.constantFrom("a", "s", "n", "/", "*", "-", ".", "l", "p"), { minLength: 1, maxLength: 12 }).map((chars) => chars.join(""));
    return fc.oneof(cut, hostile, fc.constant("*"));
}

describe("identity patterns: classification agrees with the matchers", () => {
    it("principals: the set a pattern can match is exactly what matchString accepts", () => {
        fc.assert(
            fc.property(patternArb(principal), (pattern) => {
                const set = principalPatternSet(pattern);
                for (const id of IDENTITIES) {
                    assert.strictEqual(matchString(pattern, principal(id)), set !== undefined && identityInSet(set, id), `${pattern} vs ${principal(id)}`);
                }
            }),
            { numRuns: 400 },
        );
    });

    it("namespaces: the set is exactly what istiod's namespace regex accepts", () => {
        fc.assert(
            fc.property(patternArb((id) => `${id.namespace}/sa`), (pattern) => {
                const set = namespacePatternSet(pattern);
                for (const id of IDENTITIES) {
                    assert.strictEqual(matchNamespacePattern(pattern, principal(id)), set !== undefined && identityInSet(set, id), `${pattern} vs ${principal(id)}`);
                }
            }),
            { numRuns: 400 },
        );
    });

    it("trustDomains: the set is exactly what istiod's trust-domain matcher accepts", () => {
        fc.assert(
            fc.property(patternArb((id) => id.trustDomain), (pattern) => {
                const set = trustDomainPatternSet(pattern);
                for (const id of IDENTITIES) {
                    assert.strictEqual(matchTrustDomainPattern(pattern, principal(id)), set !== undefined && identityInSet(set, id), `${pattern} vs ${principal(id)}`);
                }
            }),
            { numRuns: 300 },
        );
    });

    it("a pattern classified as reaching every namespace accepts an identity of every namespace; a named one rejects all others", () => {
        fc.assert(
            fc.property(patternArb(principal), (pattern) => {
                const set = principalPatternSet(pattern);
                if (set === undefined) return;
                const reach = identityReach(set);
                const accepted = IDENTITIES.filter((id) => matchString(pattern, principal(id)));
                if (reach === "every-namespace" && accepted.length > 0) {
                    // Every namespace holds an identity the pattern accepts (same trust domain and service account).
                    const sample = accepted[0];
                    for (const namespace of NAMESPACES) {
                        assert.ok(matchString(pattern, principal({ ...sample, namespace })), `${pattern}: ${describeIdentitySet(set)} should accept namespace ${namespace}`);
                    }
                }
                if (reach === "named-namespaces" && set.namespace.kind === "exact") {
                    const named = set.namespace.value;
                    assert.deepStrictEqual(accepted.filter((id) => id.namespace !== named), [], pattern);
                }
            }),
            { numRuns: 400 },
        );
    });

    it("findAllowAnyCaller flags a one-pattern rule exactly when the pattern reaches beyond named namespaces", () => {
        fc.assert(
            fc.property(patternArb(principal), (pattern) => {
                const set = principalPatternSet(pattern);
                const wide = set !== undefined && identityReach(set) !== "named-namespaces";
                const findings = findAllowAnyCaller({ rules: [{ from: [{ source: { principals: [pattern] } }] }] });
                assert.strictEqual(findings.length, wide ? 1 : 0, pattern);
            }),
            { numRuns: 300 },
        );
    });

    it("the simulator's rule evaluation uses the same matchers", () => {
        fc.assert(
            fc.property(patternArb((id) => `${id.namespace}`), fc.constantFrom(...IDENTITIES), (pattern, id) => {
                const spec = compileAuthorizationSpec({ rules: [{ from: [{ source: { namespaces: [pattern] } }] }] });
                const peer = { principal: principal(id), ...id };
                const result = evaluateRule(spec.rules[0], { protocol: "http", port: 80, peer }, "caller").result;
                assert.strictEqual(result === "match", matchNamespacePattern(pattern, principal(id)), `${pattern} vs ${principal(id)}`);
            }),
            { numRuns: 300 },
        );
    });
});

describe("identity patterns: istiod's matchers", () => {
    it("namespaces turn every * into a glob that may cross `/` (srcNamespaceGenerator)", () => {
        const p = "cluster.local/ns/prod-eu/sa/web";
        assert.strictEqual(matchNamespacePattern("prod*", p), true);
        assert.strictEqual(matchNamespacePattern("p*eu", p), true);
        assert.strictEqual(matchNamespacePattern("*sa", p), true);
        assert.strictEqual(matchNamespacePattern("prod-eu/sa", p), true);
        assert.strictEqual(matchNamespacePattern("prod", p), false);
        assert.strictEqual(matchNamespacePattern("*", undefined), false);
    });

    it("trust domains: exact is a `spiffe://<td>/` prefix, one * is `[^/]*` (srcTrustDomainGenerator)", () => {
        const p = "cluster.local/ns/prod/sa/web";
        assert.strictEqual(matchTrustDomainPattern("cluster.local", p), true);
        assert.strictEqual(matchTrustDomainPattern("cluster", p), false);
        assert.strictEqual(matchTrustDomainPattern("clu*cal", p), true);
        assert.strictEqual(matchTrustDomainPattern("*.local", p), true);
        assert.strictEqual(matchTrustDomainPattern("*ns", p), false);
    });

    it("service accounts: `<ns>/<sa>` or a bare `<sa>` of the policy's namespace, exact (srcServiceAccountGenerator)", () => {
        const p = "cluster.local/ns/prod/sa/web";
        assert.strictEqual(matchServiceAccountPattern("prod/web", p, undefined), true);
        assert.strictEqual(matchServiceAccountPattern("web", p, "prod"), true);
        assert.strictEqual(matchServiceAccountPattern("web", p, "dev"), false);
        assert.strictEqual(matchServiceAccountPattern("web", p, undefined), undefined);
        assert.strictEqual(matchServiceAccountPattern("prod/we", p, undefined), false);
        assert.strictEqual(matchServiceAccountPattern("prod/*", p, undefined), false);
    });
});
