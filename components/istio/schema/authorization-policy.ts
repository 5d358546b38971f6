import { z } from "zod";
import {
    checkNoEmptyValues,
    checkPolicyScope,
    IstioIssueList,
    istioPolicyTargetReferenceSchema,
    istioStringList,
    istioWorkloadSelectorSchema,
    isValidIpOrCidr,
    isValidPortString,
} from "./common";
import { ISTIO_AUTHORIZATION_ACTIONS } from "./spec-types";
import { invalidTemplateLiteral, TEMPLATE_LITERAL_CHARACTERS } from "../path-template";

// The spec types (and their constants) live in the zod-free spec-types.ts (the public declarations).
export { ISTIO_AUTHORIZATION_ACTIONS };
import type { IstioAuthorizationPolicySpec, IstioCondition, IstioOperation, IstioRule, IstioSource } from "./spec-types";
export type { IstioAuthorizationPolicySpec, IstioCondition, IstioOperation, IstioRule, IstioSource };

const serviceAccountList = z.array(z.string().max(320)).max(16);

/** `Source` of the AuthorizationPolicy CRD (Istio 1.30), every field. */
export const istioSourceSchema = z.strictObject({
    principals: istioStringList.optional(),
    notPrincipals: istioStringList.optional(),
    requestPrincipals: istioStringList.optional(),
    notRequestPrincipals: istioStringList.optional(),
    namespaces: istioStringList.optional(),
    notNamespaces: istioStringList.optional(),
    serviceAccounts: serviceAccountList.optional(),
    notServiceAccounts: serviceAccountList.optional(),
    trustDomains: istioStringList.optional(),
    notTrustDomains: istioStringList.optional(),
    ipBlocks: istioStringList.optional(),
    notIpBlocks: istioStringList.optional(),
    remoteIpBlocks: istioStringList.optional(),
    notRemoteIpBlocks: istioStringList.optional(),
});

/** `Operation` of the AuthorizationPolicy CRD, every field. */
export const istioOperationSchema = z.strictObject({
    hosts: istioStringList.optional(),
    notHosts: istioStringList.optional(),
    ports: istioStringList.optional(),
    notPorts: istioStringList.optional(),
    methods: istioStringList.optional(),
    notMethods: istioStringList.optional(),
    paths: istioStringList.optional(),
    notPaths: istioStringList.optional(),
});

export const istioConditionSchema = z.strictObject({
    key: z.string(),
    values: istioStringList.optional(),
    notValues: istioStringList.optional(),
});

export const istioRuleSchema = z.strictObject({
    from: z.array(z.strictObject({ source: istioSourceSchema.optional() })).max(512).optional(),
    to: z.array(z.strictObject({ operation: istioOperationSchema.optional() })).optional(),
    when: z.array(istioConditionSchema).optional(),
});


/** `spec` of an AuthorizationPolicy (security.istio.io v1 / v1beta1, identical schemas). */
export const istioAuthorizationPolicySpecSchema = z.strictObject({
    action: z.enum(ISTIO_AUTHORIZATION_ACTIONS).optional(),
    provider: z.strictObject({ name: z.string().optional() }).optional(),
    rules: z.array(istioRuleSchema).max(512).optional(),
    selector: istioWorkloadSelectorSchema.optional(),
    targetRef: istioPolicyTargetReferenceSchema.optional(),
    targetRefs: z.array(istioPolicyTargetReferenceSchema).max(16).optional(),
});

const SOURCE_LIST_FIELDS = Object.keys(istioSourceSchema.shape) as (keyof IstioSource)[];
const OPERATION_LIST_FIELDS = Object.keys(istioOperationSchema.shape) as (keyof IstioOperation)[];
const IP_FIELDS: (keyof IstioSource)[] = ["ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"];

/**
 * istiod's ValidateAuthorizationPolicy and the CRD's CEL rules, on a structurally valid spec.
 * Paths are relative to the object (`spec.rules[0]...`).
 */
export function checkAuthorizationPolicySpec(spec: IstioAuthorizationPolicySpec, out: IstioIssueList): void {
    checkPolicyScope(spec, out);
    const action = spec.action ?? "ALLOW";
    if (action === "CUSTOM") {
        if (spec.provider?.name === undefined || spec.provider.name === "") {
            out.add(["spec", "provider", "name"], "must be set (the extension provider) when action is CUSTOM");
        }
    } else if (spec.provider !== undefined) {
        out.add(["spec", "provider"], `must not be set with action ${action} (only CUSTOM uses a provider)`);
    }
    if ((action === "DENY" || action === "CUSTOM") && (spec.rules === undefined || spec.rules.length === 0)) {
        out.add(["spec", "rules"], `${action} action without rules never triggers: add rules (an empty rule {} matches every request)`);
    }
    spec.rules?.forEach((rule, i) => checkRule(rule, ["spec", "rules", i], action, out));
}

