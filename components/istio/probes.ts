import { AuthzAttributes } from "./attributes";

/**
 * Probe callers used to decide "does this rule admit any caller?" by evaluation: identities and
 * an address no real policy names, so only wildcard, negative or missing source constraints
 * let them through.
 */
const PROBE_IP = "203.0.113.77"; // TEST-NET-3 (RFC 5737): never a real workload address.
const PROBE_PORT = 65001;

/** A plaintext caller with no mTLS identity and no JWT (anonymous, e.g. from outside the mesh). */
export const ANONYMOUS_PLAINTEXT_PROBE: AuthzAttributes = {
    protocol: "http",
    port: PROBE_PORT,
    sourceIp: PROBE_IP,
};

/** An mTLS caller with an arbitrary identity in an arbitrary namespace and trust domain, no JWT. */
export const ARBITRARY_MTLS_PROBE: AuthzAttributes = {
    ...ANONYMOUS_PLAINTEXT_PROBE,
    peer: {
        principal: "probe.meshguard.invalid/ns/meshguard-probe-ns/sa/meshguard-probe-sa",
        trustDomain: "probe.meshguard.invalid",
        namespace: "meshguard-probe-ns",
        serviceAccount: "meshguard-probe-sa",
    },
};
