import { PolicyResource, UnknownValueError } from "@pulumi/policy";
import { GATEWAY_API_GROUP, WaypointIndex } from "../../components/istio";
import { parseKubernetesType } from "./kinds";
import { asRecord, KubeObject, readKubeObject } from "./object";
import { knownRecord, readWithUnknowns } from "./preview-values";
import { MeshStack } from "./stack";

/** The kinds a policy's targetRefs name that the stack may create (istiod's allowed kinds, less GatewayClass). */
export type TargetObjectKind = "Service" | "ServiceEntry" | "Gateway";

/** Where a `ns/name` key stands for an object whose namespace is unknown at preview. */
export const ANY_NAMESPACE = "*";

/** The objects targetRefs can name, as the stack declares them. */
export interface TargetObjects {
    /** `ns/name` → object, per kind. */
    readonly objects: ReadonlyMap<TargetObjectKind, ReadonlyMap<string, KubeObject>>;
    /** Namespaces (or ANY_NAMESPACE) holding an object of the kind whose name or namespace is unknown at preview. */
    readonly unknown: ReadonlyMap<TargetObjectKind, ReadonlySet<string>>;
    /** Waypoints and gateway classes, read by the shared reader (components/istio/waypoints.ts). */
    readonly waypoints: WaypointIndex;
}

function kindOf(type: string): TargetObjectKind | undefined {
    const parsed = parseKubernetesType(type);
    if (parsed === undefined) return undefined;
    if (parsed.group === "" && parsed.kind === "Service") return "Service";
    if (parsed.group === "networking.istio.io" && parsed.kind === "ServiceEntry") return "ServiceEntry";
    if (parsed.group === GATEWAY_API_GROUP && (parsed.kind === "Gateway" || parsed.kind === "GatewayClass")) return "Gateway";
    return undefined;
}

/**
 * Reads the Services, ServiceEntries and Gateway API Gateways (and GatewayClasses) of the stack.
 * An object whose metadata (or a Gateway's spec) is unknown at preview is remembered by namespace,
 * so a reference it might satisfy is reported as unverifiable, never as missing or present.
 */
export function readTargetObjects(resources: readonly PolicyResource[], stack: MeshStack): TargetObjects {
    const objects = new Map<TargetObjectKind, Map<string, KubeObject>>([["Service", new Map()], ["ServiceEntry", new Map()], ["Gateway", new Map()]]);
    const unknown = new Map<TargetObjectKind, Set<string>>([["Service", new Set()], ["ServiceEntry", new Set()], ["Gateway", new Set()]]);
    const gatewayApiObjects: unknown[] = [];
    for (const resource of resources) {
        const kind = kindOf(resource.type);
        if (kind === undefined) continue;
        const objectKind = parseKubernetesType(resource.type)?.kind ?? kind;
        const source = { props: resource.props, name: resource.name, providerProps: resource.provider?.props };
        try {
            // A Gateway's class and listeners decide whether it is a waypoint: read it whole.
            const object = readKubeObject(source, objectKind, { wholeObject: kind === "Gateway", clusterScoped: objectKind === "GatewayClass" });
            if (kind === "Gateway") {
                // The type token, not the inputs, names the kind; the namespace may be the provider's.
                const metadata = { ...asRecord(object.body["metadata"]), ...(object.namespace === undefined ? {} : { namespace: object.namespace }) };
                gatewayApiObjects.push({ ...object.body, apiVersion: `${GATEWAY_API_GROUP}/${parseKubernetesType(resource.type)?.version ?? "v1"}`, kind: objectKind, metadata });
            }
            if (objectKind === "GatewayClass") continue;
            objects.get(kind)?.set(`${object.namespace}/${object.name}`, object);
        } catch (err) {
            if (!(err instanceof UnknownValueError)) throw err;
            if (objectKind === "GatewayClass") continue;
            const namespace = knownRecord(readWithUnknowns(resource.props["metadata"]))?.["namespace"];
            unknown.get(kind)?.add(typeof namespace === "string" && namespace !== "" ? namespace : ANY_NAMESPACE);
        }
    }
    const namespaces = [...stack.namespaces.values()].map((ns) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns.name, labels: ns.labels } }));
    return { objects, unknown, waypoints: new WaypointIndex([...namespaces, ...gatewayApiObjects]) };
}

/** True when an object of `kind` unknown at preview might be `namespace/…`. */
export function mayBeUnknown(targets: TargetObjects, kind: TargetObjectKind, namespace: string): boolean {
    const set = targets.unknown.get(kind);
    return set !== undefined && (set.has(namespace) || set.has(ANY_NAMESPACE));
}
