/** Metadata meshguard sets on the Kubernetes objects it emits. */
export interface ManifestMetadata {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

/** A plain Kubernetes object as the API server would receive it (no Pulumi types inside). */
export interface K8sManifest {
    apiVersion: string;
    kind: string;
    metadata: ManifestMetadata;
    spec?: Record<string, unknown>;
    [field: string]: unknown;
}

/** The `group/version` part of a manifest split into its group ("" for the core group) and version. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
    const slash = apiVersion.lastIndexOf("/");
    return slash < 0
        ? { group: "", version: apiVersion }
        : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
