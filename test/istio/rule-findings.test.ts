import * as assert from "assert";
import { MeshguardValidationError } from "../../components/errors";
import { findAllowAnyCaller, findIneffectiveRules } from "../../components/istio";

describe("findAllowAnyCaller", () => {
    it("flags rules: [{}] as admitting any caller, plaintext included", () => {
        assert.deepStrictEqual(findAllowAnyCaller({ rules: [{}] }), [
            {
                rule: 0,
                path: "spec.rules[0]",
                reason: "spec.rules[0] admits any caller, including plaintext callers without a workload identity, to any operation: it has no `from`.",
            },
        ]);
    });

    it("flags a rule with only `to` (no `from`)", () => {
        const findings = findAllowAnyCaller({
            action: "ALLOW",
            rules: [
                { from: [{ source: { principals: ["cluster.local/ns/a/sa/b"] } }] },
                { to: [{ operation: { methods: ["GET"] } }] },
            ],
        });
        assert.deepStrictEqual(findings.map((f) => f.path), ["spec.rules[1]"]);
        assert.match(findings[0].reason, /admits any caller, including plaintext .* to the operations in its `to`: it has no `from`\.$/);
    });

    it("says that principals: ['*'] and namespaces: ['*'] still require an mTLS identity", () => {
        const cases: [Record<string, string[]>, string][] = [
            [{ principals: ["*"] }, 'from[0].source.principals "*" matches every workload identity of every trust domain'],
            [{ namespaces: ["*"] }, 'from[0].source.namespaces "*" matches every workload identity of every trust domain'],
            [{ trustDomains: ["*"] }, 'from[0].source.trustDomains "*" matches every workload identity of every trust domain'],
        ];
        for (const [source, why] of cases) {
            assert.deepStrictEqual(findAllowAnyCaller({ rules: [{ from: [{ source }] }] }), [
                {
                    rule: 0,
                    path: "spec.rules[0]",
                    reason: `spec.rules[0] admits workload identities from every namespace to any operation: ${why} (an mTLS identity is still required, so only plaintext callers are excluded).`,
                },
            ]);
        }
    });

    // issue 10 item 2: one made-up probe identity let these through; judged by what they match.
    it("flags trust-domain-wide and every-namespace principal patterns, saying what they match", () => {
        const cases: [string, string][] = [
            ["cluster.local/*", 'matches every workload identity of trust domain "cluster.local"'],
            ["cluster.local/ns/*", 'matches every workload identity of trust domain "cluster.local"'],
            ["c*", 'matches every workload identity of every trust domain whose name starts with "c"'],
            ["*/sa/default", 'matches the service account "default" in every namespace'],
            ["*-sa", 'matches every service account whose name ends with "-sa" in every namespace'],
            ["*local/ns/prod/sa/web", 'matches the service account "web" of namespace "prod" of every trust domain whose name ends with "local"'],
        ];
        for (const [pattern, what] of cases) {
            const findings = findAllowAnyCaller({ rules: [{ from: [{ source: { principals: ["cluster.local/ns/a/sa/b", pattern] } }] }] });
            const expected = pattern.startsWith("*local")
                ? []
                : [
                      {
                          rule: 0,
                          path: "spec.rules[0]",
                          reason: `spec.rules[0] admits workload identities from every namespace to any operation: from[0].source.principals ${JSON.stringify(pattern)} ${what} (an mTLS identity is still required, so only plaintext callers are excluded).`,
                      },
                  ];
            assert.deepStrictEqual(findings, expected, pattern);
        }
    });

    it("flags open-ended namespace sets (namespace wildcards) and istiod's namespace-glob quirks", () => {
        const open = (source: Record<string, unknown>) => findAllowAnyCaller({ rules: [{ from: [{ source }] }] }).map((f) => f.reason);
        assert.deepStrictEqual(open({ namespaces: ["prod*"] }), [
            'spec.rules[0] admits callers from namespaces nobody named to any operation: from[0].source.namespaces "prod*" matches every workload identity of every namespace whose name starts with "prod", including namespaces created later with a fitting name.',
        ]);
        assert.deepStrictEqual(open({ principals: ["cluster.local/ns/team-*"] }), [
            'spec.rules[0] admits callers from namespaces nobody named to any operation: from[0].source.principals "cluster.local/ns/team-*" matches every workload identity of every namespace whose name starts with "team-" of trust domain "cluster.local", including namespaces created later with a fitting name.',
        ]);
        assert.match(open({ namespaces: ["*-system"] })[0], /every namespace whose name ends with "-system"/);
        // istiod turns namespaces into the regex `.*\/ns/<glob>/.*`, so `*sa` also matches "<ns>/sa": every namespace.
        for (const pattern of ["*sa", "*a", "*/sa", "*s*"]) {
            assert.match(open({ namespaces: [pattern] })[0], /admits workload identities from every namespace/, pattern);
        }
    });

    it("accepts named namespaces and namespace-wide principals (least privilege at namespace level)", () => {
        assert.deepStrictEqual(
            findAllowAnyCaller({
                rules: [
                    { from: [{ source: { principals: ["cluster.local/ns/prod/sa/*"] } }] },
                    { from: [{ source: { namespaces: ["prod", "staging"] } }] },
                    { from: [{ source: { principals: ["*"], namespaces: ["prod"] } }] },
                    { from: [{ source: { serviceAccounts: ["prod/web", "api"] } }] },
                    { from: [{ source: { principals: ["cluster.local/*"] } }], when: [{ key: "source.namespace", values: ["prod"] }] },
                ],
            }),
            [],
        );
    });

    it("reads `*/ns/*` as Istio does: a suffix with a literal `*`, which matches no identity (allows nothing)", () => {
        const spec = { rules: [{ from: [{ source: { principals: ["*/ns/*"] } }] }] };
        assert.deepStrictEqual(findAllowAnyCaller(spec), []);
        assert.deepStrictEqual(findIneffectiveRules(spec).map((f) => f.reason), [
            'spec.rules[0].from[0].source.principals[0] is "*/ns/*": Istio matches a "*" literally unless it stands alone, leads or trails, so this value only matches itself.',
        ]);
    });

    it("judges `when` identity conditions like sources", () => {
        const findings = findAllowAnyCaller({ rules: [{ when: [{ key: "source.principal", values: ["cluster.local/*"] }] }] });
        assert.deepStrictEqual(findings.map((f) => f.reason), [
            'spec.rules[0] admits workload identities from every namespace to any operation: when source.principal "cluster.local/*" matches every workload identity of trust domain "cluster.local" (an mTLS identity is still required, so only plaintext callers are excluded).',
        ]);
    });

    it("flags negative-only sources and all-covering IP ranges, including plaintext", () => {
        const findings = findAllowAnyCaller({
            rules: [
                { from: [{ source: { notNamespaces: ["kube-system"] } }] },
                { from: [{ source: { ipBlocks: ["0.0.0.0/0"] } }] },
            ],
        });
        assert.deepStrictEqual(findings.map((f) => f.rule), [0, 1]);
        assert.ok(findings.every((f) => f.reason.includes("including plaintext callers")));
    });

    it("does not flag rules naming callers, requiring a JWT, or restricting them with conditions", () => {
        assert.deepStrictEqual(
            findAllowAnyCaller({
                rules: [
                    { from: [{ source: { principals: ["cluster.local/ns/a/sa/b"] } }] },
                    { from: [{ source: { namespaces: ["shop"] } }] },
                    { from: [{ source: { requestPrincipals: ["*"] } }] },
                    { from: [{ source: { ipBlocks: ["10.0.0.0/8"] } }] },
                    { when: [{ key: "source.namespace", values: ["shop"] }] },
                    { from: [{ source: { principals: ["*"] } }], when: [{ key: "unknown.key", values: ["x"] }] },
                ],
            }),
            [],
        );
        assert.deepStrictEqual(findAllowAnyCaller({}), []);
    });

    it("ignores DENY, AUDIT and CUSTOM policies", () => {
        for (const action of ["DENY", "AUDIT", "CUSTOM"]) {
            assert.deepStrictEqual(findAllowAnyCaller({ action, rules: [{}] }), []);
        }
    });

    it("reads specs the way the API server stores them: pruned typos widen the rule", () => {
        // `principal` (singular) is not a field: the API server prunes it, leaving an empty source.
        const findings = findAllowAnyCaller({ rules: [{ from: [{ source: { principal: ["cluster.local/ns/a/sa/b"] } }] }] });
        assert.strictEqual(findings.length, 1);
    });

    it("throws a validation error naming the field on malformed shapes", () => {
        assert.throws(
            () => findAllowAnyCaller({ rules: [{ from: [{ source: { principals: "cluster.local/ns/a/sa/b" } }] }] }),
            (err: unknown) =>
                err instanceof MeshguardValidationError &&
                err.message === "invalid AuthorizationPolicy spec:\n  - spec.rules[0].from[0].source.principals: must be a list",
        );
    });
});

