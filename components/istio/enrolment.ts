import { DATAPLANE_MODE_LABEL, INJECTION_LABEL, REVISION_LABEL, SIDECAR_INJECT_KEY } from "../constants";

/**
 * Mesh membership, decided once for the simulator, `explain`, `reachability`, the renderer and the
 * policy pack. Sources (Istio 1.30):
 * - sidecar injection: which webhook the API server calls is decided by label selectors
 *   (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml):
 *     namespace.      namespace istio-injection In [enabled];            pod sidecar.istio.io/inject NotIn [false]
 *     object.         namespace istio-injection, istio.io/rev DoesNotExist; pod sidecar.istio.io/inject In [true], istio.io/rev DoesNotExist
 *     rev.namespace.  namespace istio.io/rev In [<rev>], istio-injection DoesNotExist; pod sidecar.istio.io/inject NotIn [false]
 *     rev.object.     namespace istio.io/rev, istio-injection DoesNotExist; pod istio.io/rev In [<rev>], sidecar.istio.io/inject NotIn [false]
 *   then istiod's injectRequired (pkg/kube/inject/inject.go) skips hostNetwork pods and the
 *   namespaces kube-system, kube-public, kube-node-lease, local-path-storage
 *   (pkg/kube/inject/initializer.go IgnoredNamespaces), prefers the pod LABEL
 *   sidecar.istio.io/inject over the annotation of the same name, and accepts only "true"/"false"
 *   (exact, case-sensitive: any other value falls back to the default policy, which injects).
 *   Label selectors compare values exactly, so `istio-injection=Enabled` selects no webhook.
 * - ambient: istio-cni's enablement selectors (manifests/charts/istio-cni/values.yaml
 *   ambient.enablementSelectors; cni/pkg/util/enablement_selector.go): pod label
 *   istio.io/dataplane-mode=ambient, or namespace label istio.io/dataplane-mode=ambient and pod
 *   label istio.io/dataplane-mode NotIn [none]; never for hostNetwork pods or pods with a sidecar.
 * Revisions: any non-empty istio.io/rev is taken to name an installed control plane revision.
 */

/** Namespaces istiod never injects (pkg/kube/inject/initializer.go IgnoredNamespaces). */
export const NEVER_INJECTED_NAMESPACES: readonly string[] = ["kube-system", "kube-public", "kube-node-lease", "local-path-storage"];

export type Dataplane = "sidecar" | "ambient" | "none";

/** A contradiction or an unknown value found on the way: worth telling, never a different verdict. */
export interface EnrolmentNote {
    readonly scope: "namespace" | "pod";
    /** `metadata.labels["istio-injection"]` (of the namespace, or of the pod template). */
    readonly path: string;
    readonly problem: string;
    readonly fix: string;
    /** True when Istio's outcome does not depend on it (a contradiction the label settles). */
    readonly advisory?: boolean;
    /** "two-dataplanes": labelled for sidecar injection and ambient at once (the pack's namespace-one-dataplane). */
    readonly code?: "two-dataplanes";
}

/** What a namespace's labels do to the pods created in it. */
export interface NamespaceEnrolment {
    /** sidecar: a namespace webhook injects; ambient: ztunnel captures; disabled: istio-injection=disabled; none: neither. */
    readonly mode: "sidecar" | "ambient" | "disabled" | "none";
    /** The label (`istio-injection=enabled`) that decided the mode, when one did. */
    readonly label?: string;
    /** Pods may opt in themselves (object webhooks): only when neither istio-injection nor istio.io/rev is set. */
    readonly podOptIn: boolean;
    /** Ambient enrolment of the namespace (istio.io/dataplane-mode=ambient). */
    readonly ambient: boolean;
    readonly notes: readonly EnrolmentNote[];
}

/** The pod facts mesh membership depends on. */
export interface PodEnrolmentInput {
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly hostNetwork?: boolean;
}

/** The namespace of a workload: its labels, or undefined when the namespace is not among the objects. */
export interface NamespaceInput {
    readonly name: string;
    readonly labels?: Readonly<Record<string, string>>;
}

