// The MeshNamespace model's constants and parsed settings, written out as plain TypeScript so the
// published declarations never mention zod (zod's declarations need esModuleInterop/skipLibCheck,
// which the standard `pulumi new typescript` tsconfig does not set). The schemas in namespace.ts
// parse to exactly these types: test/model/public-types.test.ts proves it at compile time.

/** The sidecar injection modes a namespace may name (besides `{revision}`). */
export const MESH_NAMESPACE_INJECTION_MODES = ["enabled", "disabled"] as const;

/**
 * Namespace-wide mTLS: true / "STRICT" (the default), "PERMISSIVE" (accept plaintext too, for a
 * migration: typed so it is a visible, reviewable choice), false (no namespace PeerAuthentication).
 */
export const MESH_NAMESPACE_MTLS_MODES = ["STRICT", "PERMISSIVE"] as const;
export type MeshNamespaceMtls = boolean | (typeof MESH_NAMESPACE_MTLS_MODES)[number];

/** Sidecar injection of a namespace: one label (`istio-injection`) or one revision (`istio.io/rev`). */
export type MeshNamespaceInjection = (typeof MESH_NAMESPACE_INJECTION_MODES)[number] | {
    revision: string;
};

/** The data plane of a namespace: sidecar injection or ambient (istio.io/dataplane-mode=ambient). */
export const MESH_NAMESPACE_DATAPLANES = ["sidecar", "ambient"] as const;
export type MeshNamespaceDataplane = (typeof MESH_NAMESPACE_DATAPLANES)[number];

/** Name of the waypoint `waypoint: true` creates (istioctl waypoint's default name). */
export const DEFAULT_WAYPOINT_NAME = "waypoint";

/** What MeshPolicy's `namespaces.<ns>` needs to know of a namespace (MeshNamespace's `meshPolicyNamespace`). */
export interface MeshPolicyNamespaceInfo {
    dataplane: MeshNamespaceDataplane;
    /** The waypoint Gateway's name (also its ServiceAccount's: docs/ambient.md), when the namespace has one. */
    waypoint?: string;
}

/** MeshNamespace arguments after validation, defaults applied. */
export type MeshNamespaceSettings = {
    name: string;
    /** undefined: sidecar (the component fills in its mesh's data plane first). */
    dataplane?: MeshNamespaceDataplane | undefined;
    /** A waypoint Gateway in the namespace (ambient only). */
    waypoint?: {
        name: string;
    } | undefined;
    existing: boolean;
    labels: Record<string, string>;
    injection?: MeshNamespaceInjection | undefined;
    mtls?: MeshNamespaceMtls | undefined;
    defaultDeny?: boolean | undefined;
};
