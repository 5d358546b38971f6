import { z } from "zod";
import { checkWorkloadSelector, IstioIssueList, istioStringList, istioWorkloadSelectorSchema } from "./common";
import { DNS1123_LABEL_PATTERN } from "../../validation/dns-names";
import { ISTIO_CLIENT_TLS_MODES } from "./spec-types";

// The spec types (and their constants) live in the zod-free spec-types.ts (the public declarations).
export { ISTIO_CLIENT_TLS_MODES };
import type { IstioClientTls, IstioDestinationRuleSpec, IstioTrafficPolicy } from "./spec-types";
export type { IstioClientTls, IstioDestinationRuleSpec, IstioTrafficPolicy };


/** `ClientTLSSettings` of the DestinationRule CRD, every field (strict: TLS decides who we trust). */
export const istioClientTlsSchema = z.strictObject({
    mode: z.enum(ISTIO_CLIENT_TLS_MODES).optional(),
    caCertificates: z.string().optional(),
    caCrl: z.string().optional(),
    clientCertificate: z.string().optional(),
    credentialName: z.string().optional(),
    insecureSkipVerify: z.boolean().optional(),
    privateKey: z.string().optional(),
    sni: z.string().optional(),
    subjectAltNames: istioStringList.optional(),
});

/**
 * Subtrees that carry no security setting (connection pools, load balancing, outlier detection,
 * proxy protocol, retry budget, tunnel): accepted as any object so valid configurations are never
 * reported; their exact schemas are outside meshguard's concern.
 */
const opaqueSettings = z.record(z.string(), z.unknown());

const portTrafficPolicySchema = z.strictObject({
    port: z.strictObject({ number: z.number().int().min(0).max(4294967295).optional() }).optional(),
    connectionPool: opaqueSettings.optional(),
    loadBalancer: opaqueSettings.optional(),
    outlierDetection: opaqueSettings.optional(),
    tls: istioClientTlsSchema.optional(),
});

export const istioTrafficPolicySchema = z.strictObject({
    connectionPool: opaqueSettings.optional(),
    loadBalancer: opaqueSettings.optional(),
    outlierDetection: opaqueSettings.optional(),
    portLevelSettings: z.array(portTrafficPolicySchema).max(4096).optional(),
    proxyProtocol: opaqueSettings.optional(),
    retryBudget: opaqueSettings.optional(),
    tls: istioClientTlsSchema.optional(),
    tunnel: opaqueSettings.optional(),
});

/** `spec` of a DestinationRule (networking.istio.io v1 / v1beta1 / v1alpha3, identical schemas). */
export const istioDestinationRuleSpecSchema = z.strictObject({
    host: z.string(),
    exportTo: istioStringList.optional(),
    subsets: z
        .array(
            z.strictObject({
                name: z.string(),
                labels: z.record(z.string(), z.string()).optional(),
                trafficPolicy: istioTrafficPolicySchema.optional(),
            }),
        )
        .optional(),
    trafficPolicy: istioTrafficPolicySchema.optional(),
    workloadSelector: istioWorkloadSelectorSchema.optional(),
});


/** istiod's ValidateDestinationRule for the fields meshguard models strictly. */
export function checkDestinationRuleSpec(spec: IstioDestinationRuleSpec, out: IstioIssueList): void {
    if (spec.host.trim() === "") out.add(["spec", "host"], "must be set (the service host)");
    checkWorkloadSelector(spec.workloadSelector, ["spec", "workloadSelector"], out);
    checkTrafficPolicy(spec.trafficPolicy, ["spec", "trafficPolicy"], out);
    const seen = new Set<string>();
    spec.subsets?.forEach((subset, i) => {
        const path = ["spec", "subsets", i];
        if (subset.name === "" || subset.name.length > 63 || !DNS1123_LABEL_PATTERN.test(subset.name)) {
            out.add([...path, "name"], `invalid subset name "${subset.name}" (a DNS-1123 label)`);
        } else if (seen.has(subset.name)) {
            out.add([...path, "name"], `duplicate subset name "${subset.name}"`);
        }
        seen.add(subset.name);
        checkTrafficPolicy(subset.trafficPolicy, [...path, "trafficPolicy"], out);
    });
}

function checkTrafficPolicy(policy: IstioTrafficPolicy | undefined, path: PropertyKey[], out: IstioIssueList): void {
    if (policy === undefined) return;
    if (Object.keys(policy).length === 0) {
        out.add(path, "traffic policy must have at least one field");
    }
    if (policy.tunnel !== undefined && policy.proxyProtocol !== undefined) out.add(path, "tunnel and proxyProtocol must not be set together");
    checkClientTls(policy.tls, [...path, "tls"], out);
    policy.portLevelSettings?.forEach((setting, i) => {
        const at = [...path, "portLevelSettings", i];
        if (setting.port === undefined) out.add([...at, "port"], "must be set (the port these settings apply to)");
        if (Object.keys(setting).filter((k) => k !== "port").length === 0) out.add(at, "port traffic policy must have at least one field besides port");
        checkClientTls(setting.tls, [...at, "tls"], out);
    });
}

/** istiod `ValidateTLS` plus the API rule that ISTIO_MUTUAL uses Istio's own certificates only. */
function checkClientTls(tls: IstioClientTls | undefined, path: PropertyKey[], out: IstioIssueList): void {
    if (tls === undefined) return;
    const mode = tls.mode ?? "DISABLE";
    const certificateFields = ["caCertificates", "caCrl", "clientCertificate", "credentialName", "privateKey", "insecureSkipVerify"] as const;
    if (mode === "ISTIO_MUTUAL") {
        for (const field of certificateFields) {
            if (tls[field] !== undefined) out.add([...path, field], "must not be set with mode ISTIO_MUTUAL (it uses the certificates Istio issues)");
        }
        return;
    }
    if (mode !== "SIMPLE" && mode !== "MUTUAL") return;
    if (tls.insecureSkipVerify === true) {
        const conflicting = mode === "SIMPLE" ? (["caCertificates", "credentialName", "subjectAltNames"] as const) : (["caCertificates", "subjectAltNames"] as const);
        for (const field of conflicting) {
            if (tls[field] !== undefined) out.add([...path, field], "cannot be set when insecureSkipVerify is true");
        }
    }
    if (tls.credentialName !== undefined && tls.credentialName !== "") {
        for (const field of ["clientCertificate", "caCertificates", "privateKey", "caCrl"] as const) {
            if (tls[field] !== undefined && tls[field] !== "") out.add([...path, field], "cannot be set when credentialName is set");
        }
        return;
    }
    if (mode === "MUTUAL") {
        if (!tls.clientCertificate) out.add([...path, "clientCertificate"], "required for mode MUTUAL (or set credentialName)");
        if (!tls.privateKey) out.add([...path, "privateKey"], "required for mode MUTUAL (or set credentialName)");
    }
}
