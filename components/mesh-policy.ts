import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { compileMeshPolicy } from "./compile/mesh-policy";
import { childResourceName } from "./compile/naming";
import { K8sManifest } from "./manifest";
import { MeshPolicyInput } from "./model/mesh-policy";

/**
 * MeshPolicy arguments: the plain service graph (not Outputs — it decides which resources exist,
 * so it is validated synchronously) and what the emitted objects must wait for.
 */
export interface MeshPolicyArgs extends MeshPolicyInput {
    /** Resources every emitted object depends on: the mesh install (Istio CRDs), the namespaces. */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
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
        const { dependsOn, ...input } = args ?? ({} as MeshPolicyArgs);
        // Validated and compiled before anything is registered: bad input throws, nothing is emitted.
        const manifests = compileMeshPolicy(input, `MeshPolicy "${name}" args`);
        super(MeshPolicy.TYPE, name, {}, opts);
        const childOptions = pulumi.mergeOptions({ parent: this }, dependsOn === undefined ? {} : { dependsOn });
        this.manifests = manifests;
        this.resources = manifests.map(
            (manifest) =>
                new k8s.apiextensions.CustomResource(
                    childResourceName(name, manifest.metadata.namespace, manifest.metadata.name),
                    { apiVersion: manifest.apiVersion, kind: manifest.kind, metadata: manifest.metadata, spec: manifest.spec },
                    childOptions,
                ),
        );
        this.registerOutputs({});
    }
}