describe("findIneffectiveRules", () => {
    it("reports a DENY rule with only HTTP fields and no ports as denying ALL TCP", () => {
        assert.deepStrictEqual(findIneffectiveRules({ action: "DENY", rules: [{ to: [{ operation: { methods: ["DELETE"] } }] }] }), [
            {
                rule: 0,
                path: "spec.rules[0]",
                reason: "spec.rules[0] denies ALL TCP traffic from its sources on every port: for TCP, istiod ignores its HTTP-only field(s) methods; add `ports` to limit it to the HTTP ports.",
            },
        ]);
        assert.deepStrictEqual(
            findIneffectiveRules({ action: "DENY", rules: [{ to: [{ operation: { methods: ["DELETE"], ports: ["8080"] } }] }] }),
            [],
        );
        assert.deepStrictEqual(findIneffectiveRules({ action: "ALLOW", rules: [{ to: [{ operation: { methods: ["GET"] } }] }] }), []);
    });

    it("reports rules istiod drops: unknown condition keys and, under ALLOW, invalid values", () => {
        const findings = findIneffectiveRules({
            rules: [
                { when: [{ key: "request.regex.headers[x]", values: ["a"] }] },
                { to: [{ operation: { ports: ["http"] } }] },
            ],
        });
        assert.deepStrictEqual(findings, [
            {
                rule: 0,
                path: "spec.rules[0]",
                reason: 'spec.rules[0] never matches: spec.rules[0].when[0].key "request.regex.headers[x]" is not a supported condition key, so istiod drops the rule.',
            },
            {
                rule: 1,
                path: "spec.rules[1]",
                reason: 'spec.rules[1] never matches: istiod cannot generate spec.rules[1].to[0].operation: "http" is not a port number (0-65535), so it drops this ALLOW rule.',
            },
        ]);
    });

    it("reports DENY rules widened by ignored invalid values", () => {
        assert.deepStrictEqual(
            findIneffectiveRules({ action: "DENY", rules: [{ from: [{ source: { ipBlocks: ["10.0.0.0/40"] } }], to: [{ operation: { ports: ["9090"] } }] }] }),
            [
                {
                    rule: 0,
                    path: "spec.rules[0]",
                    reason: 'spec.rules[0] is wider than written: istiod ignores spec.rules[0].from[0].source: "10.0.0.0/40" is not an IP address or CIDR block.',
                },
            ],
        );
    });

    it("reports values that never match what they look like", () => {
        const findings = findIneffectiveRules({
            rules: [
                {
                    from: [{ source: { principals: ["spiffe://cluster.local/ns/a/sa/b"] } }],
                    to: [{ operation: { methods: ["get"], paths: ["/api/*/items", "api/x", "/users/{*}/x"] } }],
                    when: [{ key: "request.headers[x-env]", values: ["pr*d"] }],
                },
            ],
        });
        assert.deepStrictEqual(
            findings.map((f) => f.path),
            [
                "spec.rules[0].from[0].source.principals[0]",
                "spec.rules[0].to[0].operation.methods[0]",
                "spec.rules[0].to[0].operation.paths[0]",
                "spec.rules[0].to[0].operation.paths[1]",
                "spec.rules[0].when[0].values[0]",
            ],
        );
        assert.strictEqual(
            findings[2].reason,
            'spec.rules[0].to[0].operation.paths[0] is "/api/*/items": Istio matches a "*" literally unless it stands alone, leads or trails, so this value only matches itself.',
        );
        assert.strictEqual(findings[1].reason, 'spec.rules[0].to[0].operation.methods[0] is "get": methods are case-sensitive, so it never matches "GET" requests.');
    });

    // issue 10 item 2: exemptions in DENY rules are judged by what they exempt.
    it("reports a DENY rule whose exemptions exempt every identity its sources match (it denies nothing)", () => {
        const findings = findIneffectiveRules({
            action: "DENY",
            rules: [
                { from: [{ source: { namespaces: ["prod"], notPrincipals: ["*"] } }] },
                { from: [{ source: { principals: ["cluster.local/ns/prod/sa/web"], notNamespaces: ["prod"] } }] },
                { from: [{ source: { namespaces: ["prod"], notPrincipals: ["cluster.local/*"] } }] },
                // The documented "deny plaintext" pattern: no positive identity, so it denies callers without one.
                { from: [{ source: { notPrincipals: ["*"] } }] },
                // One source still matches, so the rule denies something.
                { from: [{ source: { namespaces: ["prod"], notPrincipals: ["*"] } }, { source: { namespaces: ["dev"] } }] },
            ],
        });
        assert.deepStrictEqual(findings, [
            {
                rule: 0,
                path: "spec.rules[0]",
                reason: 'spec.rules[0] denies nothing: from[0].source.namespaces only matches identities that its exemption principals "*" exempts (every workload identity of every trust domain).',
            },
            {
                rule: 1,
                path: "spec.rules[1]",
                reason: 'spec.rules[1] denies nothing: from[0].source.principals only matches identities that its exemption namespaces "prod" exempts (every workload identity of namespace "prod").',
            },
        ]);
    });

    it("reads namespace wildcards as istiod's globs and checks trustDomains/serviceAccounts wildcards", () => {
        const findings = findIneffectiveRules({
            rules: [
                {
                    from: [
                        { source: { namespaces: ["team-*-prod"], principals: ["cluster.local/ns/prod"] } },
                        { source: { trustDomains: ["a*b*c"] } },
                        { source: { serviceAccounts: ["prod/*"] } },
                    ],
                    when: [{ key: "source.namespace", values: ["a*b"] }],
                },
            ],
        });
        assert.deepStrictEqual(findings, [
            {
                rule: 0,
                path: "spec.rules[0].from[0].source.principals[0]",
                reason: 'spec.rules[0].from[0].source.principals[0] is "cluster.local/ns/prod": it matches no workload identity (principals are "<trust-domain>/ns/<namespace>/sa/<service-account>").',
            },
            {
                rule: 0,
                path: "spec.rules[0].from[1].source.trustDomains[0]",
                reason: 'spec.rules[0].from[1].source.trustDomains[0] is "a*b*c": a trust domain may hold one "*", only at its start or end (istiod\'s webhook rejects it, and istiod would match any further "*" literally).',
            },
            {
                rule: 0,
                path: "spec.rules[0].from[2].source.serviceAccounts[0]",
                reason: 'spec.rules[0].from[2].source.serviceAccounts[0] is "prod/*": serviceAccounts take no wildcards (istiod\'s webhook rejects it; istiod itself would match the "*" literally).',
            },
        ]);
    });

    it("reports paths with a query string (never part of the matched path)", () => {
        assert.deepStrictEqual(findIneffectiveRules({ rules: [{ to: [{ operation: { paths: ["/search?q=1", "/search"] } }] }] }), [
            {
                rule: 0,
                path: "spec.rules[0].to[0].operation.paths[0]",
                reason: 'spec.rules[0].to[0].operation.paths[0] is "/search?q=1": Envoy matches the path without its query string and fragment, so a value with "?" or "#" never matches.',
            },
        ]);
    });

    it("finds nothing in a well-formed policy", () => {
        assert.deepStrictEqual(
            findIneffectiveRules({
                selector: { matchLabels: { app: "cart" } },
                rules: [
                    {
                        from: [{ source: { principals: ["cluster.local/ns/shop/sa/web"] } }],
                        to: [{ operation: { ports: ["8080"], methods: ["GET"], paths: ["/api/*"] } }],
                    },
                ],
            }),
            [],
        );
    });
});
