/**
 * Literal segments of an AuthorizationPolicy path template. istiod's `CheckValidPathTemplate`
 * (pkg/config/security/security.go) trims the leading and trailing `/`, splits on `/`, and requires
 * every segment that is not `{*}` or `{**}` to match `validLiteral` — Envoy's pchar set for
 * `uri_template` (source/extensions/path/uri_template_lib/uri_template_internal.cc, `kLiteral`).
 * An empty segment (`//`) fails that pattern too.
 */
const TEMPLATE_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;

export const TEMPLATE_LITERAL_CHARACTERS = "letters, digits and - . _ ~ % ! $ & ' ( ) + , ; : @ =";

/** The first literal segment of a path template that istiod refuses, or undefined. */
export function invalidTemplateLiteral(path: string): string | undefined {
    const trimmed = path.replace(/^\/+/, "").replace(/\/+$/, "");
    return trimmed.split("/").find((segment) => segment !== "{*}" && segment !== "{**}" && !TEMPLATE_LITERAL.test(segment));
}
