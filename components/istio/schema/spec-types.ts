// The Istio spec types meshguard reads and checks, written out as plain TypeScript so the published
// declarations never mention zod (see issue 12: zod's declarations need esModuleInterop or
// skipLibCheck). The schemas in this folder parse to exactly these types:
// test/model/public-types.test.ts proves it at compile time.

export const ISTIO_MTLS_MODES = ["UNSET", "DISABLE", "PERMISSIVE", "STRICT"] as const;
export const ISTIO_AUTHORIZATION_ACTIONS = ["ALLOW", "DENY", "AUDIT", "CUSTOM"] as const;
export const ISTIO_CLIENT_TLS_MODES = ["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"] as const;

export type IstioWorkloadSelector = {
    matchLabels?: Record<string, string> | undefined;
};

export type IstioPolicyTargetReference = {
    kind: string;
    name: string;
    group?: string | undefined;
    namespace?: string | undefined;
};

export type IstioJwtRule = {
    issuer?: string | undefined;
    audiences?: string[] | undefined;
    jwksUri?: string | undefined;
    jwks_uri?: string | undefined;
    jwks?: string | undefined;
    fromHeaders?: {
        name: string;
        prefix?: string | undefined;
    }[] | undefined;
    fromParams?: string[] | undefined;
    fromCookies?: string[] | undefined;
    outputPayloadToHeader?: string | undefined;
    forwardOriginalToken?: boolean | undefined;
    outputClaimToHeaders?: {
        header: string;
        claim: string;
    }[] | undefined;
    spaceDelimitedClaims?: string[] | undefined;
    timeout?: string | undefined;
};

export type IstioPeerAuthenticationSpec = {
    mtls?: {
        mode?: (typeof ISTIO_MTLS_MODES)[number] | undefined;
    } | undefined;
    portLevelMtls?: Record<string, {
        mode?: (typeof ISTIO_MTLS_MODES)[number] | undefined;
    }> | undefined;
    selector?: IstioWorkloadSelector | undefined;
};

export type IstioRequestAuthenticationSpec = {
    jwtRules?: IstioJwtRule[] | undefined;
    selector?: IstioWorkloadSelector | undefined;
    targetRef?: IstioPolicyTargetReference | undefined;
    targetRefs?: IstioPolicyTargetReference[] | undefined;
};

export type IstioSource = {
    principals?: string[] | undefined;
    notPrincipals?: string[] | undefined;
    requestPrincipals?: string[] | undefined;
    notRequestPrincipals?: string[] | undefined;
    namespaces?: string[] | undefined;
    notNamespaces?: string[] | undefined;
    serviceAccounts?: string[] | undefined;
    notServiceAccounts?: string[] | undefined;
    trustDomains?: string[] | undefined;
    notTrustDomains?: string[] | undefined;
    ipBlocks?: string[] | undefined;
    notIpBlocks?: string[] | undefined;
    remoteIpBlocks?: string[] | undefined;
    notRemoteIpBlocks?: string[] | undefined;
};

export type IstioOperation = {
    hosts?: string[] | undefined;
    notHosts?: string[] | undefined;
    ports?: string[] | undefined;
    notPorts?: string[] | undefined;
    methods?: string[] | undefined;
    notMethods?: string[] | undefined;
    paths?: string[] | undefined;
    notPaths?: string[] | undefined;
};

export type IstioCondition = {
    key: string;
    values?: string[] | undefined;
    notValues?: string[] | undefined;
};

export type IstioRule = {
    from?: {
        source?: IstioSource | undefined;
    }[] | undefined;
    to?: {
        operation?: IstioOperation | undefined;
    }[] | undefined;
    when?: IstioCondition[] | undefined;
};

export type IstioAuthorizationPolicySpec = {
    action?: (typeof ISTIO_AUTHORIZATION_ACTIONS)[number] | undefined;
    provider?: {
        name?: string | undefined;
    } | undefined;
    rules?: IstioRule[] | undefined;
    selector?: IstioWorkloadSelector | undefined;
    targetRef?: IstioPolicyTargetReference | undefined;
    targetRefs?: IstioPolicyTargetReference[] | undefined;
};

export type IstioClientTls = {
    mode?: (typeof ISTIO_CLIENT_TLS_MODES)[number] | undefined;
    caCertificates?: string | undefined;
    caCrl?: string | undefined;
    clientCertificate?: string | undefined;
    credentialName?: string | undefined;
    insecureSkipVerify?: boolean | undefined;
    privateKey?: string | undefined;
    sni?: string | undefined;
    subjectAltNames?: string[] | undefined;
};

export type IstioTrafficPolicy = {
    connectionPool?: Record<string, unknown> | undefined;
    loadBalancer?: Record<string, unknown> | undefined;
    outlierDetection?: Record<string, unknown> | undefined;
    portLevelSettings?: {
        port?: {
            number?: number | undefined;
        } | undefined;
        connectionPool?: Record<string, unknown> | undefined;
        loadBalancer?: Record<string, unknown> | undefined;
        outlierDetection?: Record<string, unknown> | undefined;
        tls?: IstioClientTls | undefined;
    }[] | undefined;
    proxyProtocol?: Record<string, unknown> | undefined;
    retryBudget?: Record<string, unknown> | undefined;
    tls?: IstioClientTls | undefined;
    tunnel?: Record<string, unknown> | undefined;
};

export type IstioDestinationRuleSpec = {
    host: string;
    exportTo?: string[] | undefined;
    subsets?: {
        name: string;
        labels?: Record<string, string> | undefined;
        trafficPolicy?: IstioTrafficPolicy | undefined;
    }[] | undefined;
    trafficPolicy?: IstioTrafficPolicy | undefined;
    workloadSelector?: IstioWorkloadSelector | undefined;
};
