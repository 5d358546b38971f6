import { ResourceValidationPolicy } from "@pulumi/policy";
import { checkIstioSecurityObject } from "../../components/model/istio-security";
import { configSchema } from "../lib/config";
import { istioKindOfType, parseKubernetesType } from "../lib/kinds";
import { validateObjects } from "../lib/resource-policy";

export const istioResourceSchema: ResourceValidationPolicy = {
    name: "istio-resource-schema",
    description:
        "Istio security resources (AuthorizationPolicy, PeerAuthentication, RequestAuthentication, DestinationRule) must match the Istio CRD schema exactly and pass istiod's validation: unknown or misspelled fields are silently pruned by the API server and widen the policy.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: validateObjects(
        { appliesTo: "Istio security resources", kindOf: istioKindOfType, wholeObject: true },
        ({ object, args }, report) => {
            const type = parseKubernetesType(args.type);
            const apiVersion = object.apiVersion !== "" ? object.apiVersion : type === undefined ? "" : `${type.group}/${type.version}`;
            const issues = checkIstioSecurityObject({ ...object.body, apiVersion, kind: object.kind });
            for (const issue of issues) {
                const unknownField = issue.message.startsWith("unknown field");
                report(
                    issue.path,
                    unknownField
                        ? `${issue.message}: the API server prunes unknown fields without an error, so the stored policy is wider than the one written`
                        : `${issue.message}: the Istio CRD or istiod's validating webhook rejects it, or istiod ignores it`,
                    unknownField ? `remove or correct the field (see the Istio ${object.kind} reference)` : `correct the value (see the Istio ${object.kind} reference)`,
                );
            }
        },
    ),
};
