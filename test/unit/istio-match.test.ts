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

    it("{**} matches the rest of the path, one or more segments", () => {
        assert.strictEqual(matchPath("/files/{**}", "/files/a/b/c"), true);
        assert.strictEqual(matchPath("/files/{**}", "/files/a"), true);
        assert.strictEqual(matchPath("/files/{**}", "/files"), false);
        assert.strictEqual(matchPath("/files/{**}", "/files/"), false);
        assert.strictEqual(matchPath("/{*}/files/{**}", "/t1/files/x/y"), true);
    });

    it("validates templates as istiod does", () => {
        assert.strictEqual(isValidPathTemplate("/users/{*}/orders"), true);
        assert.strictEqual(isValidPathTemplate("/files/{**}"), true);
        assert.strictEqual(isValidPathTemplate("/plain/path*"), true);
        assert.strictEqual(isValidPathTemplate("/files/{**}/x"), false);
        assert.strictEqual(isValidPathTemplate("/a{*}"), false);
        assert.strictEqual(isValidPathTemplate("/{*}/x*"), false);
        assert.strictEqual(isValidPathTemplate("users/{*}"), false);
        assert.strictEqual(matchPath("/files/{**}/x", "/files/a/x"), false);
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
