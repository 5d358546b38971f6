import * as pulumi from "@pulumi/pulumi";
import { compileIstioCanary } from "./compile/canary";
import { IstioInstallPlan } from "./compile/install";
import { MeshguardValidationError } from "./errors";
import type { IstioMesh } from "./istio-mesh";
import { checkCanaryAgainstPrimary, checkCanaryDataplane, checkCanaryFields, ISTIO_CANARY_PLAIN_FIELDS, IstioCanarySettings, IstioControlPlaneSettings, istioCanaryArgsSchema } from "./model/canary";
import type { IstioInstaller } from "./model/install-types";
import { resolveInputs } from "./resolve-inputs";

/** A second control-plane revision beside an existing IstioMesh (see docs/upgrade.md). */
export interface IstioCanaryArgs {
    /** The existing (primary) IstioMesh: root namespace, meshConfig, trust domain and CNI come from it. */
    canaryOf: IstioMesh;
    /** Exact Istio version of the canary, not older than the primary's and not newer than its `baseVersion`. */
    version: pulumi.Input<string>;
    /** The canary's revision (e.g. "1-30-3"); namespaces move to it with `MeshNamespace({ mesh: canary })`. */
    revision: pulumi.Input<string>;
    installer?: IstioInstaller;
    /** Raw Helm values of the canary's istiod chart (merged last). */
    values?: { istiod?: pulumi.Input<Record<string, unknown>> };
}

/** Validates a canary's plain args now and its relation to the primary once the primary's settings resolve. */
export function canaryPlan(name: string, args: IstioCanaryArgs, isMesh: (value: unknown) => value is IstioMesh): { installer: IstioInstaller; plan: pulumi.Output<IstioInstallPlan>; primary: IstioMesh } {
    const subject = `IstioMesh "${name}" args`;
    const { canaryOf, ...rest } = args;
    const fieldIssues = [
        ...(isMesh(canaryOf) ? checkCanaryDataplane(canaryOf.dataplane) : [{ path: "canaryOf", message: "must be an IstioMesh (the existing mesh). Fix: pass the IstioMesh object, not its name" }]),
        ...checkCanaryFields(rest as Record<string, unknown>),
    ];
    if (fieldIssues.length > 0) throw new MeshguardValidationError(subject, fieldIssues);
    const inputs = resolveInputs(istioCanaryArgsSchema, rest, subject, ISTIO_CANARY_PLAIN_FIELDS);
    const installer = inputs.known?.installer ?? (rest.installer ?? "chart");
    const plan = pulumi.all([inputs.output, canaryOf.controlPlane]).apply(([canary, primary]: [IstioCanarySettings, IstioControlPlaneSettings]) => {
        const issues = checkCanaryAgainstPrimary(canary, primary);
        if (issues.length > 0) throw new MeshguardValidationError(subject, issues);
        return compileIstioCanary(canary, primary);
    });
    return { installer, plan, primary: canaryOf };
}
