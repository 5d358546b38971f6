import * as assert from "assert";
import { AuthzAttributes, conditionKey, hasInnerWildcard, ipInBlock, isValidPathTemplate, KeySemantics, matchPath, matchRequestPrincipal, matchString, OPERATION_KEYS } from "../../components/istio";

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

describe("istio operation and header matching edge cases (istiod matcher/header.go)", () => {
    const test = (semantics: KeySemantics, value: string, attrs: Partial<AuthzAttributes>) => semantics.test(value, { protocol: "http", port: 80, ...attrs });

    it("hosts: case-insensitive, `*` = present, and the port is part of the Host header", () => {
        const hosts = OPERATION_KEYS["hosts"];
        assert.strictEqual(test(hosts, "API.Example.com", { host: "api.example.COM" }), "match");
        assert.strictEqual(test(hosts, "*.EXAMPLE.com", { host: "api.example.com" }), "match");
        assert.strictEqual(test(hosts, "api.example.com", { host: "api.example.com:8080" }), "no-match");
        assert.strictEqual(test(hosts, "api.example.com*", { host: "api.example.com:8080" }), "match");
        assert.strictEqual(test(hosts, "*", { host: "" }), "match");
        assert.strictEqual(test(hosts, "*", {}), "no-match");
    });

    it("methods: case-sensitive exact, `*` = present", () => {
        const methods = OPERATION_KEYS["methods"];
        assert.strictEqual(test(methods, "GET", { method: "GET" }), "match");
        assert.strictEqual(test(methods, "get", { method: "GET" }), "no-match");
        assert.strictEqual(test(methods, "*", { method: "PATCH" }), "match");
    });

    it("ports: exact numbers only; a wildcard is a value istiod cannot generate", () => {
        const ports = OPERATION_KEYS["ports"];
        assert.strictEqual(test(ports, "8080", { port: 8080 }), "match");
        assert.strictEqual(test(ports, "080", { port: 80 }), "no-match");
        assert.strictEqual(ports.invalid("80*"), '"80*" is not a port number (0-65535)');
    });

    it("request headers: `*` is Envoy's present_match (an empty value is present)", () => {
        const header = conditionKey("request.headers[X-Env]") as KeySemantics;
        assert.strictEqual(test(header, "*", { headers: { "x-env": "" } }), "match");
        assert.strictEqual(test(header, "*", { headers: {} }), "no-match");
        assert.strictEqual(test(header, "prod", { headers: { "x-env": "PROD" } }), "no-match");
    });

    it("paths: the query string is never part of the matched path", () => {
        const paths = OPERATION_KEYS["paths"];
        assert.strictEqual(test(paths, "/api", { path: "/api?x=1" }), "match");
        assert.strictEqual(test(paths, "/api?x=1", { path: "/api?x=1" }), "no-match");
    });

    it("requestPrincipals: split at the last `/` into issuer and subject (istiod requestPrincipalGenerator)", () => {
        const iss = "https://id.example.com/tenant";
        assert.strictEqual(matchRequestPrincipal("*", iss, "alice"), true);
        assert.strictEqual(matchRequestPrincipal("*", iss, ""), false);
        assert.strictEqual(matchRequestPrincipal(`${iss}/*`, iss, "alice"), true);
        assert.strictEqual(matchRequestPrincipal(`${iss}/al*`, iss, "alice"), true);
        assert.strictEqual(matchRequestPrincipal("https://id.example.com/*", iss, "alice"), false);
        assert.strictEqual(matchRequestPrincipal("*/alice", iss, "alice"), true);
        assert.strictEqual(matchRequestPrincipal("*tenant/alice", iss, "alice"), true);
        assert.strictEqual(matchRequestPrincipal(`${iss}/alice`, iss, "alice"), true);
        assert.strictEqual(matchRequestPrincipal(`${iss}/alice`, iss, undefined), false);
    });
});
