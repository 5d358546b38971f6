import { ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { InjectionConfig, readConfig } from "./config";
import { exemptionReason } from "./exemptions";
import { isHelmInstallType } from "./kinds";
import { violationMessage } from "./messages";
import { notApplicable } from "./not-applicable";
import { asRecord, materialize, valueAt } from "./object";
import { ReportObjectViolation } from "./resource-policy";

/** The Istio charts whose install settings the pack inspects. */
export type IstioChart = "base" | "istiod";

/** A Helm chart/release input as the install-hygiene policies see it. */
export interface HelmInstall {
    readonly chart: IstioChart;
    readonly chartRef: string;
    readonly version?: string;
    readonly namespace: string;
    readonly releaseName: string;
    /** `kubernetes:helm.sh/v4:Chart base (istio-system/istio-base)`. */
    readonly subject: string;
    /** Reads a chart value through the SDK proxy (unknown at preview → the SDK reports it). */
    readonly value: (path: readonly string[]) => unknown;
}

/**
 * Which Istio chart a Helm input installs: `istiod`, or `base` when the chart or its repository
 * says it is Istio's (a chart called "base" alone is too common a name to assume).
 */
export function istioChartOf(chartRef: string, repo: string | undefined): IstioChart | undefined {
    const last = chartRef.replace(/\/+$/, "").split("/").pop() ?? "";
    const name = last.replace(/\.tgz$/, "").replace(/-\d+\.\d+\.\d+.*$/, "").replace(/:.*$/, "");
    if (name === "istiod") return "istiod";
    if (name === "base" && /istio/i.test(`${chartRef} ${repo ?? ""}`)) return "base";
    return undefined;
}

/**
 * The Istio chart a Helm chart/release resource installs, with its values reader; undefined for
 * other charts. The one reader of Istio install values: resource and stack policies both use it.
 */
export function readHelmInstall(args: Pick<ResourceValidationArgs, "props" | "type" | "name">): HelmInstall | undefined {
    const chartRef = materialize(args.props["chart"]);
    if (typeof chartRef !== "string") return undefined;
    const repo = materialize(valueAt(args.props, ["repositoryOpts", "repo"]));
    const chart = istioChartOf(chartRef, typeof repo === "string" ? repo : undefined);
    if (chart === undefined) return undefined;
    const version = materialize(args.props["version"]);
    const namespace = materialize(args.props["namespace"]);
    const name = materialize(args.props["name"]);
    const releaseName = typeof name === "string" && name !== "" ? name : args.name;
    const ns = typeof namespace === "string" && namespace !== "" ? namespace : "default";
    return {
        chart,
        chartRef,
        version: typeof version === "string" && version !== "" ? version : undefined,
        namespace: ns,
        releaseName,
        subject: `${args.type} ${chartRef} (${ns}/${releaseName})`,
        value: (path) => materialize(valueAt(asRecord(args.props["values"]), path)),
    };
}

/** A resource validation over Istio base/istiod Helm charts and releases. */
export function validateIstioInstalls(
    check: (install: HelmInstall, config: InjectionConfig & { readonly raw: Record<string, unknown> }, report: ReportObjectViolation) => void,
): ResourceValidation {
    return (args, reportViolation) => {
        if (!isHelmInstallType(args.type)) return notApplicable(args, "applies to Helm charts and releases only");
        const install = readHelmInstall(args);
        if (install === undefined) return notApplicable(args, "applies to the Istio base and istiod charts only");
        const raw = args.getConfig<Record<string, unknown>>();
        const config = readConfig(raw);
        const exempt = exemptionReason(config, install.namespace, install.releaseName);
        if (exempt !== undefined) return notApplicable(args, exempt);
        check(install, { ...config, raw }, (path, problem, fix) => reportViolation(violationMessage(install.subject, path, problem, fix)));
    };
}