export type OutsideCause = "namespace" | "pod" | "host-network" | "system-namespace";

export interface WorkloadEnrolment {
    readonly dataplane: Dataplane;
    readonly inMesh: boolean;
    /** Why, naming the label: "namespace shop is labelled istio-injection=enabled". */
    readonly reason: string;
    /** What keeps the workload out of the mesh (only when outside). */
    readonly cause?: OutsideCause;
    /** The field that decided, relative to the namespace (cause "namespace") or the pod template. */
    readonly path?: string;
    readonly notes: readonly EnrolmentNote[];
}

const labelPath = (key: string) => `metadata.labels["${key}"]`;
const annotationPath = (key: string) => `metadata.annotations["${key}"]`;

function has(record: Readonly<Record<string, string>>, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(record, key);
}

/** What the labels of a namespace do (see the webhook table above). */
export function namespaceEnrolment(labels: Readonly<Record<string, string>>): NamespaceEnrolment {
    const notes: EnrolmentNote[] = [];
    const injection = has(labels, INJECTION_LABEL) ? labels[INJECTION_LABEL] : undefined;
    const revision = has(labels, REVISION_LABEL) ? labels[REVISION_LABEL] : undefined;
    const dataplane = has(labels, DATAPLANE_MODE_LABEL) ? labels[DATAPLANE_MODE_LABEL] : undefined;
    const ambient = dataplane === "ambient";
    if (dataplane !== undefined && dataplane !== "ambient" && dataplane !== "none") {
        notes.push({
            scope: "namespace",
            path: labelPath(DATAPLANE_MODE_LABEL),
            problem: `has the unknown value ${quote(dataplane)} (istio-cni enrols only "ambient", exactly), so it enrols nothing`,
            fix: `set ${DATAPLANE_MODE_LABEL}=ambient, or remove the label`,
        });
    }
    let mode: NamespaceEnrolment["mode"];
    let label: string | undefined;
    if (injection === "enabled") {
        mode = "sidecar";
        label = `${INJECTION_LABEL}=enabled`;
        if (revision !== undefined) {
            notes.push({
                scope: "namespace",
                path: labelPath(REVISION_LABEL),
                problem: `${REVISION_LABEL}=${quote(revision)} is ignored: the revision webhooks require ${INJECTION_LABEL} to be absent, so the default revision injects the pods, not the one you chose`,
                fix: `keep only one of the two labels (${REVISION_LABEL}=<revision> for revisioned control planes, ${INJECTION_LABEL}=enabled otherwise)`,
            });
        }
    } else if (injection === "disabled") {
        mode = "disabled";
        label = `${INJECTION_LABEL}=disabled`;
    } else if (injection !== undefined) {
        mode = "none";
        label = `${INJECTION_LABEL}=${quote(injection)}`;
        notes.push({
            scope: "namespace",
            path: labelPath(INJECTION_LABEL),
            problem: `has the unknown value ${quote(injection)}: the injection webhooks select only "enabled" (exactly), and its presence also turns off pod-level opt-in, so no pod of the namespace gets a sidecar`,
            fix: `set ${INJECTION_LABEL}=enabled`,
        });
    } else if (revision !== undefined && revision !== "") {
        mode = "sidecar";
        label = `${REVISION_LABEL}=${revision}`;
    } else if (revision === "") {
        mode = "none";
        label = `${REVISION_LABEL}=""`;
        notes.push({
            scope: "namespace",
            path: labelPath(REVISION_LABEL),
            problem: "is empty: no revision webhook selects an empty revision, and its presence also turns off pod-level opt-in, so no pod of the namespace gets a sidecar",
            fix: `set ${REVISION_LABEL}=<revision> (or ${INJECTION_LABEL}=enabled)`,
        });
    } else {
        mode = "none";
    }
    if (mode === "sidecar" && ambient) {
        notes.push({
            scope: "namespace",
            path: labelPath(DATAPLANE_MODE_LABEL),
            problem: "the namespace is labelled for both sidecar injection and ambient mode; injected pods are skipped by ambient, so the data plane each pod gets is not the one you may expect",
            fix: `choose one data plane: remove ${DATAPLANE_MODE_LABEL}=ambient or the sidecar injection label`,
            code: "two-dataplanes",
        });
    }
    if (mode === "none" && ambient) {
        mode = "ambient";
        label = `${DATAPLANE_MODE_LABEL}=ambient`;
    }
    return { mode, label, podOptIn: injection === undefined && revision === undefined, ambient, notes };
}

