// The MeshPolicy input and its parsed form, written out as plain TypeScript so the published
// declarations never mention zod (zod's declarations need esModuleInterop/skipLibCheck, which the
// standard `pulumi new typescript` tsconfig does not set). The schema in mesh-policy-schema.ts
// parses to exactly these types: test/model/public-types.test.ts proves it at compile time.
import type { MeshOutOfMeshCaller } from "./out-of-mesh-types";

export type { MeshOutOfMeshCaller } from "./out-of-mesh-types";

import type { MeshExternalEgress } from "./external-types";

export type { MeshExternalCaller, MeshExternalEgress, MeshExternalPort, MeshExternalPortProtocol } from "./external-types";

/** The HTTP methods a relationship may name (upper case). */
export const HTTP_METHODS = ["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"] as const;

/** The protocols a MeshPolicy service port may declare. */
export const MESH_PORT_PROTOCOLS = ["http", "http2", "grpc", "tcp"] as const;
export type MeshPortProtocol = (typeof MESH_PORT_PROTOCOLS)[number];

/** One port of a service: `port` is the Service port, `targetPort` the container port (defaults to `port`). */
export interface MeshServicePort {
    port: number;
    protocol: MeshPortProtocol;
    name?: string | undefined;
    targetPort?: number | undefined;
}

/** A workload of the mesh: its id, namespace, service account, ports and (optionally) pod selector. */
export interface MeshService {
    id: string;
    namespace: string;
    serviceAccount: string;
    ports: MeshServicePort[];
    selector?: Record<string, string> | undefined;
}

/** End users a caller must authenticate as (a JWT issuer and its keys, audiences, claims, subjects). */
export interface MeshEndUsers {
    issuer: string;
    jwksUri: string;
    audiences?: string[] | undefined;
    claims?: Record<string, string[]> | undefined;
    subjects?: string[] | undefined;
}

/** Who may call: a service, a whole namespace, the ingress gateway, authenticated end users, or pods outside the mesh. */
export interface MeshCaller {
    service?: string | undefined;
    namespace?: string | undefined;
    ingressGateway?: true | undefined;
    endUsers?: MeshEndUsers | undefined;
    outOfMesh?: MeshOutOfMeshCaller | undefined;
}

/** One allowed relationship: `from` may call `to`, optionally narrowed to ports, methods, paths, hosts, gRPC methods. */
export interface MeshRelationship {
    from: MeshCaller;
    to: string;
    ports?: number[] | undefined;
    methods?: string[] | undefined;
    paths?: string[] | undefined;
    hosts?: string[] | undefined;
    grpcMethods?: string[] | undefined;
}

/** A caller a deny rule exempts. */
export interface MeshDenyCaller {
    service?: string | undefined;
    namespace?: string | undefined;
    ingressGateway?: true | undefined;
}

/** A deny rule: traffic to a service or namespace is denied unless it comes from one of `unlessFrom`. */
export interface MeshDenyRule {
    unlessFrom: MeshDenyCaller[];
    to?: string | undefined;
    toNamespace?: string | undefined;
    ports?: number[] | undefined;
}

/** The ingress gateway's identity. */
export interface MeshIngressGateway {
    namespace: string;
    serviceAccount: string;
    /** Pod labels of the gateway (NetworkPolicy peers); default `{ istio: "ingressgateway" }`. */
    selector: Record<string, string>;
}

/** The ingress gateway as written: `selector` may be left to its default. */
export interface MeshIngressGatewayInput {
    namespace: string;
    serviceAccount: string;
    selector?: Record<string, string> | undefined;
}

/** Where a NetworkPolicy peer runs: a namespace and its pods' labels. */
export interface MeshPodLocation {
    namespace: string;
    selector: Record<string, string>;
}

/** The NetworkPolicy layer of a MeshPolicy, defaults applied (docs/mesh-policy.md, "NetworkPolicies"). */
export interface MeshNetworkPolicySettings {
    /** Default-deny ingress per namespace plus, per destination, exactly its callers' pods and ports. */
    ingress: boolean;
    /** Default-deny egress per namespace plus, per caller, exactly its callees, DNS and istiod. */
    egress: boolean;
    /** The cluster DNS pods (egress: UDP and TCP 53). */
    dns: MeshPodLocation;
    /** istiod's pods (egress: TCP 15012); the namespace defaults to the MeshPolicy's rootNamespace. */
    istiod: { namespace?: string | undefined; selector: Record<string, string> };
}

