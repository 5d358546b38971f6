import { parsePrincipal } from "./principal";

/**
 * Source identity patterns (`principals`, `namespaces`, `trustDomains`, `serviceAccounts` and the
 * `source.*` conditions) as istiod turns them into Envoy RBAC matchers on the peer's URI SAN
 * `spiffe://<td>/ns/<ns>/sa/<sa>` (pilot/pkg/security/authz/model/generator.go, Istio 1.30):
 *  - principals: matcher.StringMatcherWithPrefix(v, "spiffe://"): `*` = any, `x*` prefix, `*x`
 *    suffix, else exact; any other `*` is literal (matcher/string.go).
 *  - namespaces: regex `.*\/ns/<glob>/.*` where EVERY `*` of the value becomes `.*` — a glob that
 *    may also cross `/` (srcNamespaceGenerator), so `*sa` or `*a` match every namespace.
 *  - trustDomains: `*` = any; no `*` = prefix `spiffe://<td>/`; else the first `*` becomes `[^/]*`
 *    (srcTrustDomainGenerator).
 *  - serviceAccounts: `<ns>/<sa>` or `<sa>` (the policy's namespace), exact, no wildcards
 *    (srcServiceAccountGenerator; the webhook's CheckServiceAccount rejects `*`).
 * The simulator matches with these functions; the pack judges breadth with the *PatternSet
 * functions, which describe the same sets. Both live here so they cannot drift apart.
 */

const SPIFFE = "spiffe://";
// RE2's `.` matches anything but a newline; JavaScript's `.` also excludes \r, \u2028, \u2029.
const ANY = "[^\\n]";

