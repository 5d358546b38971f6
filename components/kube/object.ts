import { asRecord, asStringMap, nonEmptyString } from "./records";

/**
 * A Kubernetes object as plain data, as read from YAML or decoded from a Pulumi resource's inputs.
 * Looser than K8sManifest: hand-written or auto-named objects may lack a name or a namespace.
 */
export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata?: {
        name?: string;
        namespace?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        [field: string]: unknown;
    };
    [field: string]: unknown;
}

/** The object's apiVersion and kind when both are strings, else undefined (not a Kubernetes object). */
export function typeOfObject(value: unknown): { apiVersion: string; kind: string } | undefined {
    const record = asRecord(value);
    const [apiVersion, kind] = [record["apiVersion"], record["kind"]];
    return typeof apiVersion === "string" && typeof kind === "string" ? { apiVersion, kind } : undefined;
}

/** metadata.namespace, or "default" (where the API server puts a namespaced object without one). */
export function namespaceOf(object: unknown): string {
    return nonEmptyString(asRecord(asRecord(object)["metadata"])["namespace"]) ?? "default";
}

/** metadata.name when it is a non-empty string. */
export function nameOf(object: unknown): string | undefined {
    return nonEmptyString(asRecord(asRecord(object)["metadata"])["name"]);
}

export function labelsOf(object: unknown): Record<string, string> {
    return asStringMap(asRecord(asRecord(object)["metadata"])["labels"]);
}

export function annotationsOf(object: unknown): Record<string, string> {
    return asStringMap(asRecord(asRecord(object)["metadata"])["annotations"]);
}
