/** Helm resources: the objects of a chart are rendered only by a real preview, not offline. */
export function isHelmResource(token: string): boolean {
    return token.startsWith("kubernetes:helm.sh/");
}

/** Helm installers whose inputs (chart, version, values) the pack inspects. */
export const HELM_CHART_TYPE = "kubernetes:helm.sh/v4:Chart";
export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
/** The v3 Chart (a local component rendering in the program) carries the same inputs. */
export const HELM_V3_CHART_TYPE = "kubernetes:helm.sh/v3:Chart";

export function isHelmInstallType(token: string): boolean {
    return token === HELM_CHART_TYPE || token === HELM_RELEASE_TYPE || token === HELM_V3_CHART_TYPE;
}
