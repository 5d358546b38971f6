import { ISTIO_CHART_REPO, REVISION_LABEL } from "../constants";
import { IstioCanarySettings, IstioControlPlaneSettings } from "../model/canary";
import { IstioInstallPlan, IstioInstallStepLayout, istiodValues, mergeHelmValues } from "./install";

/**
 * A canary registers one step, its istiod chart, named like a primary's (`<name>-istiod`). It
 * depends on no step of its own: the component waits for the primary's `ready` instead.
 */
export function istioCanaryLayout(): IstioInstallStepLayout[] {
    return [{ key: "istiod", kind: "chart", suffix: "istiod", dependsOn: [] }];
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
        steps: istioCanaryLayout().map((layout) => ({
            ...layout,
            kind: "chart",
            key: "istiod",
            chart: {
                releaseName: `istiod-${canary.revision}`,
                chart: "istiod",
                repo: ISTIO_CHART_REPO,
                version: canary.version,
                namespace: primary.namespace,
                values: mergeHelmValues(inherited, canary.values.istiod ?? {}),
            },
        })),
    };
}
