/** A workload identity as Istio writes it in principals: `<trust-domain>/ns/<ns>/sa/<sa>`. */
export interface IstioPrincipal {
    readonly trustDomain: string;
    readonly namespace: string;
    readonly serviceAccount: string;
}

/**
 * Parses an Istio principal. Returns undefined for anything else, including the `spiffe://` form
 * (Istio principals are written WITHOUT the scheme) and patterns containing `*`.
 */
export function parsePrincipal(p: string): IstioPrincipal | undefined {
    const match = /^([^/*]+)\/ns\/([^/*]+)\/sa\/([^/*]+)$/.exec(p);
    if (match === null || p.startsWith("spiffe:")) return undefined;
    return { trustDomain: match[1], namespace: match[2], serviceAccount: match[3] };
}

/** The principal string of an identity. */
export function formatPrincipal(id: IstioPrincipal): string {
    return `${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}`;
}
