import { DATAPLANE_MODE_LABEL, INJECTION_LABEL, REVISION_LABEL, SIDECAR_INJECT_KEY } from "../../components/constants";

/** How a namespace's labels enrol its pods in the mesh. */
export interface NamespaceEnrolment {
    /** sidecar: injected; ambient: ztunnel; disabled: explicit opt-out; none: not enrolled. */
    readonly mode: "sidecar" | "ambient" | "disabled" | "none";
    /** Labels that contradict each other, with the reason; undefined when consistent. */
    readonly conflict?: { readonly path: string; readonly problem: string; readonly fix: string };
}

/**
 * Istio injection rules for namespace labels: `istio-injection=enabled` or `istio.io/rev=<rev>`
 * inject sidecars, `istio-injection=disabled` opts out (and wins over istio.io/rev),
 * `istio.io/dataplane-mode=ambient` enrols the namespace in ambient mode.
 */
export function namespaceEnrolment(labels: Readonly<Record<string, string>>): NamespaceEnrolment {
    const injection = labels[INJECTION_LABEL];
    const revision = labels[REVISION_LABEL];
    const ambient = labels[DATAPLANE_MODE_LABEL] === "ambient";
    const sidecar = injection === "enabled" || (injection === undefined && revision !== undefined && revision !== "");
    const mode = injection === "disabled" ? "disabled" : sidecar ? "sidecar" : ambient ? "ambient" : "none";
    return { mode, conflict: conflictOf(injection, revision, ambient && sidecar) };
}

function conflictOf(injection: string | undefined, revision: string | undefined, sidecarAndAmbient: boolean): NamespaceEnrolment["conflict"] {
    if (injection !== undefined && revision !== undefined) {
        return {
            path: `metadata.labels["${INJECTION_LABEL}"]`,
            problem: `${INJECTION_LABEL}=${injection} and ${REVISION_LABEL}=${revision} are both set; ${INJECTION_LABEL} takes precedence and the revision label is ignored, so pods are not injected by the control plane revision you chose`,
            fix: `keep only one of the two labels (${REVISION_LABEL}=<revision> for revisioned control planes, ${INJECTION_LABEL}=enabled otherwise)`,
        };
    }
    if (injection !== undefined && injection !== "enabled" && injection !== "disabled") {
        return {
            path: `metadata.labels["${INJECTION_LABEL}"]`,
            problem: `"${injection}" is neither "enabled" nor "disabled", so the injector ignores it and pods run without a sidecar`,
            fix: `set ${INJECTION_LABEL}=enabled`,
        };
    }
    if (sidecarAndAmbient) {
        return {
            path: `metadata.labels["${DATAPLANE_MODE_LABEL}"]`,
            problem: "the namespace is labelled for both sidecar injection and ambient mode; injected pods are skipped by ambient, so the data plane each pod gets is not the one you may expect",
            fix: `choose one data plane: remove ${DATAPLANE_MODE_LABEL}=ambient or the sidecar injection label`,
        };
    }
    return undefined;
}

/** The pod label or annotation that opts a pod out of injection ("false", case-insensitively). */
export function injectionOptOut(labels: Readonly<Record<string, string>>, annotations: Readonly<Record<string, string>>): string | undefined {
    if (labels[SIDECAR_INJECT_KEY]?.toLowerCase() === "false") return `labels["${SIDECAR_INJECT_KEY}"]`;
    if (annotations[SIDECAR_INJECT_KEY]?.toLowerCase() === "false") return `annotations["${SIDECAR_INJECT_KEY}"]`;
    return undefined;
}

/** True when the pod itself asks for injection (label `sidecar.istio.io/inject: "true"` or `istio.io/rev`). */
export function podOptsIn(labels: Readonly<Record<string, string>>): boolean {
    return labels[SIDECAR_INJECT_KEY]?.toLowerCase() === "true" || (labels[REVISION_LABEL] ?? "") !== "";
}