function checkRule(rule: IstioRule, path: PropertyKey[], action: string, out: IstioIssueList): void {
    if (rule.from !== undefined && rule.from.length === 0) out.add([...path, "from"], "must not be empty (omit it to match any source)");
    if (rule.to !== undefined && rule.to.length === 0) out.add([...path, "to"], "must not be empty (omit it to match any operation)");
    rule.from?.forEach((from, j) => {
        const at = [...path, "from", j];
        if (from.source === undefined) {
            out.add([...at, "source"], "must be set");
            return;
        }
        checkSource(from.source, [...at, "source"], action, out);
    });
    rule.to?.forEach((to, j) => {
        const at = [...path, "to", j];
        if (to.operation === undefined) {
            out.add([...at, "operation"], "must be set");
            return;
        }
        checkOperation(to.operation, [...at, "operation"], out);
    });
    rule.when?.forEach((condition, j) => checkCondition(condition, [...path, "when", j], action, out));
}

function checkSource(source: IstioSource, path: PropertyKey[], action: string, out: IstioIssueList): void {
    if (SOURCE_LIST_FIELDS.every((f) => (source[f]?.length ?? 0) === 0)) {
        out.add(path, "must not be empty (set at least one field)");
    }
    for (const field of SOURCE_LIST_FIELDS) {
        const values = source[field];
        if (values !== undefined && values !== null) checkNoEmptyValues(values, [...path, field], out);
    }
    for (const field of IP_FIELDS) {
        source[field]?.forEach((ip, k) => {
            if (ip !== "" && !isValidIpOrCidr(ip)) out.add([...path, field, k], `bad IP address or CIDR range "${ip}"`);
        });
    }
    const hasServiceAccounts = source.serviceAccounts !== undefined || source.notServiceAccounts !== undefined;
    if (hasServiceAccounts && ["principals", "notPrincipals", "namespaces", "notNamespaces"].some((f) => f in source)) {
        out.add(path, "Cannot set serviceAccounts with namespaces or principals");
    }
    for (const field of ["serviceAccounts", "notServiceAccounts"] as const) {
        source[field]?.forEach((sa, k) => {
            if (sa.includes("*")) out.add([...path, field, k], "wildcards are not supported in service accounts (use <namespace>/<name>)");
        });
    }
    if (action === "CUSTOM") {
        // istiod rejects every identity field with CUSTOM (pkg/config/validation/validation.go, ValidateAuthorizationPolicy).
        for (const field of ["principals", "notPrincipals", "namespaces", "notNamespaces", "serviceAccounts", "notServiceAccounts", "trustDomains", "notTrustDomains", "requestPrincipals", "notRequestPrincipals"] as const) {
            if ((source[field] ?? []).length > 0) out.add([...path, field], "is not supported with action CUSTOM");
        }
    }
}

function checkOperation(operation: IstioOperation, path: PropertyKey[], out: IstioIssueList): void {
    if (OPERATION_LIST_FIELDS.every((f) => (operation[f]?.length ?? 0) === 0)) {
        out.add(path, "must not be empty (set at least one field)");
    }
    for (const field of OPERATION_LIST_FIELDS) {
        const values = operation[field];
        if (values !== undefined && values !== null) checkNoEmptyValues(values, [...path, field], out);
    }
    for (const field of ["ports", "notPorts"] as const) {
        operation[field]?.forEach((port, k) => {
            if (port !== "" && !isValidPortString(port)) out.add([...path, field, k], `bad port "${port}" (a number from 0 to 65535)`);
        });
    }
    for (const field of ["paths", "notPaths"] as const) {
        operation[field]?.forEach((p, k) => {
            const problem = istioPathTemplateProblem(p);
            if (problem !== undefined) out.add([...path, field, k], problem);
        });
    }
}

/**
 * Path templates (Istio ≥ 1.22): a path containing `{*}` or `{**}` is a template; istiod rejects
 * named variables (`{name}`, `{name=*}`), empty braces and bare `*`/`**` segments in it, and Envoy
 * requires `{**}` to be the last operator.
 */
export function istioPathTemplateProblem(path: string): string | undefined {
    if (!path.includes("{*}") && !path.includes("{**}")) return undefined;
    if (/\/\{\w+=\*\*?\}|\{\w*\}|\/\*\*?|\*\*?\//.test(path)) {
        return `invalid or unsupported path template "${path}" (only {*} and {**} operators, no named variables or bare *)`;
    }
    const last = path.lastIndexOf("{**}");
    if (last >= 0 && (path.indexOf("{**}") !== last || /\{\*\}/.test(path.slice(last + 4)))) {
        return `invalid path template "${path}": {**} must be the last operator`;
    }
    const segment = invalidTemplateLiteral(path);
    if (segment !== undefined) {
        return /[{}*]/.test(segment)
            ? `invalid or unsupported path template "${path}" (only {*} and {**} operators, no named variables or bare *)`
            : `invalid path template "${path}": segment "${segment}" must be made of ${TEMPLATE_LITERAL_CHARACTERS}`;
    }
    return undefined;
}

