import { strict as assert } from "assert";
import { checkIstioSecurityObject, isIstioSecurityKind } from "../../components/istio/schema/security";

const UNKNOWN = "unknown field (not part of the schema; check its spelling)";

function ap(spec: unknown, metadata: unknown = { name: "p", namespace: "ns" }, apiVersion = "security.istio.io/v1") {
    return { apiVersion, kind: "AuthorizationPolicy", metadata, spec };
}
function pa(spec: unknown, apiVersion = "security.istio.io/v1") {
    return { apiVersion, kind: "PeerAuthentication", metadata: { name: "default", namespace: "ns" }, spec };
}
function ra(spec: unknown, apiVersion = "security.istio.io/v1") {
    return { apiVersion, kind: "RequestAuthentication", metadata: { name: "jwt", namespace: "ns" }, spec };
}
function dr(spec: unknown, apiVersion = "networking.istio.io/v1") {
    return { apiVersion, kind: "DestinationRule", metadata: { name: "dr", namespace: "ns" }, spec };
}

describe("checkIstioSecurityObject: valid hand-written objects are never reported", () => {
    const valid: [string, { apiVersion: string; kind: string; metadata?: unknown; spec?: unknown; status?: unknown }][] = [
        ["allow-nothing", ap({})],
        ["no spec at all", { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "x" } }],
        [
            "ALLOW with every source and operation field",
            ap({
                selector: { matchLabels: { app: "backend", "app.kubernetes.io/version": "v1" } },
                action: "ALLOW",
                rules: [
                    {
                        from: [
                            { source: { principals: ["cluster.local/ns/a/sa/b"], notPrincipals: ["x/*"], requestPrincipals: ["iss/sub"], notRequestPrincipals: ["*"] } },
                            { source: { namespaces: ["a"], notNamespaces: ["b"], ipBlocks: ["10.0.0.0/8", "1.2.3.4"], notIpBlocks: ["::1", "fd00::/8"] } },
                            { source: { remoteIpBlocks: ["192.168.0.1/32"], notRemoteIpBlocks: ["2001:db8::1"] } },
                            { source: { serviceAccounts: ["ns/sa"], notServiceAccounts: ["ns/other"], trustDomains: ["td"], notTrustDomains: ["x"] } },
                        ],
                        to: [
                            { operation: { hosts: ["*.example.com"], notHosts: ["a"], ports: ["8080"], notPorts: ["9090"] } },
                            { operation: { methods: ["GET"], notMethods: ["DELETE"], paths: ["/api/*", "/v1/{*}/items/{**}"], notPaths: ["*/admin"] } },
                        ],
                        when: [
                            { key: "request.auth.claims[iss]", values: ["https://accounts.google.com"] },
                            { key: "request.headers[x-user]", notValues: ["bad"] },
                            { key: "source.ip", values: ["10.0.0.1"] },
                            { key: "destination.port", values: ["80"] },
                            { key: "connection.sni", values: ["x"] },
                            { key: "experimental.envoy.filters.a.b[c]", values: ["d"] },
                        ],
                    },
                ],
            }),
        ],
        ["DENY with an empty rule (deny all)", ap({ action: "DENY", rules: [{}] })],
        [
            "source.serviceAccount and source.trustDomain conditions (Istio ≥ 1.29)",
            ap({ rules: [{ when: [{ key: "source.serviceAccount", values: ["prod/web", "api"] }, { key: "source.trustDomain", notValues: ["*.legacy"] }] }] }),
        ],
        ["AUDIT", ap({ action: "AUDIT", rules: [{ to: [{ operation: { paths: ["/x"] } }] }] })],
        ["CUSTOM with provider", ap({ action: "CUSTOM", provider: { name: "ext-authz" }, rules: [{ to: [{ operation: { paths: ["/admin"] } }] }] })],
        ["targetRefs", ap({ targetRefs: [{ kind: "Gateway", group: "gateway.networking.k8s.io", name: "waypoint" }], rules: [{}] })],
        ["targetRef", ap({ targetRef: { kind: "Service", group: "", name: "svc" }, rules: [{}] })],
        ["v1beta1", ap({ rules: [{}] }, { name: "p" }, "security.istio.io/v1beta1")],
        ["dry-run annotation", ap({ action: "DENY", rules: [{}] }, { name: "p", annotations: { "istio.io/dry-run": "true" } })],
        ["status and metadata extras", { ...ap({}, { name: "p", uid: "123", resourceVersion: "4" }), status: { conditions: [] } }],
        ["PeerAuthentication STRICT", pa({ mtls: { mode: "STRICT" } })],
        ["PeerAuthentication port-level", pa({ selector: { matchLabels: { app: "a" } }, mtls: { mode: "STRICT" }, portLevelMtls: { "8080": { mode: "PERMISSIVE" } } }, "security.istio.io/v1beta1")],
        [
            "RequestAuthentication with every field",
            ra({
                selector: { matchLabels: { app: "a" } },
                jwtRules: [
                    {
                        issuer: "https://accounts.google.com",
                        jwksUri: "https://www.googleapis.com/oauth2/v3/certs",
                        audiences: ["a"],
                        fromHeaders: [{ name: "Authorization", prefix: "Bearer " }],
                        fromParams: ["token"],
                        fromCookies: ["session"],
                        outputPayloadToHeader: "x-jwt",
                        forwardOriginalToken: true,
                        outputClaimToHeaders: [{ header: "x-sub", claim: "sub" }],
                        spaceDelimitedClaims: ["scope"],
                        timeout: "5s",
                    },
                    { issuer: "other", jwks: '{"keys":[]}' },
                ],
            }),
        ],
        ["DestinationRule ISTIO_MUTUAL", dr({ host: "svc.ns.svc.cluster.local", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } })],
        [
            "DestinationRule with non-security settings, subsets and port-level TLS",
            dr(
                {
                    host: "reviews",
                    exportTo: ["."],
                    trafficPolicy: {
                        connectionPool: { tcp: { maxConnections: 100, connectTimeout: "30ms", tcpKeepalive: { time: "7200s" } }, http: { http2MaxRequests: 1000 } },
                        loadBalancer: { simple: "LEAST_REQUEST", localityLbSetting: { enabled: true } },
                        outlierDetection: { consecutive5xxErrors: 7, interval: "5m", baseEjectionTime: "15m" },
                        portLevelSettings: [{ port: { number: 443 }, tls: { mode: "SIMPLE", sni: "reviews.example.com" } }],
                        tls: { mode: "MUTUAL", clientCertificate: "/etc/certs/cert.pem", privateKey: "/etc/certs/key.pem", caCertificates: "/etc/certs/ca.pem" },
                    },
                    subsets: [
                        { name: "v1", labels: { version: "v1" } },
                        { name: "v2", labels: { version: "v2" }, trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: "x-user" } } } },
                    ],
                },
                "networking.istio.io/v1alpha3",
            ),
        ],
        ["DestinationRule SIMPLE with credentialName", dr({ host: "x", trafficPolicy: { tls: { mode: "SIMPLE", credentialName: "secret" }, tunnel: { targetHost: "h", targetPort: 8 } } }, "networking.istio.io/v1beta1")],
    ];
    for (const [title, obj] of valid) {
        it(title, () => assert.deepEqual(checkIstioSecurityObject(obj), []));
    }

    it("ignores kinds and groups it does not model", () => {
        assert.deepEqual(checkIstioSecurityObject({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", spec: { bogus: 1 } }), []);
        assert.deepEqual(checkIstioSecurityObject({ apiVersion: "example.com/v1", kind: "AuthorizationPolicy", spec: { bogus: 1 } }), []);
        assert.equal(isIstioSecurityKind("security.istio.io/v1", "PeerAuthentication"), true);
        assert.equal(isIstioSecurityKind("v1", "ConfigMap"), false);
    });

    it("returns no issues, without throwing, for values that are not objects with string apiVersion and kind (issue 10 item 18)", () => {
        for (const value of [null, undefined, 7, "x", [], { apiVersion: 1, kind: "AuthorizationPolicy", spec: {} }, { apiVersion: "security.istio.io/v1", kind: null }]) {
            assert.deepEqual(checkIstioSecurityObject(value), [], JSON.stringify(value));
        }
    });
});

describe("checkIstioSecurityObject: AuthorizationPolicy errors", () => {
    const cases: [string, unknown, { path: string; message: string }[]][] = [
        ["a misspelled source field", { rules: [{ from: [{ source: { principal: ["a"] } }] }] }, [{ path: "spec.rules[0].from[0].source.principal", message: UNKNOWN }]],
        ["an unknown spec field", { selectors: {} }, [{ path: "spec.selectors", message: UNKNOWN }]],
        ["an empty from list", { rules: [{ from: [] }] }, [{ path: "spec.rules[0].from", message: "must not be empty (omit it to match any source)" }]],
        ["an empty to list", { rules: [{ to: [] }] }, [{ path: "spec.rules[0].to", message: "must not be empty (omit it to match any operation)" }]],
        ["an empty source", { rules: [{ from: [{ source: {} }] }] }, [{ path: "spec.rules[0].from[0].source", message: "must not be empty (set at least one field)" }]],
        ["a from entry without source", { rules: [{ from: [{}] }] }, [{ path: "spec.rules[0].from[0].source", message: "must be set" }]],
        ["an empty operation", { rules: [{ to: [{ operation: { paths: [] } }] }] }, [{ path: "spec.rules[0].to[0].operation", message: "must not be empty (set at least one field)" }]],
        [
            "empty strings in lists",
            { rules: [{ from: [{ source: { principals: ["a", ""] } }], to: [{ operation: { methods: [""] } }] }] },
            [
                { path: "spec.rules[0].from[0].source.principals[1]", message: "empty value not allowed" },
                { path: "spec.rules[0].to[0].operation.methods[0]", message: "empty value not allowed" },
            ],
        ],
        ["a when without values", { rules: [{ when: [{ key: "request.auth.claims[iss]" }] }] }, [{ path: "spec.rules[0].when[0]", message: "at least one of values or notValues must be set for key request.auth.claims[iss]" }]],
        ["an unknown condition key", { rules: [{ when: [{ key: "request.user", values: ["x"] }] }] }, [{ path: "spec.rules[0].when[0].key", message: 'unknown attribute "request.user"' }]],
        ["a malformed claim key", { rules: [{ when: [{ key: "request.auth.claims", values: ["x"] }] }] }, [{ path: "spec.rules[0].when[0].key", message: 'bad key "request.auth.claims": should have the format request.auth.claims[name]' }]],
        ["a bad destination.port value", { rules: [{ when: [{ key: "destination.port", values: ["http"] }] }] }, [{ path: "spec.rules[0].when[0].values[0]", message: 'bad port "http" (a number from 0 to 65535)' }]],
        [
            "malformed source.serviceAccount and source.trustDomain values",
            { rules: [{ when: [{ key: "source.serviceAccount", values: ["prod/*", "a/b/c", "/web"] }, { key: "source.trustDomain", values: ["a*b", "**"] }] }] },
            [
                { path: "spec.rules[0].when[0].values[0]", message: 'wildcard not allowed in source.serviceAccount ("prod/*")' },
                { path: "spec.rules[0].when[0].values[1]", message: `expected format 'serviceAccount' or 'namespace/serviceAccount', found "a/b/c"` },
                { path: "spec.rules[0].when[0].values[2]", message: `expected format 'serviceAccount' or 'namespace/serviceAccount', found "/web"` },
                { path: "spec.rules[0].when[1].values[0]", message: 'wildcard is only allowed at the start or end, found "a*b"' },
                { path: "spec.rules[0].when[1].values[1]", message: 'at most one wildcard is allowed, found "**"' },
            ],
        ],
        [
            "more than 16 source.serviceAccount values",
            { rules: [{ when: [{ key: "source.serviceAccount", notValues: Array.from({ length: 17 }, (_, i) => `sa-${i}`) }] }] },
            [{ path: "spec.rules[0].when[0].notValues", message: "may not have more than 16 values" }],
        ],
        ["a DENY without rules", { action: "DENY" }, [{ path: "spec.rules", message: "DENY action without rules never triggers: add rules (an empty rule {} matches every request)" }]],
        [
            "a CUSTOM without provider",
            { action: "CUSTOM", rules: [{}] },
            [{ path: "spec.provider.name", message: "must be set (the extension provider) when action is CUSTOM" }],
        ],
        ["a provider on ALLOW", { provider: { name: "x" }, rules: [{}] }, [{ path: "spec.provider", message: "must not be set with action ALLOW (only CUSTOM uses a provider)" }]],
        [
            "CUSTOM with identity fields",
            { action: "CUSTOM", provider: { name: "x" }, rules: [{ from: [{ source: { principals: ["a"] } }], when: [{ key: "source.principal", values: ["a"] }] }] },
            [
                { path: "spec.rules[0].from[0].source.principals", message: "is not supported with action CUSTOM" },
                { path: "spec.rules[0].when[0].key", message: "source.principal is not supported with action CUSTOM" },
            ],
        ],
        [
            "CUSTOM with service account and trust domain fields",
            {
                action: "CUSTOM",
                provider: { name: "x" },
                rules: [{ from: [{ source: { serviceAccounts: ["ns/sa"] } }, { source: { notTrustDomains: ["td"] } }], when: [{ key: "source.serviceAccount", values: ["ns/sa"] }, { key: "source.trustDomain", values: ["td"] }] }],
            },
            [
                { path: "spec.rules[0].from[0].source.serviceAccounts", message: "is not supported with action CUSTOM" },
                { path: "spec.rules[0].from[1].source.notTrustDomains", message: "is not supported with action CUSTOM" },
                { path: "spec.rules[0].when[0].key", message: "source.serviceAccount is not supported with action CUSTOM" },
                { path: "spec.rules[0].when[1].key", message: "source.trustDomain is not supported with action CUSTOM" },
            ],
        ],
        ["an unknown action", { action: "ALLOW_ALL" }, [{ path: "spec.action", message: 'Invalid option: expected one of "ALLOW"|"DENY"|"AUDIT"|"CUSTOM"' }]],
        [
            "selector and targetRefs together",
            { selector: { matchLabels: { app: "a" } }, targetRefs: [{ kind: "Service", name: "a" }] },
            [{ path: "spec", message: "only one of targetRefs or selector can be set (selector, targetRef, targetRefs)" }],
        ],
        ["a cross-namespace targetRef", { targetRef: { kind: "Service", name: "a", namespace: "other" } }, [{ path: "spec.targetRef.namespace", message: "cross namespace referencing is not currently supported (leave namespace empty)" }]],
        ["a wildcard in a selector", { selector: { matchLabels: { app: "web-*" } } }, [{ path: "spec.selector.matchLabels.app", message: "wildcard not allowed in label value match" }]],
        [
            "serviceAccounts with principals",
            { rules: [{ from: [{ source: { serviceAccounts: ["ns/sa"], principals: ["x"] } }] }] },
            [{ path: "spec.rules[0].from[0].source", message: "Cannot set serviceAccounts with namespaces or principals" }],
        ],
        [
            "more than 16 service accounts",
            { rules: [{ from: [{ source: { serviceAccounts: Array.from({ length: 17 }, (_, i) => `ns/sa${i}`) } }] }] },
            [{ path: "spec.rules[0].from[0].source.serviceAccounts", message: "Too big: expected array to have <=16 items" }],
        ],
        ["a wildcard service account", { rules: [{ from: [{ source: { serviceAccounts: ["ns/*"] } }] }] }, [{ path: "spec.rules[0].from[0].source.serviceAccounts[0]", message: "wildcards are not supported in service accounts (use <namespace>/<name>)" }]],
        ["an invalid IP block", { rules: [{ from: [{ source: { ipBlocks: ["10.0.0.0/33", "300.1.1.1"] } }] }] }, [
            { path: "spec.rules[0].from[0].source.ipBlocks[0]", message: 'bad IP address or CIDR range "10.0.0.0/33"' },
            { path: "spec.rules[0].from[0].source.ipBlocks[1]", message: 'bad IP address or CIDR range "300.1.1.1"' },
        ]],
        ["an invalid port", { rules: [{ to: [{ operation: { ports: ["70000", "http"] } }] }] }, [
            { path: "spec.rules[0].to[0].operation.ports[0]", message: 'bad port "70000" (a number from 0 to 65535)' },
            { path: "spec.rules[0].to[0].operation.ports[1]", message: 'bad port "http" (a number from 0 to 65535)' },
        ]],
        ["a port given as a number", { rules: [{ to: [{ operation: { ports: [8080] } }] }] }, [{ path: "spec.rules[0].to[0].operation.ports[0]", message: "Invalid input: expected string, received number" }]],
        [
            "bad path templates",
            { rules: [{ to: [{ operation: { paths: ["/a/{id}/{*}", "/{**}/b/{*}", "/x/*/{*}", "/a{*}", "/a//{*}", "/a b/{*}", "/k=v;p/{*}/"] } }] }] },
            [
                { path: "spec.rules[0].to[0].operation.paths[0]", message: 'invalid or unsupported path template "/a/{id}/{*}" (only {*} and {**} operators, no named variables or bare *)' },
                { path: "spec.rules[0].to[0].operation.paths[1]", message: 'invalid path template "/{**}/b/{*}": {**} must be the last operator' },
                { path: "spec.rules[0].to[0].operation.paths[2]", message: 'invalid or unsupported path template "/x/*/{*}" (only {*} and {**} operators, no named variables or bare *)' },
                { path: "spec.rules[0].to[0].operation.paths[3]", message: 'invalid or unsupported path template "/a{*}" (only {*} and {**} operators, no named variables or bare *)' },
                { path: "spec.rules[0].to[0].operation.paths[4]", message: `invalid path template "/a//{*}": segment "" must be made of letters, digits and - . _ ~ % ! $ & ' ( ) + , ; : @ =` },
                { path: "spec.rules[0].to[0].operation.paths[5]", message: `invalid path template "/a b/{*}": segment "a b" must be made of letters, digits and - . _ ~ % ! $ & ' ( ) + , ; : @ =` },
            ],
        ],
    ];
    for (const [title, spec, issues] of cases) {
        it(`reports ${title}`, () => assert.deepEqual(checkIstioSecurityObject(ap(spec)), issues));
    }

    it("reports an unserved version, an unknown top-level field and a bad dry-run annotation", () => {
        const obj = { ...ap({ action: "AUDIT", rules: [{}] }, { name: "p", annotations: { "istio.io/dry-run": "yes" } }, "security.istio.io/v1alpha1"), specs: {} };
        assert.deepEqual(checkIstioSecurityObject(obj), [
            { path: "apiVersion", message: "security.istio.io/v1alpha1 does not serve AuthorizationPolicy (served: security.istio.io/v1, security.istio.io/v1beta1)" },
            { path: "specs", message: UNKNOWN },
            { path: 'metadata.annotations["istio.io/dry-run"]', message: "only supported with action ALLOW or DENY, found AUDIT" },
            { path: 'metadata.annotations["istio.io/dry-run"]', message: 'invalid value "yes" (use "true" or "false")' },
        ]);
    });

    it("reports an invalid metadata name", () => {
        assert.deepEqual(checkIstioSecurityObject(ap({}, { name: "Bad_Name" })), [
            { path: "metadata.name", message: "must be a DNS-1123 subdomain (lowercase alphanumerics, '-' and '.')" },
        ]);
    });
});

describe("checkIstioSecurityObject: PeerAuthentication and RequestAuthentication errors", () => {
    it("reports an unknown mode and a misspelled field", () => {
        assert.deepEqual(checkIstioSecurityObject(pa({ mtls: { mode: "STRCT" }, portLevelMTLS: {} })), [
            { path: "spec.mtls.mode", message: 'Invalid option: expected one of "UNSET"|"DISABLE"|"PERMISSIVE"|"STRICT"' },
            { path: "spec.portLevelMTLS", message: UNKNOWN },
        ]);
    });

    it("requires a selector for portLevelMtls and valid ports", () => {
        assert.deepEqual(checkIstioSecurityObject(pa({ portLevelMtls: { "0": { mode: "DISABLE" }, "8080": { mode: "DISABLE" } } })), [
            { path: 'spec.portLevelMtls["0"]', message: "port must be between 1-65535" },
            { path: "spec.portLevelMtls", message: "portLevelMtls requires selector (a non-empty selector.matchLabels)" },
        ]);
        assert.deepEqual(checkIstioSecurityObject(pa({ selector: { matchLabels: { app: "a" } }, portLevelMtls: {} })), [
            { path: "spec.portLevelMtls", message: "must have at least one port when set" },
        ]);
    });

    it("reports a JWT rule without issuer, two key sources, a bad URL and a bad timeout", () => {
        assert.deepEqual(checkIstioSecurityObject(ra({ jwtRules: [{ jwksUri: "ftp://keys", jwks: "{}", timeout: "0.5ms" }] })), [
            { path: "spec.jwtRules[0].issuer", message: "must be set (the token issuer)" },
            { path: "spec.jwtRules[0]", message: "only one of jwks or jwksUri can be set (found jwksUri, jwks)" },
            { path: "spec.jwtRules[0].jwksUri", message: "url must have scheme http:// or https://" },
            { path: "spec.jwtRules[0].timeout", message: "must be a valid duration greater than 1ms" },
        ]);
    });

    it("reports misspelled JWT fields and empty audiences", () => {
        assert.deepEqual(checkIstioSecurityObject(ra({ jwtRules: [{ issuer: "i", jwksURI: "https://k", audiences: [""] }] })), [
            { path: "spec.jwtRules[0].audiences[0]", message: "Too small: expected string to have >=1 characters" },
            { path: "spec.jwtRules[0].jwksURI", message: UNKNOWN },
        ]);
    });
});

describe("checkIstioSecurityObject: DestinationRule errors", () => {
    it("is strict on TLS settings at every level", () => {
        const issues = checkIstioSecurityObject(
            dr({
                host: "a",
                trafficPolicy: { tls: { mode: "ISTIO_MUTUAL", insecureSkipVerify: true }, portLevelSettings: [{ port: { number: 80 }, tls: { mode: "DISABLE", sniHost: "x" } }] },
                subsets: [{ name: "v1", trafficPolicy: { tls: { mod: "DISABLE" } } }],
            }),
        );
        assert.deepEqual(issues, [
            { path: "spec.subsets[0].trafficPolicy.tls.mod", message: UNKNOWN },
            { path: "spec.trafficPolicy.portLevelSettings[0].tls.sniHost", message: UNKNOWN },
        ]);
    });

    it("applies istiod's TLS rules", () => {
        assert.deepEqual(
            checkIstioSecurityObject(
                dr({
                    host: "a",
                    trafficPolicy: {
                        tls: { mode: "ISTIO_MUTUAL", clientCertificate: "/c" },
                        portLevelSettings: [{ port: { number: 80 }, tls: { mode: "MUTUAL" } }, { tls: { mode: "SIMPLE", insecureSkipVerify: true, caCertificates: "/ca" } }],
                    },
                    subsets: [{ name: "v1", trafficPolicy: { tls: { mode: "SIMPLE", credentialName: "s", privateKey: "/k" } } }, { name: "v1" }, { name: "V2" }],
                }),
            ),
            [
                { path: "spec.trafficPolicy.tls.clientCertificate", message: "must not be set with mode ISTIO_MUTUAL (it uses the certificates Istio issues)" },
                { path: "spec.trafficPolicy.portLevelSettings[0].tls.clientCertificate", message: "required for mode MUTUAL (or set credentialName)" },
                { path: "spec.trafficPolicy.portLevelSettings[0].tls.privateKey", message: "required for mode MUTUAL (or set credentialName)" },
                { path: "spec.trafficPolicy.portLevelSettings[1].port", message: "must be set (the port these settings apply to)" },
                { path: "spec.trafficPolicy.portLevelSettings[1].tls.caCertificates", message: "cannot be set when insecureSkipVerify is true" },
                { path: "spec.subsets[0].trafficPolicy.tls.privateKey", message: "cannot be set when credentialName is set" },
                { path: "spec.subsets[1].name", message: 'duplicate subset name "v1"' },
                { path: "spec.subsets[2].name", message: 'invalid subset name "V2" (a DNS-1123 label)' },
            ],
        );
    });

    it("requires a host and a non-empty traffic policy", () => {
        assert.deepEqual(checkIstioSecurityObject(dr({ trafficPolicy: {} })), [{ path: "spec.host", message: "Invalid input: expected string, received undefined" }]);
        assert.deepEqual(checkIstioSecurityObject(dr({ host: "a", trafficPolicy: {} })), [{ path: "spec.trafficPolicy", message: "traffic policy must have at least one field" }]);
    });

    it("reports an unknown field at the top of the spec and of the traffic policy, not inside opaque settings", () => {
        assert.deepEqual(checkIstioSecurityObject(dr({ host: "a", trafficPolicy: { tsl: {}, connectionPool: { anything: { goes: 1 } } }, hosts: ["b"] })), [
            { path: "spec.trafficPolicy.tsl", message: UNKNOWN },
            { path: "spec.hosts", message: UNKNOWN },
        ]);
    });
});
