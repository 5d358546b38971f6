import { GATEWAY_API_CRDS_URL, INJECTION_LABEL, ISTIO_CHART_REPO, MANAGED_BY_LABELS, REVISION_LABEL } from "../constants";
import { isRecord } from "../kube";
import { K8sManifest } from "../manifest";
import { GatewayApiMode, IstioChartKey, IstioDataplane, IstioInstaller, IstioMeshSettings } from "../model/install-types";
import { ISTIOD_HARDENED_ENV, istiodNetworkPolicy } from "./control-plane-network";
import { strictPeerAuthentication } from "./security-manifests";

/** One resource IstioMesh registers, named `<component>-<suffix>`. */
export type IstioInstallStepKey =
    | "namespace"
    | "base"
    | "gatewayApi"
    | "cni"
    | "istiod"
    | "ztunnel"
    | "istiodNetworkPolicy"
    | "meshMtls"
    | "gatewayNamespace"
    | "gateway";

/** The shape of one step, known from the structural args alone (before deferred values resolve). */
export type IstioInstallStepLayout =
    | { key: "namespace" | "gatewayNamespace"; kind: "namespace"; suffix: string; dependsOn: IstioInstallStepKey[] }
    | { key: IstioChartKey; kind: "chart"; suffix: string; dependsOn: IstioInstallStepKey[] }
    | { key: "meshMtls"; kind: "manifest"; suffix: string; dependsOn: IstioInstallStepKey[]; apiVersion: string; manifestKind: string }
    | { key: "istiodNetworkPolicy"; kind: "networkPolicy"; suffix: string; dependsOn: IstioInstallStepKey[] }
    | { key: "gatewayApi"; kind: "configFile"; suffix: string; dependsOn: IstioInstallStepKey[] };

/** A manifest file registered as a `kubernetes:yaml/v2:ConfigFile` (the Gateway API CRDs). */
export interface IstioConfigFileSpec {
    /** A pinned release URL: the provider reads it when it deploys (an offline preview shows only the ConfigFile). */
    file: string;
}

/** What decides the resource graph of an install (a subset of IstioMeshSettings). */
export interface IstioInstallLayoutArgs {
    /** Default "sidecar". */
    dataplane?: IstioDataplane;
    gatewayApi?: GatewayApiMode | undefined;
    createNamespace: boolean;
    mtls: boolean;
    gateway?: { createNamespace: boolean };
    cni?: object;
    controlPlaneNetworkPolicies?: object;
}

/** A Helm chart of the official repository, pinned, with the values meshguard passes. */
export interface IstioHelmChartSpec {
    releaseName: string;
    chart: IstioChartKey;
    repo: string;
    version: string;
    namespace: string;
    values: Record<string, unknown>;
    /** helm.v4.Chart's prefix of its objects' Pulumi names (default: the chart resource's name); see promotedCanary. */
    resourcePrefix?: string;
}

export type IstioInstallStep =
    | (Extract<IstioInstallStepLayout, { kind: "namespace" }> & { manifest: K8sManifest })
    | (Extract<IstioInstallStepLayout, { kind: "chart" }> & { chart: IstioHelmChartSpec })
    | (Extract<IstioInstallStepLayout, { kind: "manifest" }> & { manifest: K8sManifest })
    | (Extract<IstioInstallStepLayout, { kind: "networkPolicy" }> & { manifest: K8sManifest })
    | (Extract<IstioInstallStepLayout, { kind: "configFile" }> & { configFile: IstioConfigFileSpec });

/** Everything IstioMesh registers and reports, as plain data. */
export interface IstioInstallPlan {
    installer: IstioInstaller;
    version: string;
    namespace: string;
    revision: string | undefined;
    trustDomain: string;
    /** The label a namespace needs for sidecar injection by this control plane (exactly one). */
    injectionLabels: Record<string, string>;
    gateway: { namespace: string; serviceAccount: string } | undefined;
    /** In registration order; every step depends only on earlier ones. */
    steps: IstioInstallStep[];
}

/**
 * The steps of an install in the order of the Istio Helm docs: namespace → base (CRDs) → the
 * Gateway API CRDs when installed (before istiod, which watches them) → sidecar mode: cni (the CNI
 * docs install it before istiod, so no injected pod starts without traffic redirection) → istiod;
 * ambient mode (istio.io "Install with Helm", ambient): istiod → cni → ztunnel, all with the ambient
 * profile → the NetworkPolicy guarding istiod (only needs its namespace) → the mesh-wide STRICT
 * PeerAuthentication (its CRD comes from base, its validation from istiod) → the gateway namespace
 * and the gateway, which needs istiod to inject it.
 */
