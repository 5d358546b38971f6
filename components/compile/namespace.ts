import { DATAPLANE_MODE_LABEL, INJECTION_LABEL, MANAGED_BY_LABELS, REVISION_LABEL } from "../constants";
import { USE_WAYPOINT_LABEL } from "../istio/waypoints";
import { K8sManifest } from "../manifest";
import { MeshNamespaceInjection, MeshNamespaceMtls, MeshNamespaceSettings, MeshPolicyNamespaceInfo } from "../model/namespace-types";
import { waypointGateway } from "./waypoint";
import { allowNothingPolicy, strictPeerAuthentication } from "./security-manifests";

/** One resource MeshNamespace registers, named `<component>-<suffix>`. */
export type MeshNamespaceStepKey = "namespace" | "mtls" | "defaultDeny" | "waypoint";

export type MeshNamespaceStepLayout =
    /** `existing`: a server-side-apply patch of the labels only (the namespace stays someone else's). */
    | { key: "namespace"; kind: "namespace" | "namespacePatch"; suffix: string; dependsOn: MeshNamespaceStepKey[] }
    | { key: "mtls" | "defaultDeny" | "waypoint"; kind: "manifest"; suffix: string; dependsOn: MeshNamespaceStepKey[]; apiVersion: string; manifestKind: string };

export type MeshNamespaceStep = MeshNamespaceStepLayout & { manifest: K8sManifest };

/** What decides the resource graph of a MeshNamespace (a subset of MeshNamespaceSettings). */
export interface MeshNamespaceLayoutArgs {
    existing: boolean;
    mtls?: MeshNamespaceMtls;
    defaultDeny?: boolean;
    waypoint?: object;
}

export interface MeshNamespacePlan {
    name: string;
    /** What MeshPolicy's `namespaces.<name>` takes (MeshNamespace's `meshPolicyNamespace`). */
    meshPolicyNamespace: MeshPolicyNamespaceInfo;
    /** The labels meshguard sets on the namespace (for an existing one: only these are patched). */
    labels: Record<string, string>;
    steps: MeshNamespaceStep[];
}

/**
 * The namespace (created, or patched when it exists), then its STRICT PeerAuthentication and
 * allow-nothing AuthorizationPolicy. Both policies are on by default: a namespace in the mesh is
 * default-deny (ztunnel enforces both in ambient mode: docs/ambient.md). With injection "disabled"
 * the schema requires them to be chosen explicitly. Last the waypoint Gateway of an ambient
 * namespace, after the namespace whose label names it.
 */
export function meshNamespaceLayout(args: MeshNamespaceLayoutArgs): MeshNamespaceStepLayout[] {
    const steps: MeshNamespaceStepLayout[] = [
        { key: "namespace", kind: args.existing ? "namespacePatch" : "namespace", suffix: "namespace", dependsOn: [] },
    ];
    if ((args.mtls ?? true) !== false) {
        const { apiVersion, kind } = strictPeerAuthentication("");
        steps.push({ key: "mtls", kind: "manifest", suffix: "mtls", dependsOn: ["namespace"], apiVersion, manifestKind: kind });
    }
    if (args.defaultDeny ?? true) {
        const { apiVersion, kind } = allowNothingPolicy("");
        steps.push({ key: "defaultDeny", kind: "manifest", suffix: "default-deny", dependsOn: ["namespace"], apiVersion, manifestKind: kind });
    }
    if (args.waypoint) {
        const { apiVersion, kind } = waypointGateway("", "");
        steps.push({ key: "waypoint", kind: "manifest", suffix: "waypoint", dependsOn: ["namespace"], apiVersion, manifestKind: kind });
    }
    return steps;
}

/**
 * The injection label of a namespace: exactly one of `istio-injection` and `istio.io/rev`. Without
 * an explicit mode it follows the mesh (`meshInjectionLabels`), or is "enabled" without a mesh.
 */
export function namespaceInjectionLabels(
    injection: MeshNamespaceInjection | undefined,
    meshInjectionLabels?: Record<string, string>,
): Record<string, string> {
    if (injection === undefined) return meshInjectionLabels ? { ...meshInjectionLabels } : { [INJECTION_LABEL]: "enabled" };
    if (typeof injection === "object") return { [REVISION_LABEL]: injection.revision };
    return { [INJECTION_LABEL]: injection };
}

/** Validated MeshNamespace args → the exact objects it registers. */
export function compileMeshNamespace(settings: MeshNamespaceSettings, meshInjectionLabels?: Record<string, string>): MeshNamespacePlan {
    const { name } = settings;
    const waypoint = settings.waypoint?.name;
    // One data plane per namespace: the ambient label replaces the injection label, never joins it.
    const dataplaneLabels: Record<string, string> =
        settings.dataplane === "ambient"
            ? { [DATAPLANE_MODE_LABEL]: "ambient", ...(waypoint !== undefined ? { [USE_WAYPOINT_LABEL]: waypoint } : {}) }
            : namespaceInjectionLabels(settings.injection, meshInjectionLabels);
    const labels = { ...settings.labels, ...dataplaneLabels };
    const steps = meshNamespaceLayout(settings).map((layout): MeshNamespaceStep => {
        switch (layout.key) {
            case "namespace":
                return { ...layout, manifest: namespaceManifest(name, labels, settings.existing) };
            case "mtls":
                return { ...layout, manifest: namespacePeerAuthentication(name, settings.mtls) };
            case "defaultDeny":
                return { ...layout, manifest: allowNothingPolicy(name) };
            case "waypoint":
                return { ...layout, manifest: waypointGateway(name, waypoint!) };
        }
    });
    const meshPolicyNamespace: MeshPolicyNamespaceInfo = { dataplane: settings.dataplane ?? "sidecar", ...(waypoint !== undefined ? { waypoint } : {}) };
    return { name, meshPolicyNamespace, labels, steps };
}

/**
 * The namespace-wide PeerAuthentication: STRICT, or PERMISSIVE when chosen explicitly for a
 * migration. Same object name either way, so switching PERMISSIVE → STRICT updates it in place.
 */
function namespacePeerAuthentication(name: string, mtls: MeshNamespaceMtls | undefined): K8sManifest {
    const strict = strictPeerAuthentication(name);
    return mtls === "PERMISSIVE" ? { ...strict, spec: { mtls: { mode: "PERMISSIVE" } } } : strict;
}

function namespaceManifest(name: string, labels: Record<string, string>, existing: boolean): K8sManifest {
    // A patched namespace belongs to someone else: meshguard adds its labels, not a managed-by claim.
    const metadataLabels = existing ? labels : { ...MANAGED_BY_LABELS, ...labels };
    return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: metadataLabels } };
}
