import { z } from "zod";
import { ValidationIssue } from "../errors";
import { istioRevisionSchema } from "./namespace";
import { ISTIO_INSTALLERS, IstioMeshSettings, RESERVED_CHART_VALUES } from "./install";
import type { IstioControlPlaneSettings, IstioDataplane } from "./install-types";

export type { IstioControlPlaneSettings } from "./install-types";
import { safeRecord } from "./record";
import { hasPath, isRecord } from "../kube";
import { compareVersions } from "./version";

/**
 * A canary control plane: a second istiod revision beside an existing IstioMesh (the primary).
 * It installs only `istiod-<revision>`; the shared parts (base chart with the CRDs and cluster
 * roles, the root namespace, the mesh-wide STRICT PeerAuthentication, the gateway, the CNI node
 * agent) stay with the primary, so the two never fight over them. Istio's Helm upgrade guide
 * (istio.io/latest/docs/setup/upgrade/helm, "Canary upgrade") upgrades the base chart first and
 * then installs the istiod chart with `revision`; meshguard models that as the primary's
 * `baseVersion` followed by this canary.
 */

const EXACT_VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const CANARY_VERSION_MESSAGE = 'must be the exact Istio version of the canary "x.y.z" such as "1.30.3". Fix: set the version of the new control plane';
const CANARY_REVISION_MESSAGE =
    'must be the revision of the canary control plane (lowercase letters, digits and "-", e.g. "1-30-3"); a canary without a revision would replace the default control plane. Fix: set revision';

/** Args of the primary that a canary takes from it, so they cannot drift (and the reason shown when one is set). */
export const CANARY_INHERITED_FIELDS: Readonly<Record<string, string>> = Object.freeze({
    namespace: "the root namespace is the primary's (canaryOf)",
    createNamespace: "the root namespace belongs to the primary (canaryOf)",
    meshConfig: "meshConfig (trust domain included) is taken from the primary (canaryOf) so the two control planes cannot drift; change it there",
    mtls: "the mesh-wide PeerAuthentication belongs to the primary (canaryOf)",
    gateway: "the gateway belongs to the primary (canaryOf); hand it to the canary with the primary's `gateway.revision`",
    cni: "the CNI node agent belongs to the primary (canaryOf); the canary's istiod follows the primary's cni setting",
    baseVersion: "the base chart (CRDs) is upgraded by the primary's `baseVersion`",
    controlPlaneNetworkPolicies: "the canary's istiod is guarded like the primary's (canaryOf), by a NetworkPolicy selecting the canary's revision; change it on the primary",
});

const istiodValuesSchema = safeRecord(z.string(), z.unknown(), { error: "must be an object of Helm values", deep: true });

/** Canary args after validation (`canaryOf` is checked separately: it is a component, not data). */
export const istioCanaryArgsSchema = z
    .strictObject(
        {
            version: z.string({ error: CANARY_VERSION_MESSAGE }).regex(EXACT_VERSION, { error: CANARY_VERSION_MESSAGE }),
            revision: z.string({ error: CANARY_REVISION_MESSAGE }).pipe(istioRevisionSchema),
            installer: z.enum(ISTIO_INSTALLERS, { error: 'must be "chart" (helm.v4.Chart, the default) or "release" (helm.v3.Release)' }).default("chart"),
            values: z
                .strictObject(
                    { istiod: istiodValuesSchema.optional() },
                    { error: "must be an object {istiod?}: a canary installs only the istiod chart" },
                )
                .default({}),
        },
        { error: "must be an object {version, revision, canaryOf, installer?, values?}" },
    )
    .superRefine((args, ctx) => {
        const values = args.values.istiod;
        if (values === undefined) return;
        for (const reserved of RESERVED_CHART_VALUES.istiod) {
            if (hasPath(values, reserved)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["values", "istiod", ...reserved],
                    message: "is set by meshguard from the canary's `revision` and the primary's settings. Fix: remove it",
                });
            }
        }
    });

export type IstioCanarySettings = z.output<typeof istioCanaryArgsSchema>;

/** Plain fields of a canary that decide its resource graph. */
export const ISTIO_CANARY_PLAIN_FIELDS: readonly string[] = ["installer"];


/** A primary IstioMesh's settings → what its canaries inherit. */
export function primaryControlPlane(settings: IstioMeshSettings): IstioControlPlaneSettings {
    const extra = settings.values.istiod?.["meshConfig"];
    return {
        canary: false,
        installer: settings.installer,
        version: settings.version,
        baseVersion: settings.baseVersion ?? settings.version,
        revision: settings.revision,
        namespace: settings.namespace,
        meshConfig: settings.meshConfig,
        meshConfigValues: isRecord(extra) ? { ...extra } : undefined,
        cni: settings.cni !== undefined,
        controlPlaneNetworkPolicies: settings.controlPlaneNetworkPolicies === undefined ? undefined : { ...settings.controlPlaneNetworkPolicies },
    };
}

/** Plain-args problems of a canary that no schema sees: fields it must not set. */
export function checkCanaryFields(args: Record<string, unknown>): ValidationIssue[] {
    return Object.keys(CANARY_INHERITED_FIELDS)
        .filter((key) => args[key] !== undefined)
        .map((key) => ({ path: key, message: `is not allowed with canaryOf: ${CANARY_INHERITED_FIELDS[key]}. Fix: remove it` }));
}

/**
 * A canary of an ambient mesh is refused: the ztunnel DaemonSet follows one istiod revision (its
 * chart's `revision`), so a second istiod would serve no ztunnel, and meshguard does not model
 * ambient revision upgrades.
 */
export function checkCanaryDataplane(primaryDataplane: IstioDataplane): ValidationIssue[] {
    if (primaryDataplane !== "ambient") return [];
    return [{
        path: "canaryOf",
        message: 'is an ambient mesh (dataplane "ambient"); canary upgrades are supported for sidecar meshes only. Fix: upgrade the ambient mesh in place by changing its version',
    }];
}

/** The canary against its primary: a new revision, not older, CRDs already upgraded, not a canary of a canary. */
export function checkCanaryAgainstPrimary(canary: IstioCanarySettings, primary: IstioControlPlaneSettings): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    if (primary.canary) {
        issues.push({ path: "canaryOf", message: "is itself a canary. Fix: pass the primary IstioMesh (the one that owns the base chart and the root namespace)" });
        return issues;
    }
    if (canary.revision === primary.revision) {
        issues.push({
            path: "revision",
            message: `"${canary.revision}" is the primary's revision; two control planes cannot share one. Fix: name the canary after its version, e.g. "${canary.version.replace(/\./g, "-")}"`,
        });
    }
    if (compareVersions(canary.version, primary.version) < 0) {
        issues.push({
            path: "version",
            message: `"${canary.version}" is older than the primary's "${primary.version}"; a canary upgrades, downgrades are a separate procedure. Fix: use a version >= "${primary.version}"`,
        });
    }
    if (compareVersions(canary.version, primary.baseVersion) > 0) {
        issues.push({
            path: "version",
            message: `"${canary.version}" is newer than the CRDs the primary installs (base chart "${primary.baseVersion}"); Istio upgrades the CRDs first. Fix: set baseVersion: "${canary.version}" on the primary IstioMesh`,
        });
    }
    return issues;
}
