import { ALLOW_NOTHING_NAME, MANAGED_BY_LABELS, SECURITY_API_VERSION, STRICT_MTLS_NAME } from "../constants";
import { K8sManifest } from "../manifest";

export { ALLOW_NOTHING_NAME, STRICT_MTLS_NAME } from "../constants";

/**
 * A PeerAuthentication with no selector: namespace-wide, or mesh-wide when `namespace` is the
 * root namespace. STRICT rejects plaintext, so every caller carries a verifiable identity
 * (principals/namespaces in AuthorizationPolicies only match mTLS traffic).
 */
export function strictPeerAuthentication(namespace: string): K8sManifest {
    return {
        apiVersion: SECURITY_API_VERSION,
        kind: "PeerAuthentication",
        metadata: { name: STRICT_MTLS_NAME, namespace, labels: { ...MANAGED_BY_LABELS } },
        spec: { mtls: { mode: "STRICT" } },
    };
}

/**
 * An ALLOW AuthorizationPolicy with an empty spec: it selects every workload of the namespace
 * (all of the mesh in the root namespace) and matches nothing, so anything not allowed by another
 * ALLOW policy is denied ("allow-nothing", Istio security best practices).
 */
export function allowNothingPolicy(namespace: string): K8sManifest {
    return {
        apiVersion: SECURITY_API_VERSION,
        kind: "AuthorizationPolicy",
        metadata: { name: ALLOW_NOTHING_NAME, namespace, labels: { ...MANAGED_BY_LABELS } },
        spec: {},
    };
}
