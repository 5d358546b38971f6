import { ResourceValidationPolicy } from "@pulumi/policy";
import { checkIstioSecurityObject } from "../../components/istio/schema/security";
import { configSchema } from "../lib/config";
import { istioKindOfType, parseKubernetesType } from "../lib/kinds";
import { allUnknowns, holdsUnknown, isUnknownValue, withPlaceholders } from "../lib/preview-values";
import { validateObjects } from "../lib/resource-policy";

/** At most this many unknown fields are listed per object (the rest are the same verdict). */
const MAX_UNKNOWNS_REPORTED = 5;

export const istioResourceSchema: ResourceValidationPolicy = {
    name: "istio-resource-schema",
    description:
        "Istio security resources (AuthorizationPolicy, PeerAuthentication, RequestAuthentication, DestinationRule) must match the Istio CRD schema exactly and pass istiod's validation: unknown or misspelled fields are silently pruned by the API server and widen the policy.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: validateObjects(
        { appliesTo: "Istio security resources", kindOf: istioKindOfType, wholeObject: true },
        ({ object, args }, report) => {
            const declared = object.values["apiVersion"];
            if (declared !== undefined && typeof declared !== "string" && !isUnknownValue(declared)) {
                report("apiVersion", `must be a string such as "security.istio.io/v1", got ${Array.isArray(declared) ? "a list" : declared === null ? "null" : typeof declared}`, "write the apiVersion as a string");
            }
            const type = parseKubernetesType(args.type);
            const apiVersion = object.apiVersion !== "" ? object.apiVersion : type === undefined ? "" : `${type.group}/${type.version}`;
            // Unknown values are checked with placeholders; a finding at, under or beside an unknown
            // (cross-field rules look at siblings) depends on it and is not reported as definite.
            // A reading without unknowns (the usual case) is its own placeholder-free copy.
            const known = !holdsUnknown(object.values);
            const unknowns = known ? [] : allUnknowns(object.values);
            const body = known ? object.values : (withPlaceholders(object.values) as Record<string, unknown>);
            const issues = checkIstioSecurityObject({ ...body, apiVersion, kind: object.kind });
            for (const issue of issues) {
                if (unknowns.some((u) => dependsOn(issue.path, u.path))) continue;
                const unknownField = issue.message.startsWith("unknown field");
                report(
                    issue.path,
                    unknownField
                        ? `${issue.message}: the API server prunes unknown fields without an error, so the stored policy is wider than the one written`
                        : `${issue.message}: the Istio CRD or istiod's validating webhook rejects it, or istiod ignores it`,
                    unknownField ? `remove or correct the field (see the Istio ${object.kind} reference)` : `correct the value (see the Istio ${object.kind} reference)`,
                );
            }
            for (const unknown of unknowns.slice(0, MAX_UNKNOWNS_REPORTED)) {
                report.unverifiable(unknown.path === "" ? "spec" : unknown.path, unknown, "a value the Istio schema or istiod rejects would be refused");
            }
        },
    ),
};

/** The issue is at or under the unknown, contains it, or is a sibling field of it. */
function dependsOn(issuePath: string, unknownPath: string): boolean {
    const parent = unknownPath.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
    const within = (path: string, prefix: string) => prefix === "" || path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
    return within(issuePath, unknownPath) || within(unknownPath, issuePath) || within(issuePath, parent);
}
