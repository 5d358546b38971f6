import { istioKindFromType, IstioSecurityKind } from "../../components/istio";

/** A Kubernetes resource type token `kubernetes:<group>/<version>:<Kind>` split into its parts. */
export interface KubernetesType {
    /** "" for the core group (`kubernetes:core/v1:Namespace`). */
    readonly group: string;
    readonly version: string;
    readonly kind: string;
}

/**
 * Parses a Pulumi Kubernetes type token. Typed resources, raw CustomResources, YAML ConfigFile /
 * ConfigGroup children and Helm-rendered children all register under this form.
 */
export function parseKubernetesType(type: string): KubernetesType | undefined {
    const match = /^kubernetes:([^:]+):([^:]+)$/.exec(type);
    if (match === null) return undefined;
    const slash = match[1].lastIndexOf("/");
    const group = slash < 0 ? "" : match[1].slice(0, slash);
    const version = slash < 0 ? match[1] : match[1].slice(slash + 1);
    return { group: group === "core" ? "" : group, version, kind: match[2] };
}

/** The Istio kind of a resource type, matched on group + kind for every served version. */
export function istioKindOfType(type: string): IstioSecurityKind | undefined {
    return istioKindFromType(type);
}

/** Where the pod template (metadata + spec) sits inside each workload kind. */
const WORKLOAD_KINDS: Readonly<Record<string, { groups: readonly string[]; template: readonly string[] }>> = {
    Pod: { groups: [""], template: [] },
    ReplicationController: { groups: [""], template: ["spec", "template"] },
    Deployment: { groups: ["apps", "extensions"], template: ["spec", "template"] },
    StatefulSet: { groups: ["apps"], template: ["spec", "template"] },
    DaemonSet: { groups: ["apps", "extensions"], template: ["spec", "template"] },
    ReplicaSet: { groups: ["apps", "extensions"], template: ["spec", "template"] },
    Job: { groups: ["batch"], template: ["spec", "template"] },
    CronJob: { groups: ["batch"], template: ["spec", "jobTemplate", "spec", "template"] },
};

export interface WorkloadType {
    readonly kind: string;
    /** Property path of the pod template ([] for a Pod: its own metadata and spec). */
    readonly template: readonly string[];
}

/** The workload kind (and pod template path) of a resource type, any version. */
export function workloadTypeOf(type: string): WorkloadType | undefined {
    const parsed = parseKubernetesType(type);
    if (parsed === undefined || !Object.prototype.hasOwnProperty.call(WORKLOAD_KINDS, parsed.kind)) return undefined;
    const known = WORKLOAD_KINDS[parsed.kind];
    return known.groups.includes(parsed.group) ? { kind: parsed.kind, template: known.template } : undefined;
}

/** "Namespace" for a namespace the stack creates, "NamespacePatch" for one it labels. */
export function namespaceTypeOf(type: string): "Namespace" | "NamespacePatch" | undefined {
    const parsed = parseKubernetesType(type);
    if (parsed === undefined || parsed.group !== "") return undefined;
    return parsed.kind === "Namespace" || parsed.kind === "NamespacePatch" ? parsed.kind : undefined;
}

/** Helm installers whose inputs (chart, version, values) the pack inspects. */
export const HELM_CHART_TYPE = "kubernetes:helm.sh/v4:Chart";
export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
/** The v3 Chart (a local component rendering in the program) carries the same inputs. */
export const HELM_V3_CHART_TYPE = "kubernetes:helm.sh/v3:Chart";

export function isHelmInstallType(type: string): boolean {
    return type === HELM_CHART_TYPE || type === HELM_RELEASE_TYPE || type === HELM_V3_CHART_TYPE;
}
