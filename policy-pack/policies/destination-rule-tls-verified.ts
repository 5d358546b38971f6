import { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema } from "../lib/config";
import { istioKindOfType } from "../lib/kinds";
import { asList, asRecord, isRecord } from "../lib/object";
import { ReportObjectViolation, validateObjects } from "../lib/resource-policy";

export const destinationRuleTlsVerified: ResourceValidationPolicy = {
    name: "destination-rule-tls-verified",
    description:
        "DestinationRule traffic policies must not disable TLS or skip server certificate verification: tls.mode DISABLE and insecureSkipVerify: true are refused at the top level, in portLevelSettings and in every subset.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: validateObjects(
        { appliesTo: "Istio DestinationRule", kindOf: (t) => (istioKindOfType(t) === "DestinationRule" ? "DestinationRule" : undefined), wholeObject: true },
        ({ object }, report) => {
            const spec = asRecord(object.body["spec"]);
            checkTrafficPolicy(spec["trafficPolicy"], "spec.trafficPolicy", report);
            asList(spec["subsets"]).forEach((subset, i) => checkTrafficPolicy(asRecord(subset)["trafficPolicy"], `spec.subsets[${i}].trafficPolicy`, report));
        },
    ),
};

/** A traffic policy's own TLS settings, then every port-level override (DISABLE can hide there). */
function checkTrafficPolicy(policy: unknown, path: string, report: ReportObjectViolation): void {
    if (!isRecord(policy)) return;
    checkTls(policy["tls"], `${path}.tls`, report);
    asList(policy["portLevelSettings"]).forEach((setting, i) => checkTls(asRecord(setting)["tls"], `${path}.portLevelSettings[${i}].tls`, report));
}

function checkTls(tls: unknown, path: string, report: ReportObjectViolation): void {
    if (!isRecord(tls)) return;
    if (tls["mode"] === "DISABLE") {
        report(
            `${path}.mode`,
            "DISABLE sends plaintext to the destination and replaces auto-mTLS, so the traffic is neither encrypted nor authenticated",
            'use mode "ISTIO_MUTUAL" for mesh destinations (or remove the tls block to keep auto-mTLS); use "SIMPLE"/"MUTUAL" with caCertificates for external TLS servers',
        );
    }
    if (tls["insecureSkipVerify"] === true) {
        report(
            `${path}.insecureSkipVerify`,
            "the server certificate is not verified, so any server (or a man in the middle) is accepted",
            "remove insecureSkipVerify and set caCertificates (or rely on the system CA bundle) so the server is verified",
        );
    }
}