/** `networkPolicies` as written: `false` for none, or settings with defaults left out. */
export type MeshNetworkPoliciesInput =
    | false
    | {
          ingress?: boolean | undefined;
          egress?: boolean | undefined;
          dns?: { namespace?: string | undefined; selector?: Record<string, string> | undefined } | undefined;
          istiod?: { namespace?: string | undefined; selector?: Record<string, string> | undefined } | undefined;
      };

/** The data plane of a namespace: sidecars (the default) or ambient (ztunnel, optionally a waypoint). */
export const MESH_POLICY_DATAPLANES = ["sidecar", "ambient"] as const;
export type MeshPolicyDataplane = (typeof MESH_POLICY_DATAPLANES)[number];

/**
 * How a namespace's workloads are enforced (docs/mesh-policy.md, "Ambient namespaces"). MeshNamespace's
 * `meshPolicyNamespace` output has this shape.
 */
export interface MeshPolicyNamespace {
    /** "sidecar" (the default) or "ambient". */
    dataplane?: MeshPolicyDataplane | undefined;
    /** Ambient only: the name of the namespace's waypoint Gateway (its service account has the same name). */
    waypoint?: string | undefined;
    /**
     * Waypoint only: the namespace carries `istio.io/ingress-use-waypoint=true`, so the ingress
     * gateway sends its traffic through the waypoint (required for L7 or JWT relationships from the
     * ingress gateway or end users).
     */
    ingressUseWaypoint?: boolean | undefined;
}

/** A namespace's data plane once parsed. */
export interface MeshPolicyNamespaceConfig {
    dataplane: MeshPolicyDataplane;
    waypoint?: string | undefined;
    ingressUseWaypoint?: boolean | undefined;
}

/** The mesh-wide mTLS setting a MeshPolicy asks for. */
export type MeshPolicyMtls = "STRICT" | "inherit";

/** What a user writes: the MeshPolicy component's `policy` argument, before defaults. */
export interface MeshPolicyInput {
    services: MeshService[];
    trustDomain?: string | undefined;
    clusterDomain?: string | undefined;
    allow?: MeshRelationship[] | undefined;
    deny?: MeshDenyRule[] | undefined;
    ingressGateway?: MeshIngressGatewayInput | undefined;
    networkPolicies?: MeshNetworkPoliciesInput | undefined;
    /** Declared egress to hosts outside the cluster (docs/mesh-policy.md, "External egress"). */
    external?: MeshExternalEgress[] | undefined;
    /** The cluster's address ranges, never opened by an external egress rule; default RFC 1918. */
    clusterCidrs?: string[] | undefined;
    rootNamespace?: string | undefined;
    defaultDeny?: boolean | undefined;
    mtls?: MeshPolicyMtls | undefined;
    destinationRules?: boolean | undefined;
    dryRun?: boolean | undefined;
    /** Staged enforcement: ids of the destinations whose AuthorizationPolicies run in dry-run (docs/mesh-policy.md). */
    dryRunServices?: string[] | undefined;
    allowSharedServiceAccounts?: boolean | undefined;
    /** Data plane per namespace; a namespace not listed is a sidecar namespace (docs/mesh-policy.md, "Ambient namespaces"). */
    namespaces?: Record<string, MeshPolicyNamespace> | undefined;
}

/** A parsed MeshPolicy: every default filled in. */
export interface MeshPolicyConfig {
    trustDomain: string;
    clusterDomain: string;
    services: MeshService[];
    allow: MeshRelationship[];
    deny: MeshDenyRule[];
    ingressGateway: MeshIngressGateway;
    networkPolicies: MeshNetworkPolicySettings;
    external?: MeshExternalEgress[] | undefined;
    clusterCidrs: string[];
    rootNamespace: string;
    defaultDeny: boolean;
    mtls: MeshPolicyMtls;
    destinationRules: boolean;
    dryRun: boolean;
    dryRunServices?: string[] | undefined;
    allowSharedServiceAccounts: boolean;
    namespaces: Record<string, MeshPolicyNamespaceConfig>;
}
