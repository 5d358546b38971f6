/**
 * Istio's string matching for AuthorizationPolicy fields (principals, namespaces, hosts, methods,
 * paths, header and claim values): `*` alone = present (non-empty), a leading `*` = suffix, a
 * trailing `*` = prefix, anything else exact. A `*` anywhere else is matched literally.
 */

/** True when a `*` appears somewhere Istio matches it literally (`/api/*\/x`, `a**`, `*a*`). */
export function hasInnerWildcard(value: string): boolean {
    if (value === "*") return false;
    const inner = value.startsWith("*") ? value.slice(1) : value.endsWith("*") ? value.slice(0, -1) : value;
    return inner.includes("*");
}

/** Istio string match; an absent value never matches, not even the presence wildcard. */
export function matchString(pattern: string, value: string | undefined): boolean {
    if (value === undefined) return false;
    if (pattern === "*") return value !== "";
    if (pattern.startsWith("*")) return value.endsWith(pattern.slice(1));
    if (pattern.endsWith("*")) return value.startsWith(pattern.slice(0, -1));
    return value === pattern;
}

const ONE_SEGMENT = "{*}";
const REST = "{**}";

/**
 * Envoy's URI-template pchar set (RFC 3986 pchar without `*` and `=`):
 * envoyproxy/envoy source/extensions/path/uri_template_lib/uri_template_internal.cc `kLiteral`.
 * istiod's webhook (pkg/config/security CheckValidPathTemplate) also allows `=` in literal
 * segments, but Envoy then rejects the template, so meshguard treats such a template as invalid.
 */
const PCHARS = "A-Za-z0-9\\-._~%!$&'()+,;:@";
const LITERAL_SEGMENT = new RegExp(`^[${PCHARS}]+$`);
/** `{*}` → Envoy `*`: one or more pchars (never empty, never `/`). */
const ONE_SEGMENT_REGEX = `[${PCHARS}]+`;
/** `{**}` → Envoy `**`: any run of pchars and `/`, possibly empty. */
const REST_REGEX = `[${PCHARS}/]*`;

/** True when the pattern uses the path-template operators `{*}` / `{**}` (Istio ≥ 1.22). */
export function isPathTemplate(pattern: string): boolean {
    return pattern.includes(ONE_SEGMENT) || pattern.includes(REST);
}

/**
 * The segments of a valid path template (after the leading `/`), or undefined when istiod or
 * Envoy rejects it: it must start with `/`; every segment is `{*}`, `{**}` or a non-empty run of
 * Envoy pchars; `{**}` appears at most once and no operator follows it; only the last segment may
 * be empty (a trailing `/`, which Envoy keeps as an empty literal).
 */
function templateSegments(pattern: string): string[] | undefined {
    if (!pattern.startsWith("/")) return undefined;
    const segments = pattern.slice(1).split("/");
    let sawRest = false;
    for (let i = 0; i < segments.length; i++) {
        const segment = segments[i];
        if (segment === REST || segment === ONE_SEGMENT) {
            if (sawRest) return undefined;
            sawRest = segment === REST;
        } else if (segment === "" ? i !== segments.length - 1 || i === 0 : !LITERAL_SEGMENT.test(segment)) {
            return undefined;
        }
    }
    return segments;
}

/**
 * Whether a path template is one istiod accepts and Envoy can load (see templateSegments).
 * Patterns without operators are plain Istio strings and are valid.
 */
export function isValidPathTemplate(pattern: string): boolean {
    return !isPathTemplate(pattern) || templateSegments(pattern) !== undefined;
}

const templateRegexCache = new Map<string, RegExp | null>();

/** The anchored regex Envoy builds for a template (uri_template_internal.cc toRegexPattern), or null when invalid. */
function templateRegex(pattern: string): RegExp | null {
    let regex = templateRegexCache.get(pattern);
    if (regex === undefined) {
        const segments = templateSegments(pattern);
        regex =
            segments === undefined
                ? null
                : new RegExp(
                      `^/${segments
                          .map((s) => (s === ONE_SEGMENT ? ONE_SEGMENT_REGEX : s === REST ? REST_REGEX : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
                          .join("/")}$`,
                  );
        if (templateRegexCache.size > 10_000) templateRegexCache.clear();
        templateRegexCache.set(pattern, regex);
    }
    return regex;
}

/**
 * Istio path match: the string rules of matchString, or for a path template Envoy's uri_template
 * match (istiod pilot/pkg/security/authz/matcher/template.go turns `{*}` into `*` and `{**}` into
 * `**`): `{*}` matches one segment of one or more pchars, `{**}` any run of pchars and `/`,
 * possibly empty, so `/api/{**}` matches `/api/` and `/api/a/b` but not `/api`. The query string
 * and fragment are not part of the path (Envoy strips them before matching). An invalid template
 * matches nothing.
 */
export function matchPath(pattern: string, path: string): boolean {
    const bare = stripQuery(path);
    if (!isPathTemplate(pattern)) return matchString(pattern, bare);
    return templateRegex(pattern)?.test(bare) ?? false;
}

/** The path without its query string or fragment. */
export function stripQuery(path: string): string {
    const cut = path.search(/[?#]/);
    return cut < 0 ? path : path.slice(0, cut);
}
