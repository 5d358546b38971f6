// The benchmark's SDK floor for meshguard's shape: meshguard's 29 policies with the same names,
// levels and config schemas, each saying "not applicable" exactly where meshguard's policy does
// and otherwise doing nothing, served by the same @pulumi/policy. @pulumi/policy's Analyze loop
// (server.js makeAnalyzeRpcFun) does its per-policy work (arguments, a proxy, an awaited promise or
// a caught exception, an entry in the response) for every resource policy, whatever the policy
// checks; this pack pays exactly that, so meshguard's pack against it is the cost of meshguard's
// checks alone, and this pack against the empty pack is the SDK's cost of having 15 resource
// policies instead of one.
import { PolicyPack, ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { notApplicable } from "../../policy-pack/lib/not-applicable";
import { shareRequestProperties } from "../../policy-pack/lib/request-properties";
import { meshguardPolicies } from "../../policy-pack/policies";

shareRequestProperties();

/**
 * Whether meshguard's policy applies to a resource type, learned from the first resource of the
 * type by running the real policy once (its reason kept when it does not apply). In the benchmark's
 * stack nothing is exempt, so applicability follows the type alone.
 */
function floorOf(name: string, validate: ResourceValidation): ResourceValidation {
    const reasonByType = new Map<string, string | null>();
    const ignore: ReportViolation = () => undefined;
    return (args: ResourceValidationArgs) => {
        let reason = reasonByType.get(args.type);
        if (reason === undefined) {
            reason = null;
            try {
                if (validate(args, ignore) instanceof Promise) throw new Error(`${name}: the floor expects synchronous policies`);
            } catch (err: unknown) {
                const thrown = (err as { reason?: unknown } | null)?.reason;
                if (typeof thrown !== "string") throw err;
                reason = thrown;
            }
            reasonByType.set(args.type, reason);
        }
        if (reason !== null) notApplicable(args, reason);
    };
}

new PolicyPack("sdk-floor", {
    enforcementLevel: "mandatory",
    policies: meshguardPolicies.map((policy) => {
        if ("validateStack" in policy) return { ...policy, validateStack: () => undefined };
        const validate = policy.validateResource;
        if (typeof validate !== "function") throw new Error(`${policy.name}: expected one validateResource function`);
        return { ...policy, validateResource: floorOf(policy.name, validate) };
    }),
});
