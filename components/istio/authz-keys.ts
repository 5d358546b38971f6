import { AuthzAttributes } from "./attributes";
import { ipInBlock, parseIpBlock } from "./ip";
import { matchNamespacePattern, matchServiceAccountPattern, matchTrustDomainPattern } from "./identity-patterns";
import { isValidPathTemplate, matchPath, matchString } from "./match";

/** Three-valued match: `unknown` when the request lacks what the constraint needs (e.g. an IP). */
export type Tri = "match" | "no-match" | "unknown";

/**
 * How one attribute of an AuthorizationPolicy is matched. Mirrors istiod's generators
 * (pilot/pkg/security/authz/model): which keys are HTTP-only (an error for TCP filter chains) and
 * which values are rejected when the Envoy config is generated.
 */
export interface KeySemantics {
    /** Name as written in the policy (`paths`, `request.headers[x-user]`). */
    readonly key: string;
    /** HTTP-only: istiod cannot express it for TCP traffic. */
    readonly httpOnly: boolean;
    /** Why istiod cannot generate a matcher for this value, or undefined when it can. */
    readonly invalid: (value: string) => string | undefined;
    readonly test: (value: string, attrs: AuthzAttributes) => Tri;
}

const tri = (b: boolean): Tri => (b ? "match" : "no-match");
const valid = (): undefined => undefined;

function ipTest(pick: (a: AuthzAttributes) => string | undefined) {
    return (value: string, attrs: AuthzAttributes): Tri => {
        const ip = pick(attrs);
        return ip === undefined ? "unknown" : tri(ipInBlock(value, ip));
    };
}
const invalidIp = (value: string) => (parseIpBlock(value) === undefined ? `"${value}" is not an IP address or CIDR block` : undefined);
const invalidPort = (value: string) =>
    /^\d+$/.test(value) && Number(value) <= 65535 ? undefined : `"${value}" is not a port number (0-65535)`;
const sourceIp = (a: AuthzAttributes) => a.sourceIp;
const remoteIp = (a: AuthzAttributes) => a.remoteIp ?? a.sourceIp;

function jwtClaim(attrs: AuthzAttributes, path: readonly string[]): unknown {
    let current: unknown = attrs.requestAuth?.claims;
    for (const segment of path) {
        if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
        current = (current as Record<string, unknown>)[segment];
    }
    return current;
}

/** Claim values Istio compares: a string, or each string of a list. */
function claimStrings(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
    return [];
}

function claimTest(path: readonly string[]) {
    return (value: string, attrs: AuthzAttributes): Tri =>
        tri(claimStrings(jwtClaim(attrs, path)).some((claim) => matchString(value, claim)));
}

function headerValue(attrs: AuthzAttributes, name: string): string | undefined {
    const wanted = name.toLowerCase();
    for (const [k, v] of Object.entries(attrs.headers ?? {})) {
        if (k.toLowerCase() === wanted) return v;
    }
    return undefined;
}

/**
 * Header-style match (istiod matcher/header.go HeaderMatcher/HostMatcher): `*` is Envoy's
 * present_match, so it matches a header that is present even with an empty value; otherwise the
 * Istio string rules (suffix, prefix, exact). Hosts compare case-insensitively (ignore_case) and the
 * port is NOT stripped: `example.com` does not match `example.com:8080`.
 */
function headerMatch(pattern: string, value: string | undefined, ignoreCase = false): boolean {
    if (value === undefined) return false;
    if (pattern === "*") return true;
    return ignoreCase ? matchString(pattern.toLowerCase(), value.toLowerCase()) : matchString(pattern, value);
}

/**
 * `requestPrincipals` / `request.auth.principal` as istiod's requestPrincipalGenerator matches
 * them: the value splits at its LAST `/` into issuer and subject, each matched on its own claim
 * (`*` = any non-empty, a leading/trailing `*` = suffix/prefix), so an issuer URL may hold `/`.
 */
export function matchRequestPrincipal(pattern: string, iss: string | undefined, sub: string | undefined): boolean {
    if (iss === undefined || sub === undefined) return false;
    const cut = pattern.lastIndexOf("/");
    const found = cut >= 0;
    const [pIss, pSub] = found ? [pattern.slice(0, cut), pattern.slice(cut + 1)] : [pattern, ""];
    const nonEmpty = (s: string) => s !== "";
    if (pattern === "*") return nonEmpty(iss) && nonEmpty(sub);
    if (pattern.startsWith("*")) {
        if (!found) return nonEmpty(iss) && sub.endsWith(pattern.slice(1));
        return (pIss === "*" ? nonEmpty(iss) : iss.endsWith(pIss.slice(1))) && sub === pSub;
    }
    if (pattern.endsWith("*")) {
        if (!found) return iss.startsWith(pattern.slice(0, -1)) && nonEmpty(sub);
        return iss === pIss && (pSub === "*" ? nonEmpty(sub) : sub.startsWith(pSub.slice(0, -1)));
    }
    return iss === pIss && sub === pSub;
}

