import { apiVersionOf, isHelmResource, KubeObject, parseKubernetesType, patchedKind } from "../kube";
import { RegisteredResource } from "../offline/recorder";
import { containsUnknown, toPlainValue } from "../offline/wire-values";

/** A registered Kubernetes object and what the offline preview knows about it. */
export interface PreviewObject {
    readonly resource: RegisteredResource;
    readonly object: KubeObject;
    /** Some value is only known once the resource exists (written as UNKNOWN_PLACEHOLDER). */
    readonly hasUnknowns: boolean;
    /** metadata.name was left to the provider, which appends a random suffix to the resource name. */
    readonly autoNamed: boolean;
}

export { isHelmResource };

/** True for a resource that is one Kubernetes object the provider would apply. */
export function isKubernetesObject(resource: RegisteredResource): boolean {
    return resource.custom && resource.type.startsWith("kubernetes:") && !isHelmResource(resource.type);
}

/**
 * The Kubernetes objects among the registrations, in registration order, as plain data. The
 * apiVersion and kind come from the inputs (the SDK sets them), else from the type token
 * (`kubernetes:<group>/<version>:<Kind>`, "core" being the empty group; `Patch` kinds patch `<Kind>`).
 */
export function previewObjects(resources: readonly RegisteredResource[]): PreviewObject[] {
    return resources.filter(isKubernetesObject).map((resource) => {
        const plain = toPlainValue(resource.inputs) as Record<string, unknown>;
        const fromType = typeParts(resource.type);
        const metadata = (typeof plain["metadata"] === "object" && plain["metadata"] !== null ? plain["metadata"] : {}) as NonNullable<KubeObject["metadata"]>;
        const autoNamed = metadata.name === undefined;
        const object: KubeObject = {
            ...plain,
            apiVersion: typeof plain["apiVersion"] === "string" ? plain["apiVersion"] : fromType.apiVersion,
            kind: typeof plain["kind"] === "string" ? plain["kind"] : fromType.kind,
            metadata: autoNamed ? { ...metadata, name: resource.name } : metadata,
        };
        return { resource, object, hasUnknowns: containsUnknown(resource.inputs), autoNamed };
    });
}

function typeParts(type: string): { apiVersion: string; kind: string } {
    const parsed = parseKubernetesType(type);
    return parsed === undefined ? { apiVersion: "", kind: "" } : { apiVersion: apiVersionOf(parsed.group, parsed.version), kind: patchedKind(parsed.kind) };
}