function escapeRegex(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

const regexCache = new Map<string, RegExp>();
function cachedRegex(source: string): RegExp {
    let regex = regexCache.get(source);
    if (regex === undefined) {
        if (regexCache.size > 10_000) regexCache.clear();
        regex = new RegExp(source);
        regexCache.set(source, regex);
    }
    return regex;
}

/** `namespaces` / `source.namespace` against a peer principal (`td/ns/N/sa/S`). */
export function matchNamespacePattern(pattern: string, principal: string | undefined): boolean {
    if (principal === undefined) return false;
    const glob = pattern.split("*").map(escapeRegex).join(`${ANY}*`);
    return cachedRegex(`^${ANY}*\\/ns\\/${glob}\\/${ANY}*$`).test(SPIFFE + principal);
}

/** `trustDomains` / `source.trustDomain` against a peer principal. */
export function matchTrustDomainPattern(pattern: string, principal: string | undefined): boolean {
    if (principal === undefined) return false;
    const uri = SPIFFE + principal;
    if (pattern === "*") return true;
    if (!pattern.includes("*")) return uri.startsWith(`${SPIFFE}${pattern}/`);
    const star = pattern.indexOf("*");
    const source = `^spiffe:\\/\\/${escapeRegex(pattern.slice(0, star))}[^/]*${escapeRegex(pattern.slice(star + 1))}\\/${ANY}*$`;
    return cachedRegex(source).test(uri);
}

/**
 * `serviceAccounts` / `source.serviceAccount` against a peer principal. `value` is `<ns>/<sa>`;
 * a bare `<sa>` means the policy's namespace, so callers pass `policyNamespace` (undefined when
 * unknown: then a bare value cannot be decided and this returns undefined).
 */
export function matchServiceAccountPattern(value: string, principal: string | undefined, policyNamespace: string | undefined): boolean | undefined {
    const slash = value.indexOf("/");
    const namespace = slash < 0 ? policyNamespace : value.slice(0, slash);
    const sa = slash < 0 ? value : value.slice(slash + 1);
    if (principal === undefined) return false;
    if (namespace === undefined) return undefined;
    const source = `^spiffe:\\/\\/${ANY}+\\/ns\\/${escapeRegex(namespace)}\\/(${ANY}+\\/|)sa\\/${escapeRegex(sa)}(\\/${ANY}+)?$`;
    return cachedRegex(source).test(SPIFFE + principal);
}

// ---- what a pattern can match, as a set of identities ----

/** What one name of an identity (trust domain, namespace, service account) may be. */
export type NamePart =
    | { readonly kind: "any" }
    | { readonly kind: "exact"; readonly value: string }
    | { readonly kind: "prefix"; readonly value: string }
    | { readonly kind: "suffix"; readonly value: string }
    /** A `*` glob (namespaces, trust domains): judged as open-ended. */
    | { readonly kind: "glob"; readonly value: string };

/** A set of workload identities: every identity whose three names fit the parts. */
export interface IdentitySet {
    readonly trustDomain: NamePart;
    readonly namespace: NamePart;
    readonly serviceAccount: NamePart;
}

const ANY_PART: NamePart = { kind: "any" };
const EVERY_IDENTITY: IdentitySet = { trustDomain: ANY_PART, namespace: ANY_PART, serviceAccount: ANY_PART };

/** Kubernetes names and trust domains never contain `/` or `*`, so a name with them matches nothing. */
function plainName(s: string): boolean {
    return s !== "" && !/[/*]/.test(s);
}

/** Segment layout of a principal: `<td>/ns/<ns>/sa/<sa>`; undefined marks a name. */
const LAYOUT: readonly (string | undefined)[] = [undefined, "ns", undefined, "sa", undefined];

function setFromParts(parts: readonly NamePart[]): IdentitySet {
    return { trustDomain: parts[0], namespace: parts[2], serviceAccount: parts[4] };
}

/**
 * The identities a `principals` value (or `source.principal` value) matches; undefined = none.
 * `cluster.local/*` → every identity of trust domain cluster.local; `*\/sa/default` → service
 * account default of every namespace; `a*b` → none (an inner `*` is literal).
 */
export function principalPatternSet(pattern: string): IdentitySet | undefined {
    if (pattern === "*") return EVERY_IDENTITY;
    if (pattern.startsWith("*")) return suffixSet(pattern.slice(1));
    if (pattern.endsWith("*")) return prefixSet(pattern.slice(0, -1));
    const id = parsePrincipal(pattern);
    if (id === undefined) return undefined;
    return { trustDomain: exact(id.trustDomain), namespace: exact(id.namespace), serviceAccount: exact(id.serviceAccount) };
}

function exact(value: string): NamePart {
    return { kind: "exact", value };
}

function prefixSet(head: string): IdentitySet | undefined {
    const parts = head.split("/");
    if (parts.length > LAYOUT.length) return undefined;
    const out: NamePart[] = LAYOUT.map(() => ANY_PART);
    const last = parts.length - 1;
    for (let i = 0; i < last; i++) {
        const fixed = LAYOUT[i];
        if (fixed !== undefined ? parts[i] !== fixed : !plainName(parts[i])) return undefined;
        if (fixed === undefined) out[i] = exact(parts[i]);
    }
    const partial = parts[last];
    const fixed = LAYOUT[last];
    if (fixed !== undefined) return fixed.startsWith(partial) ? setFromParts(out) : undefined;
    if (partial === "") return setFromParts(out);
    if (!plainName(partial)) return undefined;
    out[last] = { kind: "prefix", value: partial };
    return setFromParts(out);
}

function suffixSet(tail: string): IdentitySet | undefined {
    const parts = tail.split("/");
    if (parts.length > LAYOUT.length) return undefined;
    const out: NamePart[] = LAYOUT.map(() => ANY_PART);
    const first = LAYOUT.length - parts.length;
    for (let j = 1; j < parts.length; j++) {
        const fixed = LAYOUT[first + j];
        if (fixed !== undefined ? parts[j] !== fixed : !plainName(parts[j])) return undefined;
        if (fixed === undefined) out[first + j] = exact(parts[j]);
    }
    const partial = parts[0];
    const fixed = LAYOUT[first];
    if (fixed !== undefined) return fixed.endsWith(partial) ? setFromParts(out) : undefined;
    if (partial === "") return setFromParts(out);
    if (!plainName(partial)) return undefined;
    out[first] = { kind: "suffix", value: partial };
    return setFromParts(out);
}

/** Full match of a `*` glob (every `*` any run) against a string. */
function globMatches(glob: string, value: string): boolean {
    return cachedRegex(`^${glob.split("*").map(escapeRegex).join(`${ANY}*`)}$`).test(value);
}

/**
 * The identities a `namespaces` value (or `source.namespace` value) matches; undefined = none.
 * istiod's regex `.*\/ns/<glob>/.*` lets the glob match `<ns>` or `<ns>/sa`, so a glob that
 * starts with `*` and whose rest matches "", "a", "sa" or "/sa" matches EVERY namespace.
 */
export function namespacePatternSet(pattern: string): IdentitySet | undefined {
    const withNamespace = (namespace: NamePart): IdentitySet => ({ trustDomain: ANY_PART, namespace, serviceAccount: ANY_PART });
    if (pattern === "*") return EVERY_IDENTITY;
    if (!pattern.includes("*")) {
        if (plainName(pattern)) return withNamespace(exact(pattern));
        const viaSa = /^([^/*]+)\/sa$/.exec(pattern);
        return viaSa === null ? undefined : withNamespace(exact(viaSa[1]));
    }
    if (pattern.startsWith("*") && ["", "a", "sa", "/sa"].some((rest) => globMatches(pattern.slice(1), rest))) return EVERY_IDENTITY;
    const stars = pattern.split("*").length - 1;
    if (stars === 1 && !pattern.includes("/")) {
        if (pattern.endsWith("*")) return withNamespace({ kind: "prefix", value: pattern.slice(0, -1) });
        if (pattern.startsWith("*")) return withNamespace({ kind: "suffix", value: pattern.slice(1) });
    }
    return withNamespace({ kind: "glob", value: pattern });
}

/** The identities a `trustDomains` value (or `source.trustDomain` value) matches; undefined = none. */
export function trustDomainPatternSet(pattern: string): IdentitySet | undefined {
    const withTrustDomain = (trustDomain: NamePart): IdentitySet => ({ trustDomain, namespace: ANY_PART, serviceAccount: ANY_PART });
    if (pattern === "*") return EVERY_IDENTITY;
    if (pattern.includes("/")) return undefined;
    if (!pattern.includes("*")) return withTrustDomain(exact(pattern));
    const star = pattern.indexOf("*");
    const head = pattern.slice(0, star);
    const tail = pattern.slice(star + 1);
    if (tail.includes("*")) return undefined; // the second `*` is literal, and trust domains never contain one
    if (head === "") return withTrustDomain({ kind: "suffix", value: tail });
    if (tail === "") return withTrustDomain({ kind: "prefix", value: head });
    return withTrustDomain({ kind: "glob", value: pattern });
}

/** The identities a `serviceAccounts` value matches: always one service account of one namespace. */
export function serviceAccountPatternSet(value: string, policyNamespace: string | undefined): IdentitySet | undefined {
    const slash = value.indexOf("/");
    const namespace = slash < 0 ? policyNamespace ?? "<the policy's namespace>" : value.slice(0, slash);
    const sa = slash < 0 ? value : value.slice(slash + 1);
    if (value.includes("*") || sa === "" || namespace === "") return undefined;
    return { trustDomain: ANY_PART, namespace: exact(namespace), serviceAccount: exact(sa) };
}

/**
 * How far a set of identities reaches, from widest to narrowest: every namespace (of some trust
 * domains), an open-ended set of namespaces (a wildcard on the namespace name, so namespaces
 * created later with a fitting name are in), or named namespaces only.
 */
export type IdentityReach = "every-namespace" | "open-namespaces" | "named-namespaces";

export function identityReach(set: IdentitySet): IdentityReach {
    if (set.namespace.kind === "any") return "every-namespace";
    return set.namespace.kind === "exact" ? "named-namespaces" : "open-namespaces";
}

function describePart(part: NamePart, noun: string): string {
    switch (part.kind) {
        case "any":
            return `every ${noun}`;
        case "exact":
            return `${noun} ${JSON.stringify(part.value)}`;
        case "prefix":
            return `every ${noun} whose name starts with ${JSON.stringify(part.value)}`;
        case "suffix":
            return `every ${noun} whose name ends with ${JSON.stringify(part.value)}`;
        case "glob":
            return `every ${noun} whose name matches the glob ${JSON.stringify(part.value)}`;
    }
}

/** A phrase for a set of identities: "every workload identity of trust domain \"cluster.local\"". */
export function describeIdentitySet(set: IdentitySet): string {
    const who =
        set.serviceAccount.kind === "any"
            ? "every workload identity"
            : set.serviceAccount.kind === "exact"
              ? `the service account ${JSON.stringify(set.serviceAccount.value)}`
              : `${describePart(set.serviceAccount, "service account")}`;
    const where = set.namespace.kind === "any" ? (set.serviceAccount.kind === "any" ? "" : " in every namespace") : ` of ${describePart(set.namespace, "namespace")}`;
    const everyone = set.namespace.kind === "any" && set.serviceAccount.kind === "any";
    const domain = set.trustDomain.kind === "any" ? (everyone ? " of every trust domain" : "") : ` of ${describePart(set.trustDomain, "trust domain")}`;
    return `${who}${where}${domain}`;
}

/** True when every identity of `inner` is in `outer` (decided per name; fail closed: false when unsure). */
export function identitySetCovers(outer: IdentitySet, inner: IdentitySet): boolean {
    return partCovers(outer.trustDomain, inner.trustDomain) && partCovers(outer.namespace, inner.namespace) && partCovers(outer.serviceAccount, inner.serviceAccount);
}

function partCovers(outer: NamePart, inner: NamePart): boolean {
    if (outer.kind === "any") return true;
    if (inner.kind === "any" || inner.kind === "glob" || outer.kind === "glob") return false;
    if (outer.kind === "exact") return inner.kind === "exact" && inner.value === outer.value;
    if (outer.kind === "prefix") return (inner.kind === "exact" || inner.kind === "prefix") && inner.value.startsWith(outer.value);
    return (inner.kind === "exact" || inner.kind === "suffix") && inner.value.endsWith(outer.value);
}

/**
 * True when the identity is in the set. A namespace glob also matches when it fits `<ns>/sa`, as
 * istiod's regex `.*\/ns/<glob>/.*` allows.
 */
export function identityInSet(set: IdentitySet, id: { readonly trustDomain: string; readonly namespace: string; readonly serviceAccount: string }): boolean {
    return (
        partHolds(set.trustDomain, id.trustDomain, false) &&
        partHolds(set.namespace, id.namespace, true) &&
        partHolds(set.serviceAccount, id.serviceAccount, false)
    );
}

function partHolds(part: NamePart, name: string, namespaceGlob: boolean): boolean {
    switch (part.kind) {
        case "any":
            return true;
        case "exact":
            return name === part.value;
        case "prefix":
            return name.startsWith(part.value);
        case "suffix":
            return name.endsWith(part.value);
        case "glob":
            return namespaceGlob ? globMatches(part.value, name) || globMatches(part.value, `${name}/sa`) : trustDomainGlob(part.value, name);
    }
}

/** A trust-domain pattern's first `*` is `[^/]*` (srcTrustDomainGenerator). */
function trustDomainGlob(pattern: string, name: string): boolean {
    const star = pattern.indexOf("*");
    const head = pattern.slice(0, star);
    const tail = pattern.slice(star + 1);
    return name.length >= head.length + tail.length && name.startsWith(head) && name.endsWith(tail) && !name.includes("/");
}
