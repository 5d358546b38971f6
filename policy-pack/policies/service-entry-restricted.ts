import { ResourceValidationPolicy } from "@pulumi/policy";
import { parseIpBlock } from "../../components/istio/ip";
import { configSchema } from "../lib/config";
import { istioKindOfType } from "../lib/kinds";
import { isUnknownValue, knownRecord } from "../lib/preview-values";
import { validateObjects } from "../lib/resource-policy";

/** ServiceEntry.Resolution when unset (istio networking/v1alpha3/service_entry.proto: NONE = 0). */
const DEFAULT_RESOLUTION = "NONE";

/**
 * A ServiceEntry that opens arbitrary destinations defeats REGISTRY_ONLY: a bare `*` host (every
 * host; the CRD's CEL rule and istiod reject it, but an older CRD or a disabled webhook may not),
 * or `resolution: NONE` without `addresses` (the sidecar forwards to whatever IP the application
 * dialled: istio pilot/pkg/serviceregistry/serviceentry/conversion.go maps NONE to Passthrough and
 * pilot/pkg/networking/core/cluster.go builds an ORIGINAL_DST cluster for it), or
 * with an address block covering a whole address family.
 */
export const serviceEntryRestricted: ResourceValidationPolicy = {
    name: "service-entry-restricted",
    description:
        "ServiceEntries must name their destinations: a bare `*` host, or `resolution: NONE` (the default) without `addresses` or with a /0 address block, lets the sidecar forward to any address the application dials and undoes outboundTrafficPolicy REGISTRY_ONLY.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: validateObjects(
        { appliesTo: "Istio ServiceEntry", kindOf: (t) => (istioKindOfType(t) === "ServiceEntry" ? "ServiceEntry" : undefined), wholeObject: true },
        ({ object }, report) => {
            const spec = object.values["spec"];
            if (isUnknownValue(spec)) return report.unverifiable("spec", spec, "a ServiceEntry to arbitrary destinations would be refused");
            const record = knownRecord(spec) ?? {};
            const hosts = record["hosts"];
            if (isUnknownValue(hosts)) report.unverifiable("spec.hosts", hosts, "a bare * host would be refused");
            else if (Array.isArray(hosts)) {
                hosts.forEach((host: unknown, i) => {
                    if (isUnknownValue(host)) report.unverifiable(`spec.hosts[${i}]`, host, "a bare * host would be refused");
                    else if (host === "*") {
                        report(`spec.hosts[${i}]`, 'the bare host "*" declares every external host: with it, REGISTRY_ONLY allows everything', 'list the hosts the workloads need ("api.example.com", or "*.example.com" with resolution DYNAMIC_DNS)');
                    }
                });
            }
            const resolution = record["resolution"];
            if (isUnknownValue(resolution)) return report.unverifiable("spec.resolution", resolution, "resolution NONE without addresses would be refused");
            if ((resolution ?? DEFAULT_RESOLUTION) !== "NONE") return;
            const addresses = record["addresses"];
            if (isUnknownValue(addresses)) return report.unverifiable("spec.addresses", addresses, "resolution NONE without addresses would be refused");
            const list = Array.isArray(addresses) ? addresses : [];
            if (list.length === 0) {
                report(
                    "spec.resolution",
                    `${resolution === undefined ? "is unset, so NONE applies" : "NONE"} without addresses: the sidecar forwards the declared ports to whatever IP the application dials, so any address is reachable`,
                    "use resolution DNS (exact hosts) or DYNAMIC_DNS (wildcard hosts), or list the destination's addresses",
                );
                return;
            }
            list.forEach((address: unknown, i) => {
                if (isUnknownValue(address)) report.unverifiable(`spec.addresses[${i}]`, address, "an address block covering every address would be refused");
                else if (typeof address === "string" && parseIpBlock(address)?.prefix === 0) {
                    report(`spec.addresses[${i}]`, `${JSON.stringify(address)} with resolution NONE covers every address of its family: any destination is reachable`, "list the destination's addresses or CIDR blocks");
                }
            });
        },
    ),
};
