import { ResourceValidationPolicy } from "@pulumi/policy";
import { StagedAllow, stagedAllowOf } from "../../components/istio";
import { configSchema } from "../lib/config";
import { istioKindOfType } from "../lib/kinds";
import { validateObjects } from "../lib/resource-policy";

/**
 * The staged allow of a MeshPolicy `dryRunServices` destination, read from the raw preview values:
 * an unknown value anywhere in it makes it not one (it is then judged as the allow-all it may be).
 */
export function stagedAllowInPreview(values: Readonly<Record<string, unknown>>): StagedAllow | undefined {
    const metadata = values["metadata"];
    const annotations = typeof metadata === "object" && metadata !== null ? (metadata as Record<string, unknown>)["annotations"] : undefined;
    return stagedAllowOf(typeof annotations === "object" && annotations !== null ? (annotations as Record<string, unknown>) : undefined, values["spec"]);
}

const labelsText = (labels: Readonly<Record<string, string>>) =>
    Object.keys(labels)
        .sort()
        .map((k) => `${k}=${labels[k]}`)
        .join(",");

/**
 * A destination in staged enforcement is not protected: its own policies run in dry-run and the
 * staged allow opens its ports to every caller. Never counted as protected, always reported
 * (advisory: staging is a deliberate step, and the gate out of it is `meshguard discover --check`).
 */
export const authorizationPolicyStagedEnforcement: ResourceValidationPolicy = {
    name: "authorization-policy-staged-enforcement",
    description:
        "Destinations in staged enforcement (MeshPolicy dryRunServices: a staged allow annotated meshguard.io/staged-enforcement: dry-run) are reported as dry-run, not enforced: their policies are only logged and any caller reaches their declared ports.",
    enforcementLevel: "advisory",
    configSchema: configSchema(),
    validateResource: validateObjects(
        { appliesTo: "Istio AuthorizationPolicy", kindOf: (t) => (istioKindOfType(t) === "AuthorizationPolicy" ? "AuthorizationPolicy" : undefined), wholeObject: true },
        ({ object }, report) => {
            const staged = stagedAllowInPreview(object.values);
            if (staged === undefined) return;
            report(
                "spec.rules[0]",
                `dry-run, not enforced: workloads ${labelsText(staged.matchLabels)} accept any caller on ports ${staged.ports.join(", ")}; their own AuthorizationPolicies run with istio.io/dry-run (evaluated and logged only)`,
                "when `meshguard discover --check` reports that no observed call would break, remove the service from the MeshPolicy's dryRunServices to enforce it",
            );
        },
    ),
};