export function istioInstallLayout(args: IstioInstallLayoutArgs): IstioInstallStepLayout[] {
    const steps: IstioInstallStepLayout[] = [];
    const ambient = args.dataplane === "ambient";
    if (args.createNamespace) steps.push({ key: "namespace", kind: "namespace", suffix: "namespace", dependsOn: [] });
    steps.push({ key: "base", kind: "chart", suffix: "base", dependsOn: args.createNamespace ? ["namespace"] : [] });
    const istiodAfter: IstioInstallStepKey[] = ["base"];
    if (args.gatewayApi === "install") {
        steps.push({ key: "gatewayApi", kind: "configFile", suffix: "gateway-api-crds", dependsOn: [] });
        istiodAfter.push("gatewayApi");
    }
    if (args.cni && !ambient) {
        steps.push({ key: "cni", kind: "chart", suffix: "cni", dependsOn: ["base"] });
        istiodAfter.push("cni");
    }
    steps.push({ key: "istiod", kind: "chart", suffix: "istiod", dependsOn: istiodAfter });
    if (ambient) {
        steps.push({ key: "cni", kind: "chart", suffix: "cni", dependsOn: ["istiod"] });
        steps.push({ key: "ztunnel", kind: "chart", suffix: "ztunnel", dependsOn: ["istiod", "cni"] });
    }
    if (args.controlPlaneNetworkPolicies) {
        steps.push({ key: "istiodNetworkPolicy", kind: "networkPolicy", suffix: "istiod-network-policy", dependsOn: args.createNamespace ? ["namespace"] : [] });
    }
    if (args.mtls) {
        const { apiVersion, kind } = strictPeerAuthentication("");
        steps.push({ key: "meshMtls", kind: "manifest", suffix: "mesh-mtls", dependsOn: ["istiod"], apiVersion, manifestKind: kind });
    }
    if (args.gateway) {
        if (args.gateway.createNamespace) {
            steps.push({ key: "gatewayNamespace", kind: "namespace", suffix: "gateway-namespace", dependsOn: [] });
        }
        steps.push({
            key: "gateway",
            kind: "chart",
            suffix: "gateway",
            dependsOn: args.gateway.createNamespace ? ["gatewayNamespace", "istiod"] : ["istiod"],
        });
    }
    return steps;
}

/** Validated IstioMesh args → the exact charts, namespaces and manifests it registers. */
export function compileIstioInstall(settings: IstioMeshSettings): IstioInstallPlan {
    const { namespace, revision, version } = settings;
    const injectionLabels: Record<string, string> = revision ? { [REVISION_LABEL]: revision } : { [INJECTION_LABEL]: "enabled" };
    const chart = (key: IstioChartKey, releaseName: string, chartNamespace: string, values: Record<string, unknown>): IstioHelmChartSpec => ({
        releaseName,
        chart: key,
        repo: ISTIO_CHART_REPO,
        // During a canary window the base chart (CRDs) runs ahead of istiod: Istio upgrades the CRDs first.
        version: key === "base" ? (settings.baseVersion ?? version) : version,
        namespace: chartNamespace,
        values: mergeHelmValues(values, settings.values[key] ?? {}),
    });
    // Each chart's files/profile-ambient.yaml (manifests/helm-profiles/ambient.yaml) turns ambient on.
    const ambientProfile: Record<string, unknown> = settings.dataplane === "ambient" ? { profile: "ambient" } : {};
    const steps = istioInstallLayout(settings).map((layout): IstioInstallStep => {
        switch (layout.key) {
            case "namespace":
                return { ...layout, kind: "namespace", manifest: namespaceManifest(namespace) };
            case "gatewayNamespace":
                return { ...layout, kind: "namespace", manifest: namespaceManifest(settings.gateway!.namespace) };
            case "meshMtls":
                return { ...layout, kind: "manifest", manifest: strictPeerAuthentication(namespace) };
            case "istiodNetworkPolicy":
                return {
                    ...layout,
                    kind: "networkPolicy",
                    manifest: istiodNetworkPolicy({ namespace, revision, monitoringNamespace: settings.controlPlaneNetworkPolicies!.monitoringNamespace }),
                };
            case "base":
                return { ...layout, kind: "chart", chart: chart("base", "istio-base", namespace, baseValues(settings)) };
            case "gatewayApi":
                return { ...layout, kind: "configFile", configFile: { file: GATEWAY_API_CRDS_URL } };
            case "cni":
                return { ...layout, kind: "chart", chart: chart("cni", "istio-cni", settings.cni!.namespace ?? namespace, { ...ambientProfile }) };
            case "ztunnel":
                return { ...layout, kind: "chart", chart: chart("ztunnel", "ztunnel", namespace, ztunnelValues(namespace, revision)) };
            case "istiod": {
                const istiod = chart("istiod", revision ? `istiod-${revision}` : "istiod", namespace, { ...ambientProfile, ...istiodValues(settings) });
                return { ...layout, kind: "chart", chart: settings.promotedCanary ? { ...istiod, resourcePrefix: promotedIstiodPrefix(settings.promotedCanary) } : istiod };
            }
            case "gateway":
                return {
                    ...layout,
                    kind: "chart",
                    chart: chart("gateway", settings.gateway!.name, settings.gateway!.namespace, gatewayValues(settings.gateway!.revision ?? revision)),
                };
        }
    });
    return {
        installer: settings.installer,
        version,
        namespace,
        revision,
        trustDomain: settings.meshConfig.trustDomain,
        injectionLabels,
        // The gateway chart names its ServiceAccount after the release (gateway.serviceAccountName).
        gateway: settings.gateway ? { namespace: settings.gateway.namespace, serviceAccount: settings.gateway.name } : undefined,
        steps,
    };
}

