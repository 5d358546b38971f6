import { isUnknownValue, knownRecord, UnknownValue } from "./preview-values";
import { ObjectReporter } from "./resource-policy";

/** One `tls` block of a DestinationRule, where it sits and what applies to it. */
export interface TlsSettings {
    readonly path: string;
    /** The block with unknown values as markers. */
    readonly tls: Record<string, unknown>;
    /** spec.workloadSelector is set (a known value) or unknown. */
    readonly workloadSelector: boolean | UnknownValue;
}

/**
 * Every `tls` block of a DestinationRule: `trafficPolicy.tls`, each `trafficPolicy.portLevelSettings[].tls`,
 * and the same inside each `subsets[].trafficPolicy` (DISABLE can hide in any of them). A container
 * that is unknown at preview is reported as unverifiable with `refused`, never skipped.
 */
export function destinationRuleTlsSettings(values: Record<string, unknown>, report: ObjectReporter, refused: string): TlsSettings[] {
    const out: TlsSettings[] = [];
    const spec = values["spec"];
    if (isUnknownValue(spec)) {
        report.unverifiable("spec", spec, refused);
        return out;
    }
    const known = knownRecord(spec) ?? {};
    const selector = known["workloadSelector"];
    const workloadSelector = isUnknownValue(selector) ? selector : selector !== undefined && selector !== null;
    const visitPolicy = (policy: unknown, path: string) => {
        if (isUnknownValue(policy)) return report.unverifiable(path, policy, refused);
        const record = knownRecord(policy);
        if (record === undefined) return;
        visitTls(record["tls"], `${path}.tls`);
        const ports = record["portLevelSettings"];
        if (isUnknownValue(ports)) return report.unverifiable(`${path}.portLevelSettings`, ports, refused);
        if (!Array.isArray(ports)) return;
        ports.forEach((setting, i) => {
            if (isUnknownValue(setting)) return report.unverifiable(`${path}.portLevelSettings[${i}]`, setting, refused);
            visitTls(knownRecord(setting)?.["tls"], `${path}.portLevelSettings[${i}].tls`);
        });
    };
    const visitTls = (tls: unknown, path: string) => {
        if (isUnknownValue(tls)) return report.unverifiable(path, tls, refused);
        const record = knownRecord(tls);
        if (record !== undefined) out.push({ path, tls: record, workloadSelector });
    };
    visitPolicy(known["trafficPolicy"], "spec.trafficPolicy");
    const subsets = known["subsets"];
    if (isUnknownValue(subsets)) {
        report.unverifiable("spec.subsets", subsets, refused);
    } else if (Array.isArray(subsets)) {
        subsets.forEach((subset, i) => {
            if (isUnknownValue(subset)) return report.unverifiable(`spec.subsets[${i}]`, subset, refused);
            visitPolicy(knownRecord(subset)?.["trafficPolicy"], `spec.subsets[${i}].trafficPolicy`);
        });
    }
    return out;
}

/** `configmap://` credentials are readable by every proxy, so istiod keeps them for sidecars (cluster_tls.go). */
export const CONFIGMAP_CREDENTIAL_PREFIX = "configmap://";

/** SIMPLE and MUTUAL originate TLS to a server that is not a mesh workload. */
export function originatesTls(mode: unknown): boolean {
    return mode === "SIMPLE" || mode === "MUTUAL";
}

/** A non-empty string, a non-empty list, or an unknown. */
export function isSet(value: unknown): boolean | UnknownValue {
    if (isUnknownValue(value)) return value;
    if (typeof value === "string") return value !== "";
    if (Array.isArray(value)) return value.length > 0;
    return value !== undefined && value !== null;
}
