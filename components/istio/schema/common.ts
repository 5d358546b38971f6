import { z } from "zod";
import { ValidationIssue } from "../../errors";
import { formatPath } from "../../validation/validate";

// The spec types (and their constants) live in the zod-free spec-types.ts (the public declarations).
import type { IstioPolicyTargetReference, IstioWorkloadSelector } from "./spec-types";
export type { IstioPolicyTargetReference, IstioWorkloadSelector };

/** Collects issues with their paths while a checker walks an object. */
export class IstioIssueList {
    readonly issues: ValidationIssue[] = [];

    add(path: readonly PropertyKey[], message: string): void {
        this.issues.push({ path: formatPath(path), message });
    }
}

/** A list of strings in which istiod rejects empty values ("empty value not allowed"). */
export const istioStringList = z.array(z.string());

/**
 * `WorkloadSelector` of the CRDs: label values ≤ 63 chars, ≤ 4096 labels. The CEL rules
 * (no wildcard, no empty key) are checked by `checkWorkloadSelector`.
 */
export const istioWorkloadSelectorSchema = z.strictObject({
    matchLabels: z.record(z.string(), z.string().max(63)).optional(),
});

const dnsSubdomainPattern = /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** `PolicyTargetReference` of the CRDs (targetRef / targetRefs[]). */
export const istioPolicyTargetReferenceSchema = z.strictObject({
    group: z.string().max(253).regex(dnsSubdomainPattern, "must be a DNS subdomain (an API group) or empty").optional(),
    kind: z.string().min(1).max(63).regex(/^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/, "must be a Kubernetes kind"),
    name: z.string().min(1).max(253),
    namespace: z.string().optional(),
});

/** The CEL rules on `matchLabels` (CRD) and istiod's `validateWorkloadSelector`. */
export function checkWorkloadSelector(selector: IstioWorkloadSelector | undefined, path: readonly PropertyKey[], out: IstioIssueList): void {
    const labels = selector?.matchLabels;
    if (labels === undefined) return;
    if (Object.keys(labels).length > 4096) out.add([...path, "matchLabels"], "at most 4096 labels are allowed");
    for (const [key, value] of Object.entries(labels)) {
        if (key === "") out.add([...path, "matchLabels"], "key must not be empty");
        if (key.includes("*")) out.add([...path, "matchLabels", key], "wildcard not allowed in label key match");
        if (value.includes("*")) out.add([...path, "matchLabels", key], "wildcard not allowed in label value match");
    }
}

/**
 * At most one of selector/targetRef/targetRefs (CEL rule of the AuthorizationPolicy and
 * RequestAuthentication CRDs), and no cross-namespace target reference.
 */
export function checkPolicyScope(
    spec: { selector?: IstioWorkloadSelector; targetRef?: IstioPolicyTargetReference; targetRefs?: IstioPolicyTargetReference[] },
    out: IstioIssueList,
): void {
    const set = [spec.selector, spec.targetRef, spec.targetRefs].filter((v) => v !== undefined).length;
    if (set > 1) out.add(["spec"], "only one of targetRefs or selector can be set (selector, targetRef, targetRefs)");
    checkWorkloadSelector(spec.selector, ["spec", "selector"], out);
    const refs: [IstioPolicyTargetReference, PropertyKey[]][] = [];
    if (spec.targetRef) refs.push([spec.targetRef, ["spec", "targetRef"]]);
    (spec.targetRefs ?? []).forEach((ref, i) => refs.push([ref, ["spec", "targetRefs", i]]));
    for (const [ref, path] of refs) {
        if (ref.namespace !== undefined && ref.namespace !== "") {
            out.add([...path, "namespace"], "cross namespace referencing is not currently supported (leave namespace empty)");
        }
    }
}

/** istiod `CheckEmptyValues`: every listed string must be non-empty. */
export function checkNoEmptyValues(values: readonly string[] | undefined, path: readonly PropertyKey[], out: IstioIssueList): void {
    values?.forEach((v, i) => {
        if (v === "") out.add([...path, i], "empty value not allowed");
    });
}

/** An IPv4/IPv6 address or CIDR prefix, as Go's netip.ParseAddr / ParsePrefix accept them. */
export function isValidIpOrCidr(value: string): boolean {
    const slash = value.indexOf("/");
    const address = slash < 0 ? value : value.slice(0, slash);
    const bits = slash < 0 ? undefined : value.slice(slash + 1);
    const v4 = isIpv4(address);
    const v6 = !v4 && isIpv6(address);
    if (!v4 && !v6) return false;
    if (bits === undefined) return true;
    if (!/^(0|[1-9][0-9]*)$/.test(bits)) return false;
    return Number(bits) <= (v4 ? 32 : 128);
}

function isIpv4(value: string): boolean {
    const parts = value.split(".");
    return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

function isIpv6(value: string): boolean {
    const zoneless = value.split("%")[0];
    if (!/^[0-9A-Fa-f:.]+$/.test(zoneless) || zoneless.length < 2) return false;
    let groups = zoneless.split(":");
    let expected = 8;
    const last = groups[groups.length - 1];
    if (last.includes(".")) {
        if (!isIpv4(last)) return false;
        groups = groups.slice(0, -1);
        expected = 6;
    }
    const doubleColon = zoneless.indexOf("::");
    if (doubleColon !== zoneless.lastIndexOf("::")) return false;
    const filled = groups.filter((g) => g !== "");
    if (!filled.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
    return doubleColon >= 0 ? filled.length < expected : filled.length === expected && groups.length === expected;
}

/** A port as istiod's `ValidatePorts` accepts it: decimal digits, at most 65535. */
export function isValidPortString(value: string): boolean {
    return /^[0-9]+$/.test(value) && Number(value) <= 65535;
}

/** A Go `time.ParseDuration` string (as used by CEL `duration()`), in milliseconds; undefined if invalid. */
export function parseGoDuration(value: string): number | undefined {
    const units: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
    const match = /^([-+]?)((?:[0-9]*\.?[0-9]+(?:ns|us|µs|ms|s|m|h))+|0)$/.exec(value);
    if (!match) return undefined;
    if (match[2] === "0") return 0;
    let total = 0;
    for (const part of match[2].matchAll(/([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)/g)) {
        total += Number(part[1]) * units[part[2]];
    }
    return match[1] === "-" ? -total : total;
}
