import { ResourceValidationPolicy } from "@pulumi/policy";
import { MeshguardValidationError } from "../../components/errors";
import { AuthorizationSpecCompiler, findIneffectiveRules, plaintextOnlyRules } from "../../components/istio";
import { readingSpecCompiler } from "../lib/authorization-spec";
import { configSchema } from "../lib/config";
import { istioKindOfType } from "../lib/kinds";
import { asList, asRecord, isRecord } from "../lib/object";
import { findingProblem } from "../lib/messages";
import { ReportObjectViolation, validateObjects } from "../lib/resource-policy";

export const authorizationPolicySafePatterns: ResourceValidationPolicy = {
    name: "authorization-policy-safe-patterns",
    description:
        "AuthorizationPolicies must follow Istio's safe patterns: ALLOW with positive matching only, DENY with rules (and ports when it uses HTTP-only fields), principals without spiffe:// that can match a workload identity, no `*` in the middle of a value (namespaces excepted: istiod reads them as globs), no query strings in paths, and DENY rules whose exemptions leave something to deny.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: validateObjects(
        { appliesTo: "Istio AuthorizationPolicy", kindOf: (t) => (istioKindOfType(t) === "AuthorizationPolicy" ? "AuthorizationPolicy" : undefined), wholeObject: true },
        ({ object }, report) => {
            const spec = asRecord(object.body["spec"]);
            const action = spec["action"] ?? "ALLOW";
            const compile = readingSpecCompiler(object);
            if (action === "ALLOW") checkPositiveMatching(spec, report, compile);
            if (action === "DENY" && asList(spec["rules"]).length === 0) {
                report("spec.rules", "a DENY policy without rules is rejected by istiod, so the deny you intended is never applied", "add the rules that describe the requests to deny");
            }
            let findings;
            try {
                findings = findIneffectiveRules(spec, compile);
            } catch (err) {
                // A malformed spec is reported by istio-resource-schema; nothing to judge here.
                if (err instanceof MeshguardValidationError) return;
                throw err;
            }
            for (const finding of findings) {
                report(finding.path, findingProblem(finding), fixFor(finding.reason));
            }
        },
    ),
};

/**
 * Istio security best practices: ALLOW-with-positive-matching. A negative match (`notPaths`,
 * `notValues`, ...) under ALLOW admits every request that merely differs, including new paths,
 * encodings and methods nobody thought of.
 */
function checkPositiveMatching(spec: Record<string, unknown>, report: ReportObjectViolation, compile: AuthorizationSpecCompiler): void {
    // `notPrincipals: ["*"]` on named ports is the one negative match that names a set exactly:
    // plaintext callers, judged with the mTLS mode of those ports (components/istio/plaintext-rule.ts).
    const plaintextRules = plaintextOnlyRules(spec, compile);
    asList(spec["rules"]).forEach((rawRule, r) => {
        const rule = asRecord(rawRule);
        for (const [field, wrapper] of [["from", "source"], ["to", "operation"]] as const) {
            asList(rule[field]).forEach((entry, i) => {
                const inner = asRecord(asRecord(entry)[wrapper]);
                for (const [key, values] of Object.entries(inner)) {
                    if (key === "notPrincipals" && plaintextRules.has(r)) continue;
                    if (/^not[A-Z]/.test(key) && asList(values).length > 0) {
                        report(`spec.rules[${r}].${field}[${i}].${wrapper}.${key}`, negativeProblem(key), negativeFix(key));
                    }
                }
            });
        }
        asList(rule["when"]).forEach((cond, i) => {
            if (isRecord(cond) && asList(cond["notValues"]).length > 0) {
                report(`spec.rules[${r}].when[${i}].notValues`, negativeProblem("notValues"), negativeFix("notValues"));
            }
        });
    });
}

function negativeProblem(key: string): string {
    return `${key} under ALLOW admits every request that does not match, including ones nobody anticipated (other encodings, new paths, new callers)`;
}

function negativeFix(key: string): string {
    const positive = key === "notValues" ? "values" : key[3].toLowerCase() + key.slice(4);
    return `list what is allowed with ${positive} instead, or move the exclusion into a DENY policy`;
}

function fixFor(reason: string): string {
    if (reason.includes("spiffe://")) return 'write principals as "<trust-domain>/ns/<namespace>/sa/<service-account>" without "spiffe://"';
    if (reason.includes("matches a \"*\" literally")) return 'use "*" only alone, as a prefix ("*.example.com") or as a suffix ("/api/*"); use path templates ({*}, {**}) for segments';
    if (reason.includes("denies ALL TCP")) return "add `ports` with the HTTP ports to the rule's `to.operation`";
    if (reason.includes("case-sensitive")) return "write HTTP methods in upper case";
    if (reason.includes("denies nothing")) return "narrow the exemption (notPrincipals, notNamespaces, ...) so it no longer covers the callers the rule targets, or delete the rule";
    if (reason.includes("matches no workload identity")) return 'write principals as "<trust-domain>/ns/<namespace>/sa/<service-account>" (a trailing "*" for a prefix)';
    if (reason.includes("serviceAccounts take no wildcards")) return 'list each "namespace/service-account" explicitly, or use principals for a prefix match';
    if (reason.includes("a trust domain may hold one")) return 'use one "*" at the start or the end of the trust domain, or "*" alone';
    if (reason.includes("query string")) return "remove the query string and fragment from the path (AuthorizationPolicy cannot match them)";
    return "correct the value so the rule matches the traffic it is meant for";
}
