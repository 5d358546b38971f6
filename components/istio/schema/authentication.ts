import { z } from "zod";
import { isRecord } from "../../kube";
import {
    checkNoEmptyValues,
    checkPolicyScope,
    checkWorkloadSelector,
    IstioIssueList,
    istioPolicyTargetReferenceSchema,
    istioWorkloadSelectorSchema,
    parseGoDuration,
} from "./common";
import { ISTIO_MTLS_MODES } from "./spec-types";

// The spec types (and their constants) live in the zod-free spec-types.ts (the public declarations).
export { ISTIO_MTLS_MODES };
import type { IstioJwtRule, IstioPeerAuthenticationSpec, IstioRequestAuthenticationSpec } from "./spec-types";
export type { IstioJwtRule, IstioPeerAuthenticationSpec, IstioRequestAuthenticationSpec };


const mtlsSchema = z.strictObject({ mode: z.enum(ISTIO_MTLS_MODES).optional() });

/** `spec` of a PeerAuthentication (security.istio.io v1 / v1beta1). */
export const istioPeerAuthenticationSpecSchema = z.strictObject({
    mtls: mtlsSchema.optional(),
    portLevelMtls: z.record(z.string(), mtlsSchema).optional(),
    selector: istioWorkloadSelectorSchema.optional(),
});

/** CEL rules of the CRD and istiod's ValidatePeerAuthentication. */
export function checkPeerAuthenticationSpec(spec: IstioPeerAuthenticationSpec, out: IstioIssueList): void {
    checkWorkloadSelector(spec.selector, ["spec", "selector"], out);
    const ports = spec.portLevelMtls;
    if (ports === undefined) return;
    if (Object.keys(ports).length === 0) out.add(["spec", "portLevelMtls"], "must have at least one port when set");
    for (const port of Object.keys(ports)) {
        if (!/^[0-9]+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
            out.add(["spec", "portLevelMtls", port], "port must be between 1-65535");
        }
    }
    // Port-level mTLS keys are workload (container) ports: only meaningful with a workload selector.
    if (Object.keys(spec.selector?.matchLabels ?? {}).length === 0) {
        out.add(["spec", "portLevelMtls"], "portLevelMtls requires selector (a non-empty selector.matchLabels)");
    }
}

const nonEmpty = z.string().min(1);
const jwksUriSchema = z.string().min(1).max(2048);

export const istioJwtRuleSchema = z.strictObject({
    issuer: z.string().optional(),
    audiences: z.array(nonEmpty).optional(),
    jwksUri: jwksUriSchema.optional(),
    jwks_uri: jwksUriSchema.optional(),
    jwks: z.string().optional(),
    fromHeaders: z.array(z.strictObject({ name: nonEmpty, prefix: z.string().optional() })).optional(),
    fromParams: z.array(nonEmpty).optional(),
    fromCookies: z.array(nonEmpty).optional(),
    outputPayloadToHeader: z.string().optional(),
    forwardOriginalToken: z.boolean().optional(),
    outputClaimToHeaders: z
        .array(z.strictObject({ header: z.string().min(1).regex(/^[-_A-Za-z0-9]+$/, "must be a header name ([-_A-Za-z0-9]+)"), claim: nonEmpty }))
        .optional(),
    spaceDelimitedClaims: z.array(nonEmpty).max(64).optional(),
    timeout: z.string().optional(),
});

/** `spec` of a RequestAuthentication (security.istio.io v1 / v1beta1). */
export const istioRequestAuthenticationSpecSchema = z.strictObject({
    jwtRules: z.array(istioJwtRuleSchema).max(4096).optional(),
    selector: istioWorkloadSelectorSchema.optional(),
    targetRef: istioPolicyTargetReferenceSchema.optional(),
    targetRefs: z.array(istioPolicyTargetReferenceSchema).max(16).optional(),
});

/** CEL rules of the CRD and istiod's ValidateRequestAuthentication / validateJwtRule. */
export function checkRequestAuthenticationSpec(spec: IstioRequestAuthenticationSpec, out: IstioIssueList): void {
    checkPolicyScope(spec, out);
    spec.jwtRules?.forEach((rule, i) => checkJwtRule(rule, ["spec", "jwtRules", i], out));
}

function checkJwtRule(rule: IstioJwtRule, path: PropertyKey[], out: IstioIssueList): void {
    if (rule.issuer === undefined || rule.issuer === "") out.add([...path, "issuer"], "must be set (the token issuer)");
    checkNoEmptyValues(rule.audiences, [...path, "audiences"], out);
    const keySources = (["jwksUri", "jwks_uri", "jwks"] as const).filter((f) => rule[f] !== undefined);
    if (keySources.length > 1) out.add(path, `only one of jwks or jwksUri can be set (found ${keySources.join(", ")})`);
    for (const field of ["jwksUri", "jwks_uri"] as const) {
        const uri = rule[field];
        if (uri !== undefined && !/^https?:\/\/[^/?#\s]+/i.test(uri)) out.add([...path, field], "url must have scheme http:// or https://");
    }
    if (rule.jwks !== undefined && !isJsonObject(rule.jwks)) out.add([...path, "jwks"], "must be a JSON Web Key Set (a JSON object)");
    if (rule.timeout !== undefined) {
        const ms = parseGoDuration(rule.timeout);
        if (ms === undefined || ms < 1) out.add([...path, "timeout"], "must be a valid duration greater than 1ms");
    }
}

function isJsonObject(text: string): boolean {
    try {
        return isRecord(JSON.parse(text));
    } catch {
        return false;
    }
}
