import { asRecord, asStringMap } from "../../components/kube";

// The plain readers live on the ground floor (components/kube); only the SDK-proxy copy is the pack's.
export { asList, asRecord, asStringMap, isRecord, valueAt } from "../../components/kube";

/**
 * Reading resource properties as the policy SDK hands them over: wrapped in its unknown-checking
 * proxy, which throws `UnknownValueError` on any value not known at preview. Everything a policy
 * inspects is copied through that proxy first, so an unknown value is never mistaken for a
 * compliant one: the SDK reports it ("can't run policy ... during preview").
 */

/** Deep-copies a property value through the SDK proxy (throws UnknownValueError on an unknown). */
export function materialize(value: unknown): unknown {
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) out.push(materialize(value[i]));
        return out;
    }
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) out[key] = materialize((value as Record<string, unknown>)[key]);
        return out;
    }
    return value;
}

/** A Kubernetes object as a policy sees it, with the names messages use. */
export interface KubeObject {
    readonly kind: string;
    readonly apiVersion: string;
    /** metadata.name, or the Pulumi resource name when the provider auto-names the object. */
    readonly name: string;
    readonly autoNamed: boolean;
    /** metadata.namespace, else the provider's namespace, else "default" (undefined: cluster-scoped). */
    readonly namespace?: string;
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
    /** The object as plain data: apiVersion and metadata, or everything with `wholeObject`. */
    readonly body: Record<string, unknown>;
    /** `Kind namespace/name` — how every message names the resource. */
    readonly subject: string;
}

export interface ObjectSource {
    /** Resource inputs (SDK proxy). */
    readonly props: Record<string, unknown>;
    /** The Pulumi resource name. */
    readonly name: string;
    /** Provider inputs (SDK proxy), for the provider's default namespace. */
    readonly providerProps?: Record<string, unknown>;
}

export interface ReadOptions {
    /** Cluster-scoped kinds (Namespace) get no namespace. */
    readonly clusterScoped?: boolean;
    /**
     * Copy the whole object (Istio objects: every field matters). Otherwise only apiVersion and
     * metadata are read, so an unknown value elsewhere (an image built by the same stack) cannot
     * stop a check that does not look at it; the caller reads further fields through the proxy.
     */
    readonly wholeObject?: boolean;
}

/**
 * Reads a Kubernetes object from resource inputs. `kind` comes from the type token (the inputs'
 * `kind` may be absent on typed resources).
 */
export function readKubeObject(source: ObjectSource, kind: string, options: ReadOptions = {}): KubeObject {
    const body = options.wholeObject
        ? asRecord(materialize(source.props))
        : { apiVersion: materialize(source.props["apiVersion"]), metadata: materialize(source.props["metadata"]) };
    const metadata = asRecord(body["metadata"]);
    const metaName = typeof metadata["name"] === "string" && metadata["name"] !== "" ? metadata["name"] : undefined;
    const name = metaName ?? source.name;
    const namespace = options.clusterScoped ? undefined : namespaceOf(metadata, source.providerProps);
    return {
        kind,
        apiVersion: typeof body["apiVersion"] === "string" ? body["apiVersion"] : "",
        name,
        autoNamed: metaName === undefined,
        namespace,
        labels: asStringMap(metadata["labels"]),
        annotations: asStringMap(metadata["annotations"]),
        body,
        subject: subjectOf(kind, namespace, name, metaName === undefined),
    };
}

function namespaceOf(metadata: Record<string, unknown>, providerProps: Record<string, unknown> | undefined): string {
    const own = metadata["namespace"];
    if (typeof own === "string" && own !== "") return own;
    const fromProvider = providerProps === undefined ? undefined : providerProps["namespace"];
    return typeof fromProvider === "string" && fromProvider !== "" ? fromProvider : "default";
}

export function subjectOf(kind: string, namespace: string | undefined, name: string, autoNamed = false): string {
    const shown = autoNamed ? `${name}-<generated>` : name;
    return namespace === undefined ? `${kind} ${shown}` : `${kind} ${namespace}/${shown}`;
}
