import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    compileIstioInstall,
    IstioConfigFileSpec,
    IstioHelmChartSpec,
    IstioInstallStep,
    IstioInstallPlan,
    IstioInstallStepKey,
    IstioInstallStepLayout,
    istioInstallLayout,
} from "./compile/install";
import { K8sManifest } from "./manifest";
import { ISTIO_MESH_PLAIN_FIELDS, istioMeshArgsSchema, istioMeshLayoutSchema } from "./model/install";
import { GatewayApiMode, IstioDataplane, IstioInstaller, OUTBOUND_TRAFFIC_POLICY_MODES, PATH_NORMALIZATION_TYPES } from "./model/install-types";
import { resolveInputs } from "./resolve-inputs";
import { planStep, registerSteps, stepResources } from "./step-registration";
import { canaryPlan, IstioCanaryArgs } from "./istio-canary";
import { istioCanaryLayout } from "./compile/canary";
import { primaryControlPlane } from "./model/canary";
import type { IstioControlPlaneSettings } from "./model/install-types";

export interface IstioMeshConfigArgs {
    /** Default "cluster.local"; principals are `<trustDomain>/ns/<ns>/sa/<sa>`. */
    trustDomain?: pulumi.Input<string>;
    /** Default "/dev/stdout" (the mesh's audit trail); "" turns access logs off explicitly. */
    accessLogFile?: pulumi.Input<string>;
    outboundTrafficPolicy?: { mode: pulumi.Input<(typeof OUTBOUND_TRAFFIC_POLICY_MODES)[number]> };
    pathNormalization?: { normalization: pulumi.Input<(typeof PATH_NORMALIZATION_TYPES)[number]> };
}

export interface IstioGatewayArgs {
    /** Namespace of the ingress gateway (default "istio-ingress"). */
    namespace?: pulumi.Input<string>;
    /** Create that namespace (default true); false when it already exists. */
    createNamespace?: boolean;
    /** Helm release name, also the gateway's Deployment and ServiceAccount name (default "istio-ingressgateway"). */
    name?: pulumi.Input<string>;
    /** Revision that injects the gateway (default: the mesh's); set it to a canary's to hand the gateway over. */
    revision?: pulumi.Input<string>;
}

export interface IstioCniArgs {
    /** Namespace of the CNI node agent (default: the mesh namespace; it must exist). */
    namespace?: pulumi.Input<string>;
}

/** Raw Helm values per chart, deep-merged over what meshguard computes (last word, escape hatch). */
export interface IstioChartValuesArgs {
    base?: pulumi.Input<Record<string, unknown>>;
    cni?: pulumi.Input<Record<string, unknown>>;
    istiod?: pulumi.Input<Record<string, unknown>>;
    gateway?: pulumi.Input<Record<string, unknown>>;
    /** Only with dataplane "ambient". */
    ztunnel?: pulumi.Input<Record<string, unknown>>;
}

export interface IstioMeshArgs {
    /** Exact Istio version "x.y.z" (default DEFAULT_ISTIO_VERSION). */
    version?: pulumi.Input<string>;
    /**
     * "sidecar" (default) or "ambient": istiod and istio-cni with the ambient profile, then the
     * ztunnel DaemonSet (docs/ambient.md). Ambient needs `cni` (on by default) and `gatewayApi`.
     */
    dataplane?: IstioDataplane;
    /**
     * The Gateway API CRDs (waypoints are Gateways): "install" registers the pinned standard
     * channel (GATEWAY_API_VERSION) before istiod, "assume-present" relies on the cluster's.
     * Required with dataplane "ambient".
     */
    gatewayApi?: GatewayApiMode;
    /** Version of the base chart (CRDs), default `version`: set it to a canary's version first (docs/upgrade.md). */
    baseVersion?: pulumi.Input<string>;
    /** Resource name of the canary IstioMesh this mesh takes over at promotion (same version and revision; docs/upgrade.md). */
    promotedCanary?: pulumi.Input<string>;
    /** "chart" (default, helm.v4.Chart: every object visible at preview) or "release" (helm.v3.Release). */
    installer?: IstioInstaller;
    /** Control-plane revision for canary upgrades; namespaces then need `istio.io/rev=<revision>`. */
    revision?: pulumi.Input<string>;
    /** Root namespace (default "istio-system"): istiod and the mesh-wide policies live here. */
    namespace?: pulumi.Input<string>;
    /** Create the root namespace (default true); false when it already exists. */
    createNamespace?: boolean;
    meshConfig?: IstioMeshConfigArgs;
    /** Ingress gateway (chart `gateway`) in its own namespace, installed after istiod. */
    gateway?: boolean | IstioGatewayArgs;
    /** Istio CNI node agent (chart `cni`), installed before istiod. */
    cni?: boolean | IstioCniArgs;
    values?: IstioChartValuesArgs;
    /** Mesh-wide STRICT PeerAuthentication in the root namespace (default true; false opts out). */
    mtls?: boolean;
    /**
     * A NetworkPolicy guarding istiod (default on; false opts out): 15012 (xDS/CA) from every pod,
     * 15017 (webhooks) from any address (the API server is not a pod), 15014 (monitoring) only from
     * `monitoringNamespace` (closed when unset), nothing else (no 15010 plaintext xDS, no 8080 debug).
     */
    controlPlaneNetworkPolicies?: boolean | ControlPlaneNetworkPoliciesArgs;
}

