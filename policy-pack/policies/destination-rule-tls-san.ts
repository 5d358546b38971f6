import { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema } from "../lib/config";
import { destinationRuleTlsSettings, isSet, originatesTls } from "../lib/destination-rule-tls";
import { istioKindOfType } from "../lib/kinds";
import { isUnknownValue } from "../lib/preview-values";
import { validateObjects } from "../lib/resource-policy";

/**
 * Istio's automatic SAN validation is `auto_san_validation` in the cluster's HTTP protocol options
 * (pilot/pkg/networking/core/cluster_tls.go setAutoSniAndAutoSanValidation): Envoy applies it to
 * HTTP upstream requests only (it checks the certificate against the request's host). A TCP or TLS
 * port gets no host check at all, so SIMPLE/MUTUAL without `subjectAltNames` verifies the chain but
 * not that the server is the intended host. A resource policy cannot see the port's protocol (the
 * Service or ServiceEntry says it), hence advisory by default; the cases that are insecure on every
 * port (an explicit `sni` without SANs) are mandatory in destination-rule-tls-verified.
 */
export const destinationRuleTlsSan: ResourceValidationPolicy = {
    name: "destination-rule-tls-san",
    description:
        "DestinationRule TLS origination (SIMPLE or MUTUAL) should list subjectAltNames: without them only HTTP ports get Istio's automatic host validation, and on TCP/TLS ports any certificate the trusted CAs issued, for any host, is accepted.",
    enforcementLevel: "advisory",
    configSchema: configSchema(),
    validateResource: validateObjects(
        { appliesTo: "Istio DestinationRule", kindOf: (t) => (istioKindOfType(t) === "DestinationRule" ? "DestinationRule" : undefined), wholeObject: true },
        ({ object }, report) => {
            for (const { path, tls } of destinationRuleTlsSettings(object.values, report, "a SIMPLE or MUTUAL tls block without subjectAltNames in it would be reported")) {
                const mode = tls["mode"];
                if (isUnknownValue(mode)) {
                    report.unverifiable(`${path}.mode`, mode, "mode SIMPLE or MUTUAL without subjectAltNames would be reported");
                    continue;
                }
                // insecureSkipVerify and an explicit sni are refused by destination-rule-tls-verified.
                if (!originatesTls(mode) || tls["insecureSkipVerify"] === true || isSet(tls["sni"]) === true) continue;
                const sans = isSet(tls["subjectAltNames"]);
                if (isUnknownValue(sans)) {
                    report.unverifiable(`${path}.subjectAltNames`, sans, "an empty list would be reported");
                } else if (!sans) {
                    report(
                        `${path}.subjectAltNames`,
                        `is not set for mode ${String(mode)}: on HTTP ports Istio validates the certificate against the request's host, but on TCP/TLS ports nothing checks that the server is the intended host, so any certificate the trusted CAs issued is accepted`,
                        "list the server's DNS names in subjectAltNames",
                    );
                }
            }
        },
    ),
};
