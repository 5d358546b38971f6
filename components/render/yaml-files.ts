import { stringify } from "yaml";
import { MANAGED_BY_LABELS } from "../constants";
import { baselineRole, SINGLE_OWNER_FIX } from "../istio/baseline-ownership";
import { KubeObject } from "../kube";

const MANAGED_BY_KEY = "app.kubernetes.io/managed-by";

/** One file of a rendered directory: a path relative to the directory (with `/`) and its text. */
export interface RenderedFile {
    readonly path: string;
    readonly content: string;
}

/** Folder for CustomResourceDefinitions: applied first, as @pulumi/kubernetes renders them. */
export const CRD_FOLDER = "0-crd";
/** Folder for every other object. */
export const MANIFEST_FOLDER = "1-manifest";

/**
 * Where the Kubernetes provider's `renderYamlToDirectory` puts an object:
 * `<0-crd|1-manifest>/<apiVersion>-<kind>-<namespace>-<name>.yaml`, with `/` and `:` of the
 * apiVersion replaced by `_`, the kind lower-cased and "default" for an object without a
 * namespace (cluster-scoped objects included). Characters a file name cannot safely hold (an
 * unknown value's placeholder, say) are replaced by `_` as well.
 */
export function kubernetesYamlPath(object: KubeObject): string {
    const folder = object.kind === "CustomResourceDefinition" ? CRD_FOLDER : MANIFEST_FOLDER;
    const namespace = object.metadata?.namespace || "default";
    const name = object.metadata?.name ?? "";
    const file = [object.apiVersion, object.kind.toLowerCase(), namespace, name].map(fileSafe).join("-");
    return `${folder}/${file}.yaml`;
}

/** The object as one YAML document; apiVersion, kind and metadata first, then its other fields. */
export function kubernetesYaml(object: KubeObject): string {
    const { apiVersion, kind, metadata, ...rest } = object;
    const ordered = metadata === undefined ? { apiVersion, kind, ...rest } : { apiVersion, kind, metadata, ...rest };
    // Kubernetes tooling reads YAML 1.1, where on/off/yes/no/y/n are booleans and 0755 is octal:
    // writing as 1.1 quotes such strings, so a label value "on" stays a string when applied.
    return stringify(ordered, { lineWidth: 0, version: "1.1" });
}

/**
 * One file per object, in the given order. Two objects that would land on the same path (the
 * same apiVersion, kind, namespace and name) are an error: the API server would keep only one.
 */
export function kubernetesYamlFiles(objects: readonly KubeObject[]): RenderedFile[] {
    const seen = new Set<string>();
    return objects.map((object) => {
        const path = kubernetesYamlPath(object);
        if (seen.has(path)) {
            throw new Error(`two objects render to ${path}: ${object.kind} "${object.metadata?.name ?? ""}" is declared twice in namespace "${object.metadata?.namespace || "default"}"${duplicateHint(object)}`);
        }
        seen.add(path);
        return { path, content: kubernetesYaml(object) };
    });
}

/**
 * MeshNamespace and MeshPolicy can both emit a namespace's STRICT PeerAuthentication and
 * allow-nothing policy; say how to keep one owner when that is what collided.
 */
function duplicateHint(object: KubeObject): string {
    const baseline = baselineRole(object.kind, (object as { spec?: unknown }).spec) !== undefined;
    if (!baseline || object.metadata?.labels?.[MANAGED_BY_KEY] !== MANAGED_BY_LABELS[MANAGED_BY_KEY]) return "";
    return ` (a MeshNamespace and a MeshPolicy both emit the namespace baseline: ${SINGLE_OWNER_FIX})`;
}

function fileSafe(part: string): string {
    return part.replace(/[^A-Za-z0-9._-]/g, "_");
}
