import { ResourceValidationPolicy } from "@pulumi/policy";
import { MeshguardValidationError } from "../../components/errors";
import { findAllowAnyCaller } from "../../components/istio";
import { readingSpecCompiler } from "../lib/authorization-spec";
import { stagedAllowInPreview } from "./authorization-policy-staged-enforcement";
import { configSchema } from "../lib/config";
import { istioKindOfType } from "../lib/kinds";
import { findingProblem } from "../lib/messages";
import { validateObjects } from "../lib/resource-policy";

export const authorizationPolicyNoAllowAll: ResourceValidationPolicy = {
    name: "authorization-policy-no-allow-all",
    description:
        "ALLOW AuthorizationPolicies must name their callers: a rule that is empty, has no `from`, uses only negative matches, or whose source patterns match every namespace (principals: [\"*\"], [\"cluster.local/*\"], [\"*/sa/default\"], namespaces: [\"*\"]) or namespaces nobody named (namespaces: [\"prod*\"]) is refused.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: validateObjects(
        { appliesTo: "Istio AuthorizationPolicy", kindOf: (t) => (istioKindOfType(t) === "AuthorizationPolicy" ? "AuthorizationPolicy" : undefined), wholeObject: true },
        ({ object }, report) => {
            // MeshPolicy's staged allow (dryRunServices) is reported by authorization-policy-staged-enforcement.
            if (stagedAllowInPreview(object.values) !== undefined) return;
            let findings;
            try {
                // The simulator's evaluator decides, so the pack and `meshguard simulate` agree.
                // The namespace only resolves bare `serviceAccounts` to identities, which are named
                // callers in any namespace: an unknown namespace cannot change the verdict.
                findings = findAllowAnyCaller(object.body["spec"] ?? {}, object.unknownNamespace === undefined ? object.namespace : undefined, readingSpecCompiler(object));
            } catch (err) {
                if (!(err instanceof MeshguardValidationError)) throw err;
                for (const issue of err.issues) {
                    report(issue.path, `${issue.message}, so whether the policy admits any caller cannot be decided (fail closed)`, "fix the spec so it matches the AuthorizationPolicy schema");
                }
                return;
            }
            for (const finding of findings) {
                report(
                    finding.path,
                    findingProblem(finding),
                    "list the callers in `from` (principals of the calling service accounts, or namespaces), or delete the rule; an ALLOW policy with no rules (spec: {}) allows nothing",
                );
            }
        },
    ),
};
