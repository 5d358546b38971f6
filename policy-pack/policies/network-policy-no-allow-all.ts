import { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema } from "../lib/config";
import { Direction, networkPolicyKindOf, PEERS_FIELD, ruleAdmitsEveryone, rulePorts, rulesOf } from "../lib/network-policy";
import { isUnknownValue, knownRecord } from "../lib/preview-values";
import { validateObjects } from "../lib/resource-policy";

const WHO: Readonly<Record<Direction, string>> = { ingress: "every source (any pod of any namespace, and any address)", egress: "every destination (any pod of any namespace, and any address)" };

/**
 * A NetworkPolicy rule that admits everyone on every port undoes the default-deny it sits next to:
 * NetworkPolicies are additive, so one such rule opens every pod the policy selects.
 */
export const networkPolicyNoAllowAll: ResourceValidationPolicy = {
    name: "network-policy-no-allow-all",
    description:
        "NetworkPolicy rules must name their peers or their ports: an ingress or egress rule without `from`/`to` (or with an empty peer, a namespaceSelector {} with an empty podSelector, or an ipBlock 0.0.0.0/0 or ::/0 without except) that also lists no ports allows all traffic and is refused.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: validateObjects(
        { appliesTo: "Kubernetes NetworkPolicy", kindOf: networkPolicyKindOf, wholeObject: true },
        ({ object }, report) => {
            const spec = object.values["spec"];
            if (isUnknownValue(spec)) return report.unverifiable("spec", spec, "a rule that allows all traffic would be refused");
            const record = knownRecord(spec) ?? {};
            for (const direction of ["ingress", "egress"] as const) {
                const { rules, unknown } = rulesOf(record, direction);
                if (unknown !== undefined) report.unverifiable(unknown.path, unknown.unknown, `a ${direction} rule that allows all traffic would be refused`);
                for (const rule of rules) {
                    const ports = rulePorts(rule);
                    if ("unknown" in ports) {
                        report.unverifiable(ports.path, ports.unknown, `with ${WHO[direction]} it would allow all traffic and be refused`);
                        continue;
                    }
                    if (!ports.all) continue;
                    const everyone = ruleAdmitsEveryone(rule);
                    if (everyone === false) continue;
                    if (everyone !== true) {
                        report.unverifiable(everyone.path, everyone.unknown, "a peer that admits everyone on every port would be refused");
                        continue;
                    }
                    report(
                        rule.path,
                        `this rule allows ${WHO[direction]} on every port: NetworkPolicies add up, so it opens every pod this policy selects to all ${direction} traffic`,
                        `list the peers in \`${PEERS_FIELD[direction]}\` (a namespaceSelector on kubernetes.io/metadata.name with a podSelector of the pods) and the ports in \`ports\`, or delete the rule`,
                    );
                }
            }
        },
    ),
};
