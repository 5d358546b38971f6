import { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema } from "../lib/config";
import { CONFIGMAP_CREDENTIAL_PREFIX, destinationRuleTlsSettings, isSet, originatesTls, TlsSettings } from "../lib/destination-rule-tls";
import { istioKindOfType } from "../lib/kinds";
import { isUnknownValue } from "../lib/preview-values";
import { ObjectReporter, validateObjects } from "../lib/resource-policy";

/**
 * What istiod 1.30 builds for a DestinationRule's client TLS settings
 * (pilot/pkg/networking/core/cluster_tls.go):
 * - `buildUpstreamTLSSettings`: a `tls` block replaces auto-mTLS; its mode defaults to DISABLE
 *   (the proto's zero value), which sends plaintext.
 * - `buildUpstreamClusterTLSContext`: SIMPLE/MUTUAL with a `credentialName` (other than a
 *   `configmap://` one) in a DestinationRule without `workloadSelector` gets NO TLS context on
 *   sidecars: they send plaintext (credentials are for gateways).
 * - `setAutoSniAndAutoSanValidation`: automatic SAN validation is set only when `sni` is empty and
 *   `subjectAltNames` is empty; an explicit `sni` turns it off, so with no `subjectAltNames` any
 *   certificate the trusted CAs issued, for any host, is accepted.
 */
export const destinationRuleTlsVerified: ResourceValidationPolicy = {
    name: "destination-rule-tls-verified",
    description:
        "DestinationRule traffic policies must not send plaintext or skip server verification: tls.mode DISABLE (or no mode), insecureSkipVerify: true, credentialName without workloadSelector (sidecars then send plaintext) and sni without subjectAltNames (no host verification) are refused at the top level, in portLevelSettings and in every subset.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: validateObjects(
        { appliesTo: "Istio DestinationRule", kindOf: (t) => (istioKindOfType(t) === "DestinationRule" ? "DestinationRule" : undefined), wholeObject: true },
        ({ object }, report) => {
            for (const settings of destinationRuleTlsSettings(object.values, report, "a tls block in it with mode DISABLE, insecureSkipVerify, credentialName without workloadSelector or sni without subjectAltNames would be refused")) {
                checkTls(settings, report);
            }
        },
    ),
};

function checkTls({ path, tls, workloadSelector }: TlsSettings, report: ObjectReporter): void {
    const mode = tls["mode"];
    if (isUnknownValue(mode)) {
        report.unverifiable(`${path}.mode`, mode, "mode DISABLE would be refused");
    } else if (mode === "DISABLE" || mode === undefined || mode === null) {
        report(
            `${path}.mode`,
            `${mode === "DISABLE" ? "DISABLE" : "no mode means DISABLE (the API default), which"} sends plaintext to the destination and replaces auto-mTLS, so the traffic is neither encrypted nor authenticated`,
            'use mode "ISTIO_MUTUAL" for mesh destinations (or remove the tls block to keep auto-mTLS); use "SIMPLE"/"MUTUAL" with caCertificates for external TLS servers',
        );
    }
    const skip = tls["insecureSkipVerify"];
    if (isUnknownValue(skip)) {
        report.unverifiable(`${path}.insecureSkipVerify`, skip, "insecureSkipVerify: true would be refused");
    } else if (skip === true) {
        report(
            `${path}.insecureSkipVerify`,
            "the server certificate is not verified, so any server (or a man in the middle) is accepted",
            "remove insecureSkipVerify and set caCertificates (or rely on the system CA bundle) so the server is verified",
        );
    }
    if (!originatesTls(mode)) return;
    if (checkCredential(path, tls, workloadSelector, report)) return;
    if (skip !== true) checkSni(path, tls, report);
}

/** True when the block is reported as plaintext for sidecars (nothing else about it matters then). */
function checkCredential(path: string, tls: Record<string, unknown>, workloadSelector: TlsSettings["workloadSelector"], report: ObjectReporter): boolean {
    const credential = tls["credentialName"];
    if (isUnknownValue(credential)) {
        if (workloadSelector !== true) report.unverifiable(`${path}.credentialName`, credential, "a credentialName without workloadSelector (sidecars then send plaintext) would be refused");
        return false;
    }
    if (typeof credential !== "string" || credential === "" || credential.startsWith(CONFIGMAP_CREDENTIAL_PREFIX)) return false;
    if (isUnknownValue(workloadSelector)) {
        report.unverifiable("spec.workloadSelector", workloadSelector, `without a workloadSelector, ${path}.credentialName makes sidecars send plaintext and would be refused`);
        return false;
    }
    if (workloadSelector) return false;
    report(
        `${path}.credentialName`,
        "is set in a DestinationRule without spec.workloadSelector: istiod builds no TLS context for sidecars from it (credentials are for gateways), so every sidecar this rule applies to sends plaintext to the destination",
        "add spec.workloadSelector selecting the egress gateway that holds the credential, or give sidecars file certificates (caCertificates, clientCertificate, privateKey) instead of credentialName",
    );
    return true;
}

function checkSni(path: string, tls: Record<string, unknown>, report: ObjectReporter): void {
    const sni = isSet(tls["sni"]);
    const sans = isSet(tls["subjectAltNames"]);
    if (sans === true || sni === false) return;
    if (isUnknownValue(sni) || isUnknownValue(sans)) {
        const unknown = isUnknownValue(sni) ? sni : (sans as Exclude<typeof sans, boolean>);
        report.unverifiable(isUnknownValue(sni) ? `${path}.sni` : `${path}.subjectAltNames`, unknown, "an sni without subjectAltNames (no host verification) would be refused");
        return;
    }
    report(
        `${path}.sni`,
        "is set without subjectAltNames: an explicit sni turns off Istio's automatic SAN validation, so any certificate the trusted CAs issued, for any host, is accepted",
        "list the server's DNS names in subjectAltNames (or remove sni so Istio validates the host itself on HTTP ports)",
    );
}
