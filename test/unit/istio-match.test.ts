import * as assert from "assert";
import { hasInnerWildcard, ipInBlock, isValidPathTemplate, matchPath, matchString } from "../../components/istio";

describe("istio string matching", () => {
    it("'*' alone means present and non-empty", () => {
        assert.strictEqual(matchString("*", "x"), true);
        assert.strictEqual(matchString("*", ""), false);
        assert.strictEqual(matchString("*", undefined), false);
    });

    it("a leading * is a suffix match, a trailing * a prefix match, anything else exact", () => {
        assert.strictEqual(matchString("*.example.com", "api.example.com"), true);
        assert.strictEqual(matchString("*.example.com", "example.com"), false);
        assert.strictEqual(matchString("/api/*", "/api/x"), true);
        assert.strictEqual(matchString("/api/*", "/api/"), true);
        assert.strictEqual(matchString("/api/*", "/api"), false);
        assert.strictEqual(matchString("GET", "GET"), true);
        assert.strictEqual(matchString("GET", "get"), false);
        assert.strictEqual(matchString("x", undefined), false);
    });

    it("an inner * is literal", () => {
        assert.strictEqual(matchString("/api/*/x", "/api/v1/x"), false);
        assert.strictEqual(matchString("/api/*/x", "/api/*/x"), true);
        assert.strictEqual(hasInnerWildcard("/api/*/x"), true);
        assert.strictEqual(hasInnerWildcard("a**"), true);
        assert.strictEqual(hasInnerWildcard("**"), true);
        assert.strictEqual(hasInnerWildcard("*a*"), true);
        assert.strictEqual(hasInnerWildcard("*"), false);
        assert.strictEqual(hasInnerWildcard("*.example.com"), false);
        assert.strictEqual(hasInnerWildcard("/api/*"), false);
        assert.strictEqual(hasInnerWildcard("/api"), false);
    });
});