const EXACT_KEYS = new Set([
    "source.ip",
    "remote.ip",
    "source.namespace",
    "source.serviceAccount",
    "source.principal",
    "source.trustDomain",
    "request.auth.principal",
    "request.auth.audiences",
    "request.auth.presenter",
    "destination.ip",
    "destination.port",
    "connection.sni",
]);
const MAP_KEY_PREFIXES = ["request.headers", "request.auth.claims", "experimental.envoy.filters."];

/** istiod `ValidateAttribute`: the key must be a supported attribute and the values fit it. */
function checkCondition(condition: IstioCondition, path: PropertyKey[], action: string, out: IstioIssueList): void {
    const { key } = condition;
    if (key === "") {
        out.add([...path, "key"], "must not be empty");
        return;
    }
    if ((condition.values ?? []).length === 0 && (condition.notValues ?? []).length === 0) {
        out.add(path, `at least one of values or notValues must be set for key ${key}`);
    }
    checkNoEmptyValues(condition.values, [...path, "values"], out);
    checkNoEmptyValues(condition.notValues, [...path, "notValues"], out);
    const keyProblem = attributeKeyProblem(key);
    if (keyProblem !== undefined) out.add([...path, "key"], keyProblem);
    for (const field of ["values", "notValues"] as const) {
        condition[field]?.forEach((value, k) => {
            if (value === "") return;
            if (["source.ip", "remote.ip", "destination.ip"].includes(key) && !isValidIpOrCidr(value)) {
                out.add([...path, field, k], `bad IP address or CIDR range "${value}"`);
            }
            if (key === "destination.port" && !isValidPortString(value)) {
                out.add([...path, field, k], `bad port "${value}" (a number from 0 to 65535)`);
            }
            const valueProblem = key === "source.serviceAccount" ? serviceAccountValueProblem(value) : key === "source.trustDomain" ? wildcardPlacementProblem(value) : undefined;
            if (valueProblem !== undefined) out.add([...path, field, k], valueProblem);
        });
        if (key === "source.serviceAccount" && (condition[field] ?? []).length > MAX_SERVICE_ACCOUNT_VALUES) {
            out.add([...path, field], `may not have more than ${MAX_SERVICE_ACCOUNT_VALUES} values`);
        }
    }
    if (action === "CUSTOM" && (IDENTITY_CONDITION_KEYS.has(key) || key.startsWith("request.auth."))) {
        out.add([...path, "key"], `${key} is not supported with action CUSTOM`);
    }
}

/** Condition keys istiod refuses with CUSTOM (pkg/config/validation/validation.go). */
const IDENTITY_CONDITION_KEYS = new Set(["source.namespace", "source.serviceAccount", "source.trustDomain", "source.principal"]);

/** istiod `CheckServiceAccount` (pkg/config/security/security.go): at most 16 values, each `sa` or `namespace/sa`, no wildcard. */
const MAX_SERVICE_ACCOUNT_VALUES = 16;

function serviceAccountValueProblem(value: string): string | undefined {
    if (value.includes("*")) return `wildcard not allowed in source.serviceAccount ("${value}")`;
    if (value.length > 320) return "must not exceed 320 characters";
    const parts = value.split("/");
    if (parts.length > 2 || parts.some((part) => part === "")) return `expected format 'serviceAccount' or 'namespace/serviceAccount', found "${value}"`;
    return undefined;
}

/** istiod `CheckWildcardValues`: at most one `*`, only at the start or the end. */
function wildcardPlacementProblem(value: string): string | undefined {
    const count = value.split("*").length - 1;
    if (count > 1) return `at most one wildcard is allowed, found "${value}"`;
    if (count === 1 && value !== "*" && !value.startsWith("*") && !value.endsWith("*")) return `wildcard is only allowed at the start or end, found "${value}"`;
    return undefined;
}

function attributeKeyProblem(key: string): string | undefined {
    if (EXACT_KEYS.has(key)) return undefined;
    const prefix = MAP_KEY_PREFIXES.find((p) => key.startsWith(p));
    if (prefix !== undefined) {
        const open = key.indexOf("[");
        return key.endsWith("]") && open > 0 && open < key.length - 2 ? undefined : `bad key "${key}": should have the format ${prefix.replace(/\.$/, "")}[name]`;
    }
    if (key === "destination.namespace") return "attribute destination.namespace is replaced by metadata.namespace";
    if (key.startsWith("destination.labels")) return "attribute destination.labels is replaced by the workload selector";
    if (key === "destination.name" || key === "destination.user") return `deprecated attribute ${key}: only supported in v1alpha1`;
    return `unknown attribute "${key}"`;
}
