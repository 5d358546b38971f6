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

export { splitApiVersion } from "./kube";