export interface ControlPlaneNetworkPoliciesArgs {
    /** Namespace whose pods (e.g. Prometheus) may scrape istiod's monitoring port 15014. */
    monitoringNamespace?: pulumi.Input<string>;
}

/** Where the ingress gateway runs: its identity is `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`. */
export interface IstioGatewayInfo {
    namespace: string;
    serviceAccount: string;
}

/**
 * Istio installed from the official Helm charts (base → [cni] → istiod → [gateway]; ambient:
 * base → istiod → cni → ztunnel → [gateway]) with a pinned
 * version, a mesh-wide STRICT PeerAuthentication and access logs on by default.
 */
export class IstioMesh extends pulumi.ComponentResource {
    static readonly TYPE = "meshguard:install:IstioMesh";

    /** The root namespace. */
    readonly namespace: pulumi.Output<string>;
    /** The control-plane revision; undefined for the default control plane. */
    readonly revision: pulumi.Output<string | undefined>;
    /** The label a namespace needs to be injected by this control plane. */
    readonly injectionLabels: pulumi.Output<Record<string, string>>;
    readonly trustDomain: pulumi.Output<string>;
    readonly version: pulumi.Output<string>;
    /** The ingress gateway's namespace and ServiceAccount, undefined without a gateway. */
    readonly gateway: pulumi.Output<IstioGatewayInfo | undefined>;
    /** Depend on these before labelling namespaces or creating Istio resources: istiod, cni, ztunnel, the Gateway API CRDs, mesh-wide mTLS. */
    readonly ready: pulumi.Resource[];
    /** Every child, by step. */
    readonly resources: Readonly<Partial<Record<IstioInstallStepKey, pulumi.Resource>>>;
    /** What a canary (`canaryOf: this`) takes from this mesh. */
    readonly controlPlane: pulumi.Output<IstioControlPlaneSettings>;
    /** The data plane (a plain value: it decides which resources exist); a canary reports its primary's. */
    readonly dataplane: IstioDataplane;

    /**
     * A primary mesh with `IstioMeshArgs`; with `IstioCanaryArgs` (`canaryOf: mesh`) only a second
     * istiod revision beside `mesh`, which keeps the shared parts (docs/upgrade.md).
     */
    constructor(name: string, args?: IstioMeshArgs, opts?: pulumi.ComponentResourceOptions);
    constructor(name: string, args: IstioCanaryArgs, opts?: pulumi.ComponentResourceOptions);
    constructor(name: string, args: IstioMeshArgs | IstioCanaryArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        // Validated before anything is registered: a bad plain value throws here, nothing is emitted.
        const build = "canaryOf" in args ? canaryBuild(name, args) : primaryBuild(name, args);
        super(IstioMesh.TYPE, name, {}, opts);
        const plan = build.plan;
        const resources = registerSteps(
            this,
            name,
            build.layout,
            (resourceName, step, opts) => registerStep(resourceName, step, plan.apply((p) => planStep(p.steps, step.key)), build.installer, opts),
            build.after,
        );
        this.resources = resources;
        this.ready = stepResources(resources, build.readySteps);
        this.namespace = plan.apply((p) => p.namespace);
        this.revision = plan.apply((p) => p.revision);
        this.injectionLabels = plan.apply((p) => p.injectionLabels);
        this.trustDomain = plan.apply((p) => p.trustDomain);
        this.version = plan.apply((p) => p.version);
        this.gateway = plan.apply((p) => p.gateway);
        this.controlPlane = build.controlPlane;
        this.dataplane = build.dataplane;
        GUARDS_ISTIOD.set(this, build.layout.some((step) => step.key === "istiodNetworkPolicy"));
        this.registerOutputs({
            namespace: this.namespace,
            revision: this.revision,
            injectionLabels: this.injectionLabels,
            trustDomain: this.trustDomain,
            version: this.version,
            gateway: this.gateway,
        });
    }
}

/** Whether a mesh registers the NetworkPolicy guarding its istiod (known from its plain args): its canaries follow it. */
const GUARDS_ISTIOD = new WeakMap<IstioMesh, boolean>();

