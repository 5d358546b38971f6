// The IstioMesh model's constants and parsed settings, written out as plain TypeScript so the
// published declarations never mention zod (zod's declarations need esModuleInterop/skipLibCheck,
// which the standard `pulumi new typescript` tsconfig does not set). The schemas in install.ts
// parse to exactly these types: test/model/public-types.test.ts proves it at compile time.

/** Helm-based installers: `chart` renders every object into the stack, `release` delegates to Helm. */
export const ISTIO_INSTALLERS = ["chart", "release"] as const;
export type IstioInstaller = (typeof ISTIO_INSTALLERS)[number];

/** The charts of the official repository meshguard installs, in the Istio docs' names. */
export const ISTIO_CHART_KEYS = ["base", "cni", "istiod", "gateway", "ztunnel"] as const;
export type IstioChartKey = (typeof ISTIO_CHART_KEYS)[number];

/** The data plane of a mesh: sidecar injection, or ambient (istio-cni + per-node ztunnel, docs/ambient.md). */
export const ISTIO_DATAPLANES = ["sidecar", "ambient"] as const;
export type IstioDataplane = (typeof ISTIO_DATAPLANES)[number];

/** Gateway API CRDs: registered by the mesh ("install", pinned) or provided by the cluster ("assume-present"). */
export const GATEWAY_API_MODES = ["install", "assume-present"] as const;
export type GatewayApiMode = (typeof GATEWAY_API_MODES)[number];

/** meshConfig.outboundTrafficPolicy.mode (istio.mesh.v1alpha1). */
export const OUTBOUND_TRAFFIC_POLICY_MODES = ["REGISTRY_ONLY", "ALLOW_ANY"] as const;
export type OutboundTrafficPolicyMode = (typeof OUTBOUND_TRAFFIC_POLICY_MODES)[number];
/** meshConfig.pathNormalization.normalization (istio.mesh.v1alpha1 ProxyPathNormalization). */
export const PATH_NORMALIZATION_TYPES = ["DEFAULT", "NONE", "BASE", "MERGE_SLASHES", "DECODE_AND_MERGE_SLASHES"] as const;
export type PathNormalizationType = (typeof PATH_NORMALIZATION_TYPES)[number];

/** The mesh's audit trail: Envoy access logs on the proxies' stdout unless the user opts out. */
export const DEFAULT_ACCESS_LOG_FILE = "/dev/stdout";
export { DEFAULT_GATEWAY_NAME, DEFAULT_GATEWAY_NAMESPACE } from "../constants";

/** The meshConfig settings meshguard sets, defaults applied. */
export type IstioMeshConfigSettings = {
    trustDomain: string;
    accessLogFile: string;
    outboundTrafficPolicy?: {
        mode: OutboundTrafficPolicyMode;
    } | undefined;
    pathNormalization?: {
        normalization: PathNormalizationType;
    } | undefined;
};

/** The ingress gateway IstioMesh installs. */
export type IstioGatewaySettings = {
    namespace: string;
    createNamespace: boolean;
    name: string;
    /** The control-plane revision that injects the gateway (the canary hand-over, docs/upgrade.md). */
    revision?: string | undefined;
};

/** The Istio CNI node agent, when installed. */
export type IstioCniSettings = {
    namespace?: string | undefined;
};

/** The NetworkPolicy guarding istiod (docs/install.md, "Protecting the control plane"). */
export type ControlPlaneNetworkSettings = {
    monitoringNamespace?: string | undefined;
};

/** IstioMesh arguments after validation, defaults applied. */
export type IstioMeshSettings = {
    version: string;
    /** "sidecar" (the default) or "ambient": istiod and istio-cni with the ambient profile, and ztunnel. */
    dataplane: IstioDataplane;
    /** The Gateway API CRDs (waypoints are Gateways); required with ambient. */
    gatewayApi?: GatewayApiMode | undefined;
    /** The base chart (CRDs) version when it runs ahead of istiod during a canary window. */
    baseVersion?: string | undefined;
    /** The canary IstioMesh whose istiod objects this primary takes over (docs/upgrade.md). */
    promotedCanary?: string | undefined;
    installer: IstioInstaller;
    namespace: string;
    createNamespace: boolean;
    meshConfig: IstioMeshConfigSettings;
    values: {
        base?: Record<string, unknown> | undefined;
        cni?: Record<string, unknown> | undefined;
        istiod?: Record<string, unknown> | undefined;
        gateway?: Record<string, unknown> | undefined;
        ztunnel?: Record<string, unknown> | undefined;
    };
    mtls: boolean;
    revision?: string | undefined;
    gateway?: IstioGatewaySettings | undefined;
    cni?: IstioCniSettings | undefined;
    /** undefined when opted out. */
    controlPlaneNetworkPolicies: ControlPlaneNetworkSettings | undefined;
};

/** The structural IstioMesh args (which resources exist), parsed before the rest resolves. */
export type IstioMeshLayout = {
    [x: string]: unknown;
    installer: IstioInstaller;
    dataplane: IstioDataplane;
    gatewayApi?: GatewayApiMode | undefined;
    createNamespace: boolean;
    mtls: boolean;
    gateway?: {
        [x: string]: unknown;
        createNamespace: boolean;
    } | undefined;
    cni?: {
        [x: string]: unknown;
    } | undefined;
    controlPlaneNetworkPolicies: {
        [x: string]: unknown;
    } | undefined;
};

/** What a canary takes from its primary: exported by every IstioMesh as `controlPlane`. */
export interface IstioControlPlaneSettings {
    /** True for a canary: a canary of a canary is refused (the shared parts are the primary's). */
    canary: boolean;
    installer: IstioInstaller;
    version: string;
    /** The version of the base chart (CRDs) the primary installs. */
    baseVersion: string;
    revision: string | undefined;
    namespace: string;
    meshConfig: IstioMeshConfigSettings;
    /** The primary's raw `values.istiod.meshConfig` (extra meshConfig keys), copied so the canary serves the same mesh. */
    meshConfigValues: Record<string, unknown> | undefined;
    cni: boolean;
    /** The primary's istiod NetworkPolicy setting (undefined: opted out); a canary guards its own istiod alike. */
    controlPlaneNetworkPolicies: ControlPlaneNetworkSettings | undefined;
}