function requestPrincipalTest(v: string, a: AuthzAttributes): Tri {
    const claims = a.requestAuth?.claims;
    const iss = typeof claims?.["iss"] === "string" ? claims["iss"] : undefined;
    const sub = typeof claims?.["sub"] === "string" ? claims["sub"] : undefined;
    return tri(matchRequestPrincipal(v, iss, sub));
}

function key(name: string, httpOnly: boolean, test: KeySemantics["test"], invalid: KeySemantics["invalid"] = valid): KeySemantics {
    return { key: name, httpOnly, test, invalid };
}

// The peer identity matchers istiod generates (see identity-patterns.ts for the sources).
const principalTest = (v: string, a: AuthzAttributes): Tri => tri(matchString(v, a.peer?.principal));
const namespaceTest = (v: string, a: AuthzAttributes): Tri => tri(matchNamespacePattern(v, a.peer?.principal));
const trustDomainTest = (v: string, a: AuthzAttributes): Tri => tri(matchTrustDomainPattern(v, a.peer?.principal));
/** Values are qualified with the policy namespace when compiled (authz-rule `qualify`); a bare one is undecidable. */
const serviceAccountTest = (v: string, a: AuthzAttributes): Tri => {
    const r = matchServiceAccountPattern(v, a.peer?.principal, undefined);
    return r === undefined ? "unknown" : tri(r);
};

/** `source.*` fields. The mTLS-only ones compare against nothing for plaintext peers (so only `not*` variants match). */
export const SOURCE_KEYS: Readonly<Record<string, KeySemantics>> = {
    principals: key("principals", false, principalTest),
    namespaces: key("namespaces", false, namespaceTest),
    trustDomains: key("trustDomains", false, trustDomainTest),
    serviceAccounts: key("serviceAccounts", false, serviceAccountTest),
    requestPrincipals: key("requestPrincipals", true, requestPrincipalTest),
    ipBlocks: key("ipBlocks", false, ipTest(sourceIp), invalidIp),
    remoteIpBlocks: key("remoteIpBlocks", false, ipTest(remoteIp), invalidIp),
};

/** `operation.*` fields. */
export const OPERATION_KEYS: Readonly<Record<string, KeySemantics>> = {
    hosts: key("hosts", true, (v, a) => tri(headerMatch(v, a.host, true))),
    ports: key("ports", false, (v, a) => tri(v === String(a.port)), invalidPort),
    // Methods are the `:method` header, case-sensitive.
    methods: key("methods", true, (v, a) => tri(headerMatch(v, a.method))),
    paths: key("paths", true, (v, a) => tri(a.path !== undefined && matchPath(v, a.path)), (v) =>
        isValidPathTemplate(v) ? undefined : `"${v}" is not a valid path template ({*} whole segments, {**} last only)`,
    ),
};

const CLAIM_KEY = /^request\.auth\.claims((?:\[[^\][]+\])+)$/;
const HEADER_KEY = /^request\.headers\[([^\][]+)\]$/;

/**
 * The semantics of a `when` condition key, or undefined for a key istiod does not know (it then
 * drops the whole rule: model.New fails with "unknown attribute", for every action).
 * `experimental.envoy.filters.*` reads Envoy metadata the simulator cannot see: always unknown.
 */
export function conditionKey(name: string): KeySemantics | undefined {
    const header = HEADER_KEY.exec(name);
    if (header !== null) return key(name, true, (v, a) => tri(headerMatch(v, headerValue(a, header[1]))));
    const claim = CLAIM_KEY.exec(name);
    if (claim !== null) {
        const path = claim[1].slice(1, -1).split("][");
        return key(name, true, claimTest(path));
    }
    if (name.startsWith("experimental.envoy.filters.")) return key(name, false, () => "unknown");
    switch (name) {
        case "source.ip":
            return key(name, false, ipTest(sourceIp), invalidIp);
        case "remote.ip":
            return key(name, false, ipTest(remoteIp), invalidIp);
        case "destination.ip":
            return key(name, false, ipTest((a) => a.destinationIp), invalidIp);
        case "destination.port":
            return key(name, false, (v, a) => tri(v === String(a.port)), invalidPort);
        case "source.namespace":
            return key(name, false, namespaceTest);
        case "source.principal":
            return key(name, false, principalTest);
        // Istio ≥ 1.29 (pilot/pkg/security/authz/model/model.go attrSrcServiceAccount, attrSrcTrustDomain).
        case "source.serviceAccount":
            return key(name, false, serviceAccountTest);
        case "source.trustDomain":
            return key(name, false, trustDomainTest);
        case "connection.sni":
            return key(name, false, (v, a) => tri(matchString(v, a.sni)));
        case "request.auth.principal":
            return key(name, true, requestPrincipalTest);
        case "request.auth.audiences":
            return key(name, true, claimTest(["aud"]));
        case "request.auth.presenter":
            return key(name, true, claimTest(["azp"]));
        default:
            return undefined;
    }
}
