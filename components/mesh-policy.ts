import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { compileMeshPolicyReport } from "./compile/mesh-policy";
import { childResourceName } from "./compile/naming";
import { K8sManifest } from "./manifest";
import { MeshPolicyInput } from "./model/mesh-policy";
import { checkNamespaceDependencies } from "./model/namespace-dependencies";

/**
 * MeshPolicy arguments: the plain service graph (not Outputs — it decides which resources exist,
 * so it is validated synchronously) and what the emitted objects must wait for.
 */
export interface MeshPolicyArgs extends MeshPolicyInput {
    /** Resources every emitted object depends on: typically the mesh install (the Istio CRDs). */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
    /**
     * Resources only the objects of one namespace depend on, keyed by namespace: typically that
     * namespace's `MeshNamespace.ready`. Keys must be namespaces of the declared services.
     * Prefer this to listing every namespace in `dependsOn`, which makes each object depend on
     * all of them (dependency edges then grow as objects × namespaces).
     */
    namespaceDependsOn?: Record<string, pulumi.Input<pulumi.Resource>[]>;
}

/**
 * Service relationships → Istio security resources: registers exactly the manifests
 * `compileMeshPolicy` returns, one CustomResource each, parented to this component.
 */
export class MeshPolicy extends pulumi.ComponentResource {
    static readonly TYPE = "meshguard:policy:MeshPolicy";

    /** The compiled manifests, in registration order (plain objects, as `compileMeshPolicy` returns them). */
    readonly manifests: readonly K8sManifest[];
    /** One resource per manifest, in the same order. */
    readonly resources: readonly k8s.apiextensions.CustomResource[];

    constructor(name: string, args: MeshPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        const { dependsOn, namespaceDependsOn, ...input } = args ?? ({} as MeshPolicyArgs);
        const subject = `MeshPolicy "${name}" args`;
        // Validated and compiled before anything is registered: bad input throws, nothing is emitted.
        const { manifests, warnings } = compileMeshPolicyReport(input, subject);
        checkNamespaceDependencies(namespaceDependsOn, input.services.map((service) => service.namespace), subject);
        super(MeshPolicy.TYPE, name, {}, opts);
        // Valid but probably not meant (e.g. a plain gateway caller making a JWT optional): shown in the preview, attached to this component.
        for (const warning of warnings) void pulumi.log.warn(`MeshPolicy "${name}": ${warning.path}: ${warning.message}`, this);
        const shared = pulumi.mergeOptions({ parent: this }, dependsOn === undefined ? {} : { dependsOn });
        const perNamespace = new Map(Object.entries(namespaceDependsOn ?? {}).map(([ns, own]) => [ns, pulumi.mergeOptions(shared, { dependsOn: own })]));
        this.manifests = manifests;
        this.resources = manifests.map(
            (manifest) =>
                new k8s.apiextensions.CustomResource(
                    childResourceName(name, manifest.metadata.namespace, manifest.metadata.name),
                    { apiVersion: manifest.apiVersion, kind: manifest.kind, metadata: manifest.metadata, spec: manifest.spec },
                    perNamespace.get(manifest.metadata.namespace ?? "") ?? shared,
                ),
        );
        this.registerOutputs({ manifests: this.manifests });
    }
}
