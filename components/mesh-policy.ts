import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { compileMeshPolicyReport } from "./compile/mesh-policy";
import { MeshPolicyReport } from "./compile/warnings";
import { childResourceName } from "./compile/naming";
import { K8sManifest } from "./manifest";
import { MeshPolicyInput, MeshPolicyNamespace, parseMeshPolicy } from "./model/mesh-policy";
import { checkNamespaceDependencies } from "./model/namespace-dependencies";

/**
 * MeshPolicy arguments: the plain service graph (not Outputs — it decides which resources exist,
 * so it is validated synchronously) and what the emitted objects must wait for.
 */
export interface MeshPolicyArgs extends Omit<MeshPolicyInput, "namespaces"> {
    /**
     * Data plane per namespace (docs/mesh-policy.md, "Ambient namespaces"), each a plain value or
     * an output such as `MeshNamespace.meshPolicyNamespace`. With outputs, the manifests are
     * compiled and registered once they resolve (see `compiled`).
     */
    namespaces?: Record<string, pulumi.Input<MeshPolicyNamespace>> | undefined;
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

    /** The compiled manifests, in registration order; known as soon as every `namespaces` value is. */
    readonly compiled: pulumi.Output<readonly K8sManifest[]>;
    private readonly componentName: string;
    private readonly known: { manifests: readonly K8sManifest[]; resources: readonly k8s.apiextensions.CustomResource[] } | undefined;

    constructor(name: string, args: MeshPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        const { dependsOn, namespaceDependsOn, namespaces, ...rest } = args ?? ({} as MeshPolicyArgs);
        const subject = `MeshPolicy "${name}" args`;
        const deferred = Object.values(namespaces ?? {}).some((v) => pulumi.Output.isInstance(v) || v instanceof Promise);
        // Validated before anything is registered: bad input throws, nothing is emitted. With
        // outputs in `namespaces`, everything else is validated now (the data plane only adds
        // checks, so this raises no error the full input would not), the rest once they resolve.
        const report = deferred ? undefined : compileMeshPolicyReport({ ...rest, namespaces: namespaces as Record<string, MeshPolicyNamespace> | undefined }, subject);
        if (deferred) parseMeshPolicy(rest, subject);
        checkNamespaceDependencies(namespaceDependsOn, rest.services.map((service) => service.namespace), subject);
        super(MeshPolicy.TYPE, name, {}, opts);
        this.componentName = name;
        const shared = pulumi.mergeOptions({ parent: this }, dependsOn === undefined ? {} : { dependsOn });
        const perNamespace = new Map(Object.entries(namespaceDependsOn ?? {}).map(([ns, own]) => [ns, pulumi.mergeOptions(shared, { dependsOn: own })]));
        const register = ({ manifests, warnings }: MeshPolicyReport) => {
            // Valid but probably not meant (e.g. a plain gateway caller making a JWT optional): shown in the preview, attached to this component.
            for (const warning of warnings) void pulumi.log.warn(`MeshPolicy "${name}": ${warning.path}: ${warning.message}`, this);
            return manifests.map(
                (manifest) =>
                    new k8s.apiextensions.CustomResource(
                        childResourceName(name, manifest.metadata.namespace, manifest.metadata.name),
                        { apiVersion: manifest.apiVersion, kind: manifest.kind, metadata: manifest.metadata, spec: manifest.spec },
                        perNamespace.get(manifest.metadata.namespace ?? "") ?? shared,
                    ),
            );
        };
        if (report !== undefined) {
            this.known = { manifests: report.manifests, resources: register(report) };
            // Unwrapping plain manifests changes nothing but their static type.
            this.compiled = pulumi.output(report.manifests) as unknown as pulumi.Output<readonly K8sManifest[]>;
        } else {
            this.known = undefined;
            // The resources to register depend on the data planes (a waypoint namespace gets more
            // objects), so they are registered once the outputs resolve; an invalid resolved
            // input fails here with the same MeshguardValidationError, before any registration.
            this.compiled = pulumi.output(namespaces ?? {}).apply((resolved) => {
                const full = compileMeshPolicyReport({ ...rest, namespaces: resolved as Record<string, MeshPolicyNamespace> }, subject);
                register(full);
                return full.manifests;
            });
        }
        this.registerOutputs({ manifests: report === undefined ? this.compiled : report.manifests });
    }

    /** The compiled manifests, in registration order (plain objects, as `compileMeshPolicy` returns them). */
    get manifests(): readonly K8sManifest[] {
        return this.plain().manifests;
    }

    /** One resource per manifest, in the same order. */
    get resources(): readonly k8s.apiextensions.CustomResource[] {
        return this.plain().resources;
    }

    private plain() {
        if (this.known === undefined) {
            throw new Error(`MeshPolicy "${this.componentName}": its namespaces are Pulumi outputs, so its manifests are only known once they resolve: use \`compiled\` (an Output)`);
        }
        return this.known;
    }
}