/**
 * helm.v4.Chart names each object `<resourcePrefix>:<namespace>/<name>` with the chart resource's
 * name as the default prefix (pulumi-kubernetes provider/pkg/provider/helm/v4/chart.go and
 * yaml/v2/yaml.go), and a URN holds the parent *types*, not their names. A primary whose istiod
 * chart takes the promoted canary's prefix (`<canary>-istiod`) therefore gives every istiod
 * object the URN it had under the canary: Pulumi keeps them instead of deleting them with the
 * canary's chart.
 */
export function promotedIstiodPrefix(canaryName: string): string {
    return `${canaryName}-istiod`;
}

/**
 * istiod sets `failurePolicy: Fail` (and the caBundle) on its ValidatingWebhookConfigurations once
 * its webhook serves, while the charts render `Ignore` on a fresh install: every later apply of the
 * rendered objects (helm.v4.Chart's server-side apply, or a helm.v3.Release upgrade) would flip it
 * back, a perpetual diff. Since Istio 1.28 the base and istiod charts take
 * `base.validationFailurePolicy` (istio/istio#59367, #59488; the 1.30 chart comments recommend
 * `Fail` for tools that render and apply separately) and render the caBundle only when
 * `base.validationCABundle` is set, so rendering `Fail` matches what istiod converges to. This is a
 * chart value rather than a `transforms` option because transforms need engine support the
 * offline mock runtime lacks (it reports supportsTransforms=false and registration would fail).
 */
const VALIDATION_FAILURE_POLICY = { validationFailurePolicy: "Fail" };

function baseValues(settings: IstioMeshSettings): Record<string, unknown> {
    return {
        // The default validator (istiod-default-validator) must point at this control plane's istiod.
        defaultRevision: settings.revision ?? "default",
        global: { istioNamespace: settings.namespace },
        base: { ...VALIDATION_FAILURE_POLICY },
    };
}

/** The istiod chart's values for a control plane (a canary's too: compile/canary.ts). */
export function istiodValues(settings: Pick<IstioMeshSettings, "revision" | "namespace" | "meshConfig" | "cni">): Record<string, unknown> {
    const { meshConfig } = settings;
    return {
        ...(settings.revision ? { revision: settings.revision } : {}),
        global: { istioNamespace: settings.namespace },
        meshConfig: {
            trustDomain: meshConfig.trustDomain,
            accessLogFile: meshConfig.accessLogFile,
            ...(meshConfig.outboundTrafficPolicy ? { outboundTrafficPolicy: { ...meshConfig.outboundTrafficPolicy } } : {}),
            ...(meshConfig.pathNormalization ? { pathNormalization: { ...meshConfig.pathNormalization } } : {}),
        },
        base: { ...VALIDATION_FAILURE_POLICY },
        pilot: {
            // CNI docs: istiod must know the node agent redirects traffic, or it injects istio-init.
            ...(settings.cni ? { cni: { enabled: true } } : {}),
            // The chart copies `pilot.*` to the top level (templates/zzy_descope_legacy.yaml) and
            // renders `env` as istiod's environment (templates/deployment.yaml).
            env: { ...ISTIOD_HARDENED_ENV },
        },
    };
}

/**
 * The gateway chart's `revision` value labels its pods `istio.io/rev=<revision>`, so the injector
 * of that revision injects them (istio/istio manifests/charts/gateway/templates/_helpers.tpl,
 * "gateway.sidecarInjectionLabels", used by the pod template in deployment.yaml); changing it
 * rolls the gateway Deployment onto the other control plane.
 */
function gatewayValues(revision: string | undefined): Record<string, unknown> {
    return revision ? { revision } : {};
}

/**
 * ztunnel reaches istiod at `istiod[-<revision>].<istioNamespace>.svc:15012`
 * (manifests/charts/ztunnel/templates/daemonset.yaml) and runs in istiod's namespace, which
 * istiod trusts for ztunnel certificates unless `trustedZtunnelNamespace` says otherwise.
 */
function ztunnelValues(namespace: string, revision: string | undefined): Record<string, unknown> {
    return { istioNamespace: namespace, ...(revision ? { revision } : {}) };
}

function namespaceManifest(name: string): K8sManifest {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { ...MANAGED_BY_LABELS } } };
}

/**
 * Helm-style deep merge: objects merge key by key, anything else in `override` (scalars, arrays,
 * null) replaces the base value. Neither input is modified.
 */
export function mergeHelmValues(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
        const current = out[key];
        out[key] = isRecord(current) && isRecord(value) ? mergeHelmValues(current, value) : value;
    }
    return out;
}