/**
 * The data plane a workload's pods get. A namespace not among the objects (labels undefined) is
 * assumed labelled for injection (istio-injection=enabled): the pod decides.
 */
export function workloadEnrolment(namespace: NamespaceInput, pod: PodEnrolmentInput): WorkloadEnrolment {
    const assumed = namespace.labels === undefined;
    const ns = namespaceEnrolment(namespace.labels ?? { [INJECTION_LABEL]: "enabled" });
    const notes: EnrolmentNote[] = assumed ? [] : [...ns.notes];
    notes.push(...podNotes(pod));
    if (pod.hostNetwork === true) {
        return { dataplane: "none", inMesh: false, cause: "host-network", path: "spec.hostNetwork", reason: "its pods use the host network (spec.hostNetwork: true), which Istio never injects nor captures", notes };
    }
    const sidecar = sidecarInjection(namespace, ns, assumed, pod);
    if (sidecar.injected) return { dataplane: "sidecar", inMesh: true, reason: sidecar.reason, notes };
    const ambient = ambientEnrolment(namespace, ns, pod);
    if (ambient !== undefined) return { dataplane: "ambient", inMesh: true, reason: ambient, notes };
    if (ns.ambient && sidecar.cause === "namespace") {
        const reason = `pod label ${DATAPLANE_MODE_LABEL}=none opts its pods out of ambient (namespace ${namespace.name} is labelled ${DATAPLANE_MODE_LABEL}=ambient)`;
        return { dataplane: "none", inMesh: false, cause: "pod", path: labelPath(DATAPLANE_MODE_LABEL), reason, notes };
    }
    return { dataplane: "none", inMesh: false, cause: sidecar.cause, path: sidecar.path, reason: sidecar.reason, notes };
}

interface SidecarOutcome {
    readonly injected: boolean;
    readonly reason: string;
    readonly cause?: OutsideCause;
    readonly path?: string;
}

function sidecarInjection(namespace: NamespaceInput, ns: NamespaceEnrolment, assumed: boolean, pod: PodEnrolmentInput): SidecarOutcome {
    const label = has(pod.labels, SIDECAR_INJECT_KEY) ? pod.labels[SIDECAR_INJECT_KEY] : undefined;
    const podRevision = has(pod.labels, REVISION_LABEL) ? pod.labels[REVISION_LABEL] : undefined;
    const nsText = assumed ? `namespace ${namespace.name} is not among the objects (assumed labelled ${INJECTION_LABEL}=enabled)` : `namespace ${namespace.name} is labelled ${ns.label}`;
    let selectedBy: string | undefined;
    if (ns.mode === "sidecar") {
        if (label === "false") return podOut(`pod label ${SIDECAR_INJECT_KEY}=false`, labelPath(SIDECAR_INJECT_KEY));
        selectedBy = nsText;
    } else if (ns.podOptIn) {
        if (label === "false") return podOut(`pod label ${SIDECAR_INJECT_KEY}=false`, labelPath(SIDECAR_INJECT_KEY));
        if (podRevision !== undefined && podRevision !== "") selectedBy = `pod label ${REVISION_LABEL}=${podRevision} (namespace ${namespace.name} has no injection label)`;
        else if (podRevision === undefined && label === "true") selectedBy = `pod label ${SIDECAR_INJECT_KEY}=true (namespace ${namespace.name} has no injection label)`;
    }
    if (selectedBy === undefined) return namespaceOut(namespace, ns);
    if (NEVER_INJECTED_NAMESPACES.includes(namespace.name)) {
        return { injected: false, cause: "system-namespace", reason: `namespace ${namespace.name} is one istiod never injects` };
    }
    // injectRequired: the label, when present, hides the annotation.
    if (label === undefined && pod.annotations[SIDECAR_INJECT_KEY] === "false") {
        return podOut(`pod annotation ${SIDECAR_INJECT_KEY}=false`, annotationPath(SIDECAR_INJECT_KEY));
    }
    return { injected: true, reason: selectedBy };
}

