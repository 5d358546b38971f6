import { ResourceValidationPolicy } from "@pulumi/policy";
import { DEFAULT_INGRESS_GATEWAY } from "../../components/constants";
import { matchString, parsePrincipal } from "../../components/istio";
import { configSchema } from "../lib/config";
import { istioKindOfType } from "../lib/kinds";
import { asList, asRecord, isRecord } from "../lib/object";
import { ReportObjectViolation, validateObjects } from "../lib/resource-policy";

/** `namespace/serviceAccount` of the ingress gateway MeshPolicy's `{ ingressGateway: true }` names. */
const DEFAULT_GATEWAYS = [`${DEFAULT_INGRESS_GATEWAY.namespace}/${DEFAULT_INGRESS_GATEWAY.serviceAccount}`];

interface Gateway {
    readonly namespace: string;
    readonly serviceAccount: string;
}

export const authorizationPolicyTokenNotOptional: ResourceValidationPolicy = {
    name: "authorization-policy-token-not-optional",
    description:
        "An ALLOW AuthorizationPolicy that requires a JWT (requestPrincipals or request.auth conditions) in one rule must not also admit the ingress gateway without one: requests through the gateway would need no token at all.",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            ...configSchema().properties,
            ingressGateways: {
                type: "array",
                items: { type: "string", pattern: "^[^/]+/[^/]+$" },
                default: DEFAULT_GATEWAYS,
                description: "Identities of the ingress gateways, as `namespace/serviceAccount`.",
            },
        },
    },
    validateResource: validateObjects(
        { appliesTo: "Istio AuthorizationPolicy", kindOf: (t) => (istioKindOfType(t) === "AuthorizationPolicy" ? "AuthorizationPolicy" : undefined), wholeObject: true },
        ({ object, args }, report) => {
            const spec = asRecord(object.body["spec"]);
            if ((spec["action"] ?? "ALLOW") !== "ALLOW") return;
            checkTokenBypass(asList(spec["rules"]), gatewaysOf(args.getConfig<Record<string, unknown>>()["ingressGateways"]), report);
        },
    ),
};

/** The configured gateways per list (by identity: the SDK hands out the same list on every call, never changed). */
const gatewaysByList = new WeakMap<readonly unknown[], readonly Gateway[]>();

function gatewaysOf(configured: unknown): readonly Gateway[] {
    const list: readonly unknown[] = Array.isArray(configured) ? configured : DEFAULT_GATEWAYS;
    let gateways = gatewaysByList.get(list);
    if (gateways === undefined) {
        gateways = list.filter((g): g is string => typeof g === "string").map(parseGateway);
        gatewaysByList.set(list, gateways);
    }
    return gateways;
}

function parseGateway(value: string): Gateway {
    const [namespace, serviceAccount] = value.split("/");
    return { namespace, serviceAccount };
}

/** True when a source admits only requests carrying a validated JWT. */
function sourceRequiresToken(source: Record<string, unknown>): boolean {
    return asList(source["requestPrincipals"]).length > 0;
}

/** True when a rule's conditions admit only requests carrying a validated JWT (`request.auth.*`). */
function conditionsRequireToken(rule: Record<string, unknown>): boolean {
    return asList(rule["when"]).some((c) => isRecord(c) && typeof c["key"] === "string" && c["key"].startsWith("request.auth."));
}

/** The field and value of a source that admits a gateway by principal or namespace, or undefined. */
function gatewayMatch(source: Record<string, unknown>, gateways: readonly Gateway[]): { field: string; index: number; gateway: Gateway } | undefined {
    for (const field of ["principals", "namespaces"] as const) {
        const values = asList(source[field]);
        for (let index = 0; index < values.length; index++) {
            const value = values[index];
            if (typeof value !== "string") continue;
            const gateway = gateways.find((g) => admitsGateway(field, value, g));
            if (gateway !== undefined) return { field, index, gateway };
        }
    }
    return undefined;
}

function admitsGateway(field: "principals" | "namespaces", value: string, gateway: Gateway): boolean {
    if (field === "namespaces") return matchString(value, gateway.namespace);
    const exact = parsePrincipal(value);
    if (exact !== undefined) return exact.namespace === gateway.namespace && exact.serviceAccount === gateway.serviceAccount;
    // A pattern (`*/ns/istio-ingress/sa/*`, `*`): judged against the gateway's identity in any trust domain.
    return matchString(value, `cluster.local/ns/${gateway.namespace}/sa/${gateway.serviceAccount}`);
}

/** The path of the first token requirement of the rules (a source's requestPrincipals or a rule's request.auth conditions), or undefined. */
function tokenRequirement(rules: readonly unknown[]): string | undefined {
    for (let r = 0; r < rules.length; r++) {
        const rule = asRecord(rules[r]);
        const from = asList(rule["from"]);
        const f = from.findIndex((entry) => sourceRequiresToken(asRecord(asRecord(entry)["source"])));
        if (f >= 0) return `spec.rules[${r}].from[${f}].source.requestPrincipals`;
        if (conditionsRequireToken(rule)) return `spec.rules[${r}].when`;
    }
    return undefined;
}

/**
 * Rules of one ALLOW policy are ORed (Istio authorization: a request is allowed when ANY rule
 * matches), and so are the sources of one rule. So when one rule requires a token and another source
 * admits the gateway without one, a request through the gateway needs no token at all: the gateway
 * forwards the end user's request under its own identity.
 */
function checkTokenBypass(rules: readonly unknown[], gateways: readonly Gateway[], report: ReportObjectViolation): void {
    const requiring = tokenRequirement(rules);
    if (requiring === undefined) return;
    rules.forEach((raw, r) => {
        const rule = asRecord(raw);
        if (conditionsRequireToken(rule)) return;
        asList(rule["from"]).forEach((from, f) => {
            const source = asRecord(asRecord(from)["source"]);
            if (sourceRequiresToken(source)) return;
            const match = gatewayMatch(source, gateways);
            if (match === undefined) return;
            report(
                `spec.rules[${r}].from[${f}].source.${match.field}[${match.index}]`,
                `admits the ingress gateway ${match.gateway.namespace}/${match.gateway.serviceAccount} without a token while ${requiring} requires one, so requests through the gateway need no JWT`,
                "put the JWT requirement on the gateway route (add requestPrincipals to this source, or require the token at the gateway with a RequestAuthentication and an ALLOW policy on the gateway), or drop the plain gateway caller",
            );
        });
    });
}
