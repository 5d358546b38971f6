/** Istio and meshguard constants shared by the components, the policy pack and the simulator. */

/** The Istio release installed when the user does not pin one (one place to bump it). */
export const DEFAULT_ISTIO_VERSION = "1.30.3";
/** The official Helm chart repository (istio.io "Install with Helm"). */
export const ISTIO_CHART_REPO = "https://istio-release.storage.googleapis.com/charts";

/**
 * The Gateway API release IstioMesh installs with `gatewayApi: "install"`: the version Istio 1.30.3
 * is built and tested with (istio/istio go.mod, sigs.k8s.io/gateway-api), standard channel, from
 * its pinned release URL (docs/ambient.md).
 */
export const GATEWAY_API_VERSION = "v1.5.1";
export const GATEWAY_API_CRDS_URL = `https://github.com/kubernetes-sigs/gateway-api/releases/download/${GATEWAY_API_VERSION}/standard-install.yaml`;

/** Istio's root namespace (meshConfig.rootNamespace): mesh-wide policies live here. */
export const DEFAULT_ROOT_NAMESPACE = "istio-system";
export const DEFAULT_TRUST_DOMAIN = "cluster.local";

export const SECURITY_API_VERSION = "security.istio.io/v1";
export const NETWORKING_API_VERSION = "networking.istio.io/v1";

/** Namespace label for the default injector; `istio-injection=enabled` ignores istio.io/rev. */
export const INJECTION_LABEL = "istio-injection";
/** Namespace (or pod) label selecting a revisioned control plane for injection. */
export const REVISION_LABEL = "istio.io/rev";
/** Namespace label enrolling workloads in ambient mode. */
export const DATAPLANE_MODE_LABEL = "istio.io/dataplane-mode";
/** Pod label (preferred) or deprecated annotation that opts a pod out of injection. */
export const SIDECAR_INJECT_KEY = "sidecar.istio.io/inject";
/** Annotation that makes istiod evaluate an AuthorizationPolicy without enforcing it. */
export const DRY_RUN_ANNOTATION = "istio.io/dry-run";

/** Label put on every object meshguard emits. */
export const MANAGED_BY_LABELS: Readonly<Record<string, string>> = Object.freeze({
    "app.kubernetes.io/managed-by": "meshguard",
});

/** metadata.name of the namespace- or mesh-wide STRICT PeerAuthentication. */
export const STRICT_MTLS_NAME = "default";
/** metadata.name of the allow-nothing AuthorizationPolicy. */
export const ALLOW_NOTHING_NAME = "allow-nothing";

/** Namespace of the ingress gateway IstioMesh installs when `gateway.namespace` is not set. */
export const DEFAULT_GATEWAY_NAMESPACE = "istio-ingress";
/** Release name of the ingress gateway (the chart names its Deployment and ServiceAccount after it). */
export const DEFAULT_GATEWAY_NAME = "istio-ingressgateway";
/**
 * The identity of the ingress gateway IstioMesh installs: the Helm chart `gateway` released as
 * `istio-ingressgateway` in `istio-ingress` runs under a ServiceAccount named after the release.
 */
export const DEFAULT_INGRESS_GATEWAY = Object.freeze({
    namespace: DEFAULT_GATEWAY_NAMESPACE,
    serviceAccount: DEFAULT_GATEWAY_NAME,
});
/** Kubernetes cluster DNS domain used for DestinationRule hosts (not the SPIFFE trust domain). */
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";
