import { z } from "zod";
import { DRY_RUN_ANNOTATION } from "../../constants";
import { ValidationIssue } from "../../errors";
import { parseGoBool } from "../dry-run";
import { ISTIO_KIND_TABLE } from "../kinds";
import { splitApiVersion } from "../../kube";
import { checkAuthorizationPolicySpec, istioAuthorizationPolicySpecSchema } from "./authorization-policy";
import {
    checkPeerAuthenticationSpec,
    checkRequestAuthenticationSpec,
    istioPeerAuthenticationSpecSchema,
    istioRequestAuthenticationSpecSchema,
} from "./authentication";
import { IstioIssueList } from "./common";
import { checkDestinationRuleSpec, istioDestinationRuleSpecSchema } from "./destination-rule";
import { checkServiceEntrySpec, istioServiceEntrySpecSchema } from "./service-entry";
import { toIssues } from "../../validation/validate";
import { DNS1123_LABEL_PATTERN, DNS1123_SUBDOMAIN_PATTERN } from "../../validation/dns-names";

export * from "./authorization-policy";
export * from "./authentication";
export * from "./destination-rule";
export * from "./service-entry";
export {
    IstioIssueList,
    istioPolicyTargetReferenceSchema,
    istioWorkloadSelectorSchema,
    type IstioPolicyTargetReference,
    type IstioWorkloadSelector,
} from "./common";

interface KindSchema {
    readonly group: string;
    readonly versions: readonly string[];
    readonly spec: z.ZodType;
    readonly check: (spec: never, out: IstioIssueList) => void;
}

/**
 * The Istio kinds meshguard validates strictly, their API group and the versions the Istio 1.30
 * CRDs serve (all versions of one kind share a schema).
 */
export const ISTIO_SECURITY_KINDS: Readonly<Record<string, KindSchema>> = Object.freeze({
    AuthorizationPolicy: {
        ...ISTIO_KIND_TABLE.AuthorizationPolicy,
        spec: istioAuthorizationPolicySpecSchema,
        check: checkAuthorizationPolicySpec,
    },
    PeerAuthentication: {
        ...ISTIO_KIND_TABLE.PeerAuthentication,
        spec: istioPeerAuthenticationSpecSchema,
        check: checkPeerAuthenticationSpec,
    },
    RequestAuthentication: {
        ...ISTIO_KIND_TABLE.RequestAuthentication,
        spec: istioRequestAuthenticationSpecSchema,
        check: checkRequestAuthenticationSpec,
    },
    DestinationRule: {
        ...ISTIO_KIND_TABLE.DestinationRule,
        spec: istioDestinationRuleSpecSchema,
        check: checkDestinationRuleSpec,
    },
    ServiceEntry: {
        ...ISTIO_KIND_TABLE.ServiceEntry,
        spec: istioServiceEntrySpecSchema,
        check: checkServiceEntrySpec,
    },
});

/** True when `checkIstioSecurityObject` validates objects of this apiVersion group and kind. */
export function isIstioSecurityKind(apiVersion: string, kind: string): boolean {
    const schema = Object.prototype.hasOwnProperty.call(ISTIO_SECURITY_KINDS, kind) ? ISTIO_SECURITY_KINDS[kind] : undefined;
    return schema !== undefined && splitApiVersion(apiVersion).group === schema.group;
}

const TOP_LEVEL_FIELDS = new Set(["apiVersion", "kind", "metadata", "spec", "status"]);

/**
 * Validates an AuthorizationPolicy, PeerAuthentication, RequestAuthentication (security.istio.io)
 * or DestinationRule (networking.istio.io) against the Istio 1.30 CRD schema — strictly: an
 * unknown field is an error, because the API server silently prunes it and the policy widens —
 * plus the CRD's CEL rules and istiod's validating webhook. Returns [] when valid, and [] for any
 * other kind. Paths are rooted at the object (`spec.rules[0].from[0].source.principals[1]`).
 * DestinationRule subtrees without security meaning (connectionPool, loadBalancer, ...) are only
 * required to be objects.
 */
export function checkIstioSecurityObject(value: unknown): ValidationIssue[] {
    // Any input (parsed YAML, a program's registrations): what is not an object with string
    // apiVersion and kind is no Istio security object, and is never dereferenced.
    if (typeof value !== "object" || value === null) return [];
    const obj = value as { apiVersion: unknown; kind: unknown; metadata?: unknown; spec?: unknown };
    if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string" || !isIstioSecurityKind(obj.apiVersion, obj.kind)) return [];
    const kind = ISTIO_SECURITY_KINDS[obj.kind];
    const out = new IstioIssueList();
    const { version } = splitApiVersion(obj.apiVersion);
    if (!kind.versions.includes(version)) {
        out.add(["apiVersion"], `${kind.group}/${version} does not serve ${obj.kind} (served: ${kind.versions.map((v) => `${kind.group}/${v}`).join(", ")})`);
    }
    for (const field of Object.keys(obj)) {
        if (!TOP_LEVEL_FIELDS.has(field)) out.add([field], "unknown field (not part of the schema; check its spelling)");
    }
    const annotations = checkMetadata(obj.metadata, out);
    const parsed = kind.spec.safeParse(obj.spec ?? {});
    if (!parsed.success) {
        out.issues.push(...toIssues(parsed.error, ["spec"]));
    } else {
        kind.check(parsed.data as never, out);
        if (annotations?.[DRY_RUN_ANNOTATION] !== undefined) checkDryRun(obj.kind, annotations[DRY_RUN_ANNOTATION], parsed.data, out);
    }
    return out.issues;
}

const metadataSchema = z.looseObject({
    name: z.string().max(253).regex(DNS1123_SUBDOMAIN_PATTERN, "must be a DNS-1123 subdomain (lowercase alphanumerics, '-' and '.')").optional(),
    namespace: z.string().max(63).regex(DNS1123_LABEL_PATTERN, "must be a DNS-1123 label").optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
});

function checkMetadata(metadata: unknown, out: IstioIssueList): Record<string, string> | undefined {
    if (metadata === undefined) return undefined;
    const parsed = metadataSchema.safeParse(metadata);
    if (!parsed.success) {
        out.issues.push(...toIssues(parsed.error, ["metadata"]));
        return undefined;
    }
    return parsed.data.annotations;
}

/** istiod `checkDryRunAnnotation`: only AuthorizationPolicy, ALLOW/DENY, and a Go boolean value. */
function checkDryRun(kind: string, value: string, spec: unknown, out: IstioIssueList): void {
    const path = ["metadata", "annotations", DRY_RUN_ANNOTATION];
    if (kind !== "AuthorizationPolicy") {
        out.add(path, `unsupported annotation on ${kind} (only AuthorizationPolicy supports it)`);
        return;
    }
    const action = (spec as { action?: string }).action ?? "ALLOW";
    if (action !== "ALLOW" && action !== "DENY") out.add(path, `only supported with action ALLOW or DENY, found ${action}`);
    if (parseGoBool(value) === undefined) out.add(path, `invalid value "${value}" (use "true" or "false")`);
}