describe("istio path matching", () => {
    it("applies the string rules and ignores the query string", () => {
        assert.strictEqual(matchPath("/api/*", "/api/x?y=1"), true);
        assert.strictEqual(matchPath("/health", "/health?full=1"), true);
        assert.strictEqual(matchPath("/api/*", "/api"), false);
    });

    it("{*} matches exactly one non-empty segment", () => {
        assert.strictEqual(matchPath("/users/{*}/orders", "/users/42/orders"), true);
        assert.strictEqual(matchPath("/users/{*}/orders", "/users/42/x/orders"), false);
        assert.strictEqual(matchPath("/users/{*}/orders", "/users//orders"), false);
        assert.strictEqual(matchPath("/users/{*}", "/users/42/orders"), false);
    });

    it("{**} matches any run of pchars and slashes, possibly empty (Envoy `**`)", () => {
        assert.strictEqual(matchPath("/files/{**}", "/files/a/b/c"), true);
        assert.strictEqual(matchPath("/files/{**}", "/files/a"), true);
        assert.strictEqual(matchPath("/files/{**}", "/files"), false);
        // issue 11 item 4: Envoy's `**` is `[pchar/]*`, so the empty rest matches.
        assert.strictEqual(matchPath("/files/{**}", "/files/"), true);
        assert.strictEqual(matchPath("/{*}/files/{**}", "/t1/files/x/y"), true);
    });

    // Restated from Envoy's own matching rules (envoyproxy/envoy
    // test/extensions/path/uri_template_lib/uri_template_internal_test.cc: the `*`/`**` operator
    // regexes and the with/without-match tables), written with Istio's `{*}`/`{**}` spelling.
    const ENVOY_TEMPLATE_TABLE: readonly (readonly [pattern: string, path: string, matches: boolean])[] = [
        // `*` = one or more pchars: no empty segment, no `/`, no `*`, no `=`.
        ["/{*}", "/abc.123", true],
        ["/{*}", "/", false],
        ["/{*}", "/abc/123", false],
        ["/{*}", "/*", false],
        ["/{*}", "/**", false],
        ["/{*}", "/abc*123", false],
        ["/{*}", "/a=b", false],
        ["/{*}", "/-._~%20!$&'()+,;:@", true],
        // `**` = pchars and `/`, possibly empty; still no `*` or `=`.
        ["/{**}", "/abc.123", true],
        ["/{**}", "/", true],
        ["/{**}", "/abc/123", true],
        ["/{**}", "/*", false],
        ["/{**}", "/abc*123", false],
        ["/{**}", "/k=v", false],
        // Literal segments match only themselves (regex metacharacters are literal).
        ["/(abc)/{*}", "/(abc)/x", true],
        ["/(abc)+/{*}", "/abc/x", false],
        ["/a.b/{*}", "/aXb/x", false],
        ["/abc$/{*}", "/abc$/x", true],
        // Multi-segment tables.
        ["/api/{*}/{*}/{**}", "/api/v1/1234/broadcasts/get", true],
        ["/api/{*}/{*}/", "/api/v1/1234/", true],
        ["/v1/{**}", "/v1/broadcasts/12345/live", true],
        ["/media/{*}", "/media/eff456/ll-sd-out.js", false],
        ["/api/{*}/v1/{*}", "/api/v1/1234/", false],
        ["/api/{*}/v1/{**}", "/api/v1/1234/", false],
        ["/api/{*}/{*}/{*}", "/api/v1/1234/broadcasts/get", false],
        // A trailing `/` in the template is a required empty last segment.
        ["/api/{*}/", "/api/v1", false],
        ["/api/{**}/", "/api/a/b/", true],
        ["/api/{**}/", "/api/", false],
        // The query string and fragment are stripped before matching.
        ["/api/{*}", "/api/v1?x=a*b", true],
        ["/api/{**}", "/api/#frag", true],
    ];

    it("matches path templates exactly as Envoy's uri_template does", () => {
        const wrong = ENVOY_TEMPLATE_TABLE.filter(([pattern, path, want]) => matchPath(pattern, path) !== want);
        assert.deepStrictEqual(wrong, []);
    });

    it("treats templates Envoy cannot load as invalid (they match nothing)", () => {
        for (const bad of ["/a=b/{*}", "/a//{*}", "//{*}", "/{**}/{*}", "/{**}/{**}", "/a*/{*}", "/{name}/{*}", "/{*}x"]) {
            assert.strictEqual(isValidPathTemplate(bad), false, bad);
            assert.strictEqual(matchPath(bad, "/a=b/x"), false, bad);
        }
        assert.strictEqual(isValidPathTemplate("/{**}/"), true);
    });

    it("validates templates as istiod does", () => {
        assert.strictEqual(isValidPathTemplate("/users/{*}/orders"), true);
        assert.strictEqual(isValidPathTemplate("/files/{**}"), true);
        assert.strictEqual(isValidPathTemplate("/plain/path*"), true);
        // {**} must be the last OPERATOR; literal segments may follow it (istiod CheckValidPathTemplate,
        // Envoy validateNoOperatorAfterTextGlob).
        assert.strictEqual(isValidPathTemplate("/files/{**}/x"), true);
        assert.strictEqual(isValidPathTemplate("/files/{**}/{*}"), false);
        assert.strictEqual(isValidPathTemplate("/a{*}"), false);
        assert.strictEqual(isValidPathTemplate("/{*}/x*"), false);
        assert.strictEqual(isValidPathTemplate("users/{*}"), false);
        assert.strictEqual(matchPath("/files/{**}/x", "/files/a/b/x"), true);
        assert.strictEqual(matchPath("/files/{**}/x", "/files//x"), true);
        assert.strictEqual(matchPath("/files/{**}/x", "/files/x"), false);
    });
});

describe("istio IP blocks", () => {
    it("matches single IPs and CIDR blocks, v4 and v6", () => {
        assert.strictEqual(ipInBlock("10.0.0.0/8", "10.1.2.3"), true);
        assert.strictEqual(ipInBlock("10.0.0.0/8", "11.1.2.3"), false);
        assert.strictEqual(ipInBlock("10.1.2.3", "10.1.2.3"), true);
        assert.strictEqual(ipInBlock("0.0.0.0/0", "203.0.113.7"), true);
        assert.strictEqual(ipInBlock("2001:db8::/32", "2001:db8:1::5"), true);
        assert.strictEqual(ipInBlock("2001:db8::/32", "2001:db9::5"), false);
        assert.strictEqual(ipInBlock("10.0.0.0/8", "2001:db8::1"), false);
        assert.strictEqual(ipInBlock("10.0.0.0/33", "10.0.0.1"), false);
    });
});