function podOut(what: string, path: string): SidecarOutcome {
    return { injected: false, cause: "pod", path, reason: `${what} opts its pods out of sidecar injection` };
}

function namespaceOut(namespace: NamespaceInput, ns: NamespaceEnrolment): SidecarOutcome {
    const path = labelPath(INJECTION_LABEL);
    if (ns.mode === "disabled") return { injected: false, cause: "namespace", path, reason: `namespace ${namespace.name} is labelled ${INJECTION_LABEL}=disabled` };
    if (ns.label !== undefined && ns.mode === "none") {
        return { injected: false, cause: "namespace", path: ns.label.startsWith(REVISION_LABEL) ? labelPath(REVISION_LABEL) : path, reason: `namespace ${namespace.name} is labelled ${ns.label}, which no injection webhook selects` };
    }
    const optIn = ns.podOptIn ? " and its pods do not opt in" : "";
    return { injected: false, cause: "namespace", path, reason: `namespace ${namespace.name} has no ${INJECTION_LABEL}, ${REVISION_LABEL} or ${DATAPLANE_MODE_LABEL} label${optIn}` };
}

function ambientEnrolment(namespace: NamespaceInput, ns: NamespaceEnrolment, pod: PodEnrolmentInput): string | undefined {
    const podMode = has(pod.labels, DATAPLANE_MODE_LABEL) ? pod.labels[DATAPLANE_MODE_LABEL] : undefined;
    if (podMode === "ambient") return `pod label ${DATAPLANE_MODE_LABEL}=ambient`;
    if (ns.ambient && podMode !== "none") return `namespace ${namespace.name} is labelled ${DATAPLANE_MODE_LABEL}=ambient`;
    return undefined;
}

function podNotes(pod: PodEnrolmentInput): EnrolmentNote[] {
    const notes: EnrolmentNote[] = [];
    const label = has(pod.labels, SIDECAR_INJECT_KEY) ? pod.labels[SIDECAR_INJECT_KEY] : undefined;
    const annotation = has(pod.annotations, SIDECAR_INJECT_KEY) ? pod.annotations[SIDECAR_INJECT_KEY] : undefined;
    for (const [value, path] of [[label, labelPath(SIDECAR_INJECT_KEY)], [annotation, annotationPath(SIDECAR_INJECT_KEY)]] as const) {
        if (value === undefined || value === "true" || value === "false") continue;
        notes.push({
            scope: "pod",
            path,
            problem: `has the unknown value ${quote(value)}: Istio accepts only "true" or "false" (exactly) and falls back to the namespace's injection policy`,
            fix: `set it to "true" or "false"`,
        });
    }
    if (label !== undefined && annotation !== undefined && label !== annotation) {
        notes.push({
            scope: "pod",
            path: annotationPath(SIDECAR_INJECT_KEY),
            problem: `says ${quote(annotation)} but the label says ${quote(label)}; Istio reads only the label when both are set, so the annotation has no effect`,
            fix: `remove the deprecated annotation ${SIDECAR_INJECT_KEY} and keep the label`,
            advisory: true,
        });
    }
    const podMode = has(pod.labels, DATAPLANE_MODE_LABEL) ? pod.labels[DATAPLANE_MODE_LABEL] : undefined;
    if (podMode !== undefined && podMode !== "ambient" && podMode !== "none") {
        notes.push({
            scope: "pod",
            path: labelPath(DATAPLANE_MODE_LABEL),
            problem: `has the unknown value ${quote(podMode)} (istio-cni knows only "ambient" and "none", exactly)`,
            fix: `set ${DATAPLANE_MODE_LABEL} to "ambient" or "none", or remove it`,
        });
    }
    return notes;
}

/** Quoted and truncated user input for messages. */
function quote(value: string): string {
    return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value);
}
