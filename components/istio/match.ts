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

/** True when the pattern uses the path-template operators `{*}` / `{**}` (Istio ≥ 1.22). */
export function isPathTemplate(pattern: string): boolean {
    return pattern.includes("{*}") || pattern.includes("{**}");
}

/**
 * Whether a path template is one istiod accepts: it starts with `/`, every operator fills a whole
 * segment, `{**}` appears at most once and only as the last segment, and no other `*`, `{` or `}`
 * is used. Patterns without operators are plain Istio strings and are valid.
 */
export function isValidPathTemplate(pattern: string): boolean {
    if (!isPathTemplate(pattern)) return true;
    if (!pattern.startsWith("/")) return false;
    const segments = pattern.slice(1).split("/");
    for (let i = 0; i < segments.length; i++) {
        const segment = segments[i];
        if (segment === REST) {
            if (i !== segments.length - 1) return false;
        } else if (segment !== ONE_SEGMENT && /[*{}]/.test(segment)) {
            return false;
        }
    }
    return true;
}

/**
 * Istio path match: the string rules of matchString plus path templates, where `{*}` matches
 * exactly one non-empty segment and `{**}` (last segment only) matches the rest of the path, one
 * or more segments. The query string is not part of the path. An invalid template matches nothing.
 */
export function matchPath(pattern: string, path: string): boolean {
    const bare = stripQuery(path);
    if (!isPathTemplate(pattern)) return matchString(pattern, bare);
    if (!isValidPathTemplate(pattern) || !bare.startsWith("/")) return false;
    const want = pattern.slice(1).split("/");
    const have = bare.slice(1).split("/");
    for (let i = 0; i < want.length; i++) {
        const segment = want[i];
        if (segment === REST) return have.length > i && have.slice(i).join("/") !== "";
        if (i >= have.length) return false;
        if (segment === ONE_SEGMENT ? have[i] === "" : have[i] !== segment) return false;
    }
    return have.length === want.length;
}

/** The path without its query string or fragment. */
export function stripQuery(path: string): string {
    const cut = path.search(/[?#]/);
    return cut < 0 ? path : path.slice(0, cut);
}
