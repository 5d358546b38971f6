/**
 * What an AuthorizationPolicy rule can see of one request, after authentication: the peer
 * identity (only with mTLS), the validated JWT (only when a RequestAuthentication accepted it),
 * the connection and, for HTTP, the request line and headers.
 */
export interface AuthzAttributes {
    readonly protocol: "http" | "tcp";
    /** Destination (container) port. */
    readonly port: number;
    /** The mTLS peer; undefined for plaintext, where principals/namespaces never match. */
    readonly peer?: PeerIdentity;
    /** The validated JWT; undefined when the request carries none (or none was validated). */
    readonly requestAuth?: RequestAuthIdentity;
    readonly method?: string;
    readonly path?: string;
    readonly host?: string;
    /** Request headers; names are matched case-insensitively. */
    readonly headers?: Readonly<Record<string, string>>;
    /** Caller IP (source.ip / ipBlocks); when absent, IP conditions are undetermined. */
    readonly sourceIp?: string;
    /** Original client IP (remote.ip / remoteIpBlocks); defaults to sourceIp. */
    readonly remoteIp?: string;
    readonly destinationIp?: string;
    /** TLS server name of the connection (connection.sni). */
    readonly sni?: string;
}

export interface PeerIdentity {
    /** `<trust-domain>/ns/<namespace>/sa/<service-account>`. */
    readonly principal: string;
    readonly trustDomain: string;
    readonly namespace: string;
    readonly serviceAccount: string;
}

export interface RequestAuthIdentity {
    /** `<iss>/<sub>`. */
    readonly principal: string;
    readonly claims: Readonly<Record<string, unknown>>;
}
