import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { compileMeshNamespace, MeshNamespaceStep, MeshNamespaceStepKey, MeshNamespaceStepLayout, meshNamespaceLayout } from "./compile/namespace";
import { MeshguardValidationError } from "./errors";
import { IstioMesh } from "./istio-mesh";
import { checkDataplaneWithMesh, checkInjectionInAmbientMesh, checkInjectionWithMesh, MESH_NAMESPACE_PLAIN_FIELDS, meshNamespaceArgsSchema, meshNamespaceLayoutSchema } from "./model/namespace";
import type { MeshNamespaceDataplane, MeshPolicyNamespaceInfo } from "./model/namespace-types";
import { resolveInputs } from "./resolve-inputs";
import { planStep, registerSteps, stepResources } from "./step-registration";

export interface MeshNamespaceArgs {
    /** The namespace name. */
    name: pulumi.Input<string>;
    /**
     * "sidecar" or "ambient" (label istio.io/dataplane-mode=ambient instead of an injection label;
     * docs/ambient.md). Default: the mesh's data plane with `mesh`, else "sidecar".
     */
    dataplane?: MeshNamespaceDataplane;
    /**
     * Ambient only: a waypoint (Gateway API `Gateway`, class istio-waypoint) enforcing L7 policy for
     * the namespace's services, and istio.io/use-waypoint=<name> on the namespace. `true` names it
     * "waypoint".
     */
    waypoint?: boolean | { name?: string };
    /**
     * "enabled" (istio-injection=enabled), "disabled" (istio-injection=disabled, an explicit opt-out)
     * or {revision} (istio.io/rev=<revision>). Default: the mesh's label with `mesh`, else "enabled".
     */
    injection?: "enabled" | "disabled" | { revision: pulumi.Input<string> };
    /** Label an existing namespace (server-side-apply patch, no ownership) instead of creating it. */
    existing?: boolean;
    /** Extra namespace labels (not the injection labels, which `injection` owns). */
    labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Namespace-wide PeerAuthentication: true or "STRICT" (default), "PERMISSIVE" to accept plaintext
     * during a migration to STRICT (the policy pack refuses it unless configured: docs/migration.md),
     * false for none (the mesh-wide policy applies).
     */
    mtls?: boolean | "STRICT" | "PERMISSIVE";
    /** allow-nothing AuthorizationPolicy: the namespace is default-deny (default true). */
    defaultDeny?: boolean;
    /** The mesh to join: the namespace takes its injection label and waits until it is ready. */
    mesh?: IstioMesh;
}

/**
 * A namespace in the mesh: labelled for sidecar injection or ambient (created, or patched when it
 * exists), by default STRICT mTLS and default-deny, and in ambient optionally a waypoint.
 */
export class MeshNamespace extends pulumi.ComponentResource {
    static readonly TYPE = "meshguard:namespace:MeshNamespace";

    /** The namespace name. */
    readonly namespace: pulumi.Output<string>;
    /** The labels meshguard set on it. */
    readonly labels: pulumi.Output<Record<string, string>>;
    /** Its data plane and waypoint, to pass to MeshPolicy as `namespaces: { [ns]: meshPolicyNamespace }`. */
    readonly meshPolicyNamespace: pulumi.Output<MeshPolicyNamespaceInfo>;
    /** Depend on these before deploying workloads or policies into the namespace. */
    readonly ready: pulumi.Resource[];
    /** Every child, by step. */
    readonly resources: Readonly<Partial<Record<MeshNamespaceStepKey, pulumi.Resource>>>;

    constructor(name: string, args: MeshNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        const subject = `MeshNamespace "${name}" args`;
        const { mesh, ...given } = args ?? ({} as MeshNamespaceArgs);
        const isMesh = mesh instanceof IstioMesh;
        // Without its own data plane the namespace takes the mesh's (an ambient mesh enrols namespaces in ambient).
        const rest = given.dataplane === undefined && isMesh ? { ...given, dataplane: mesh.dataplane } : given;
        const meshIssues = mesh !== undefined && !isMesh
            ? [{ path: "mesh", message: "must be an IstioMesh" }]
            : [
                ...(rest.dataplane !== "ambient" ? checkInjectionWithMesh(rest.injection, mesh !== undefined) : given.dataplane === undefined ? checkInjectionInAmbientMesh(rest.injection) : []),
                ...checkDataplaneWithMesh(rest.dataplane, isMesh ? mesh.dataplane : undefined),
            ];
        if (meshIssues.length > 0) throw new MeshguardValidationError(subject, meshIssues);
        // Validated before anything is registered: a bad plain value throws here, nothing is emitted.
        const inputs = resolveInputs(meshNamespaceArgsSchema, rest, subject, MESH_NAMESPACE_PLAIN_FIELDS);
        const layout = inputs.known ?? meshNamespaceLayoutSchema.parse(rest);
        super(MeshNamespace.TYPE, name, {}, opts);

        const plan = pulumi
            .all([inputs.output, mesh ? mesh.injectionLabels : undefined])
            .apply(([settings, meshLabels]) => compileMeshNamespace(settings, meshLabels));
        // The namespace waits for the mesh it joins (its injection webhook, CRDs and mesh-wide mTLS).
        const resources = registerSteps(
            this,
            name,
            meshNamespaceLayout(layout),
            (resourceName, step, opts) => registerStep(resourceName, step, plan.apply((p) => planStep(p.steps, step.key).manifest), opts),
            mesh?.ready ?? [],
        );
        this.resources = resources;
        this.ready = stepResources(resources, ["namespace", "mtls", "defaultDeny", "waypoint"]);

        this.namespace = plan.apply((p) => p.name);
        this.labels = plan.apply((p) => p.labels);
        this.meshPolicyNamespace = plan.apply((p) => p.meshPolicyNamespace);
        this.registerOutputs({ namespace: this.namespace, labels: this.labels, meshPolicyNamespace: this.meshPolicyNamespace });
    }
}

function registerStep(
    resourceName: string,
    layout: MeshNamespaceStepLayout,
    manifest: pulumi.Output<MeshNamespaceStep["manifest"]>,
    opts: pulumi.CustomResourceOptions,
): pulumi.Resource {
    const metadata = manifest.apply((m) => m.metadata);
    switch (layout.kind) {
        case "namespace":
            return new k8s.core.v1.Namespace(resourceName, { metadata }, opts);
        case "namespacePatch":
            return new k8s.core.v1.NamespacePatch(resourceName, { metadata }, opts);
        case "manifest":
            return new k8s.apiextensions.CustomResource(
                resourceName,
                { apiVersion: layout.apiVersion, kind: layout.manifestKind, metadata, spec: manifest.apply((m) => m.spec) },
                opts,
            );
    }
}