/** What a primary mesh or a canary registers: the steps, their plan and what the mesh exports. */
interface MeshBuild {
    readonly plan: pulumi.Output<IstioInstallPlan>;
    readonly layout: IstioInstallStepLayout[];
    readonly installer: IstioInstaller;
    /** What the first steps wait for (a canary: its primary's ready). */
    readonly after: readonly pulumi.Resource[];
    /** The steps namespaces and policies depend on. */
    readonly readySteps: readonly IstioInstallStepKey[];
    readonly controlPlane: pulumi.Output<IstioControlPlaneSettings>;
    readonly dataplane: IstioDataplane;
}

function primaryBuild(name: string, args: IstioMeshArgs): MeshBuild {
    const inputs = resolveInputs(istioMeshArgsSchema, args, `IstioMesh "${name}" args`, ISTIO_MESH_PLAIN_FIELDS);
    const layout = inputs.known ?? istioMeshLayoutSchema.parse(args);
    return {
        plan: inputs.output.apply(compileIstioInstall),
        layout: istioInstallLayout(layout),
        installer: layout.installer,
        after: [],
        readySteps: ["gatewayApi", "istiod", "cni", "ztunnel", "meshMtls"],
        controlPlane: inputs.output.apply(primaryControlPlane),
        dataplane: layout.dataplane,
    };
}

function canaryBuild(name: string, args: IstioCanaryArgs): MeshBuild {
    const canary = canaryPlan(name, args, (value): value is IstioMesh => value instanceof IstioMesh);
    return {
        plan: canary.plan,
        layout: istioCanaryLayout(GUARDS_ISTIOD.get(canary.primary) === true),
        installer: canary.installer,
        after: canary.primary.ready,
        readySteps: ["istiod"],
        controlPlane: pulumi
            .all([canary.primary.controlPlane, canary.plan])
            .apply(([primary, p]) => ({ ...primary, canary: true, installer: p.installer, version: p.version, revision: p.revision })),
        dataplane: canary.primary.dataplane,
    };
}


/** The part of a step a resource is built from (layout and plan come from the same istioInstallLayout). */
function manifestOf(step: IstioInstallStep): K8sManifest {
    if (!("manifest" in step)) throw new Error(`install step ${step.key} has no manifest`);
    return step.manifest;
}

function configFileOf(step: IstioInstallStep): IstioConfigFileSpec {
    if (!("configFile" in step)) throw new Error(`install step ${step.key} has no config file`);
    return step.configFile;
}

function chartOf(step: IstioInstallStep): IstioHelmChartSpec {
    if (!("chart" in step)) throw new Error(`install step ${step.key} has no chart`);
    return step.chart;
}

function registerStep(
    resourceName: string,
    layout: IstioInstallStepLayout,
    step: pulumi.Output<IstioInstallStep>,
    installer: IstioInstaller,
    opts: pulumi.CustomResourceOptions,
): pulumi.Resource {
    switch (layout.kind) {
        case "namespace":
            return new k8s.core.v1.Namespace(resourceName, { metadata: step.apply((s) => manifestOf(s).metadata) }, opts);
        case "networkPolicy":
            return new k8s.networking.v1.NetworkPolicy(
                resourceName,
                { metadata: step.apply((s) => manifestOf(s).metadata), spec: step.apply((s) => manifestOf(s).spec as unknown as k8s.types.input.networking.v1.NetworkPolicySpec) },
                opts,
            );
        case "manifest":
            return new k8s.apiextensions.CustomResource(
                resourceName,
                {
                    apiVersion: layout.apiVersion,
                    kind: layout.manifestKind,
                    metadata: step.apply((s) => manifestOf(s).metadata),
                    spec: step.apply((s) => manifestOf(s).spec),
                },
                opts,
            );
        case "configFile":
            return new k8s.yaml.v2.ConfigFile(resourceName, { file: step.apply((s) => configFileOf(s).file) }, opts);
        case "chart": {
            const chart = step.apply(chartOf);
            const chartArgs = {
                chart: chart.chart,
                version: chart.version,
                namespace: chart.namespace,
                name: chart.releaseName,
                repositoryOpts: { repo: chart.repo },
                values: chart.values,
            };
            // Only a promotion sets a prefix (helm.v4.Chart only: the model refuses it with "release").
            const prefixed = chart.apply((c) => c.resourcePrefix);
            return installer === "chart"
                ? new k8s.helm.v4.Chart(resourceName, { ...chartArgs, resourcePrefix: prefixed }, opts)
                // The namespace is a step of its own (or already exists): Helm must not create it.
                : new k8s.helm.v3.Release(resourceName, { ...chartArgs, createNamespace: false }, opts);
        }
    }
}
