import { ISTIO_CHART_REPO, REVISION_LABEL } from "../constants";
import { IstioCanarySettings, IstioControlPlaneSettings } from "../model/canary";
import { istiodNetworkPolicy } from "./control-plane-network";
import { IstioInstallPlan, IstioInstallStep, IstioInstallStepLayout, istiodValues, mergeHelmValues } from "./install";

/**
 * A canary registers its istiod chart, named like a primary's (`<name>-istiod`) and, when its
 * primary guards istiod (`controlPlaneNetworkPolicies`, on by default), the NetworkPolicy guarding
 * its own istiod pods (`<name>-istiod-network-policy`): the primary's policy selects only the
 * primary's revision (`istio.io/rev`), so without it the canary's istiod would accept 15010
 * (plaintext xDS), 8080 (debug) and 15014 from every pod during the whole canary window. Neither
 * step depends on another of the canary's: the component waits for the primary's `ready` instead.
 */
export function istioCanaryLayout(primaryGuardsIstiod: boolean): IstioInstallStepLayout[] {
    const steps: IstioInstallStepLayout[] = [{ key: "istiod", kind: "chart", suffix: "istiod", dependsOn: [] }];
    if (primaryGuardsIstiod) steps.push({ key: "istiodNetworkPolicy", kind: "networkPolicy", suffix: "istiod-network-policy", dependsOn: [] });
    return steps;
}

/**
 * A validated canary and its primary's settings → the istiod chart of revision `<revision>` in the
 * primary's root namespace, with the primary's meshConfig (trust domain included) and CNI setting.
 * The istiod chart names every object after `revision` (istiod-<revision>, its injector webhook
 * selecting istio.io/rev=<revision>), so it installs beside the primary's istiod.
 */
export function compileIstioCanary(canary: IstioCanarySettings, primary: IstioControlPlaneSettings): IstioInstallPlan {
    const computed = istiodValues({
        revision: canary.revision,
        namespace: primary.namespace,
        meshConfig: primary.meshConfig,
        cni: primary.cni ? {} : undefined,
    });
    // The primary's own `values.istiod.meshConfig` override what meshguard computes, as they do on the primary.
    const inherited = primary.meshConfigValues ? mergeHelmValues(computed, { meshConfig: primary.meshConfigValues }) : computed;
    return {
        installer: canary.installer,
        version: canary.version,
        namespace: primary.namespace,
        revision: canary.revision,
        trustDomain: primary.meshConfig.trustDomain,
        injectionLabels: { [REVISION_LABEL]: canary.revision },
        gateway: undefined,
        steps: istioCanaryLayout(primary.controlPlaneNetworkPolicies !== undefined).map((layout): IstioInstallStep => {
            if (layout.kind === "networkPolicy") {
                // Same rules as the primary's (one control-plane policy), selecting this revision's pods.
                const monitoringNamespace = primary.controlPlaneNetworkPolicies?.monitoringNamespace;
                return { ...layout, kind: "networkPolicy", manifest: istiodNetworkPolicy({ namespace: primary.namespace, revision: canary.revision, monitoringNamespace }) };
            }
            return {
                key: "istiod",
                kind: "chart",
                suffix: layout.suffix,
                dependsOn: layout.dependsOn,
                chart: {
                    releaseName: `istiod-${canary.revision}`,
                    chart: "istiod",
                    repo: ISTIO_CHART_REPO,
                    version: canary.version,
                    namespace: primary.namespace,
                    values: mergeHelmValues(inherited, canary.values.istiod ?? {}),
                },
            };
        }),
    };
}
