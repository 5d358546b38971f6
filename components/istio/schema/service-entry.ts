import { z } from "zod";
import { parseIpBlock } from "../ip";
import { checkWorkloadSelector, IstioIssueList, istioStringList } from "./common";
import type { IstioServiceEntrySpec } from "./service-entry-types";

/**
 * ServiceEntry (networking.istio.io v1/v1beta1/v1alpha3, one schema): the Istio 1.30 CRD, strict,
 * plus istiod's validating webhook (pkg/config/validation/validation.go ValidateServiceEntry) for
 * what decides which addresses a ServiceEntry opens: hosts, addresses, ports, resolution.
 */

export const SERVICE_ENTRY_RESOLUTIONS = ["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"] as const;
export const SERVICE_ENTRY_LOCATIONS = ["MESH_EXTERNAL", "MESH_INTERNAL"] as const;

const port32 = z.number().int().min(0).max(4294967295);

const endpointSchema = z.strictObject({
    address: z.string().max(256).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    locality: z.string().max(2048).optional(),
    network: z.string().max(2048).optional(),
    ports: z.record(z.string(), port32).optional(),
    serviceAccount: z.string().max(253).optional(),
    weight: port32.optional(),
});

export type { IstioServiceEntryEndpoint, IstioServiceEntryPort, IstioServiceEntrySpec } from "./service-entry-types";

export const istioServiceEntrySpecSchema = z.strictObject({
    addresses: z.array(z.string().max(64)).max(256).optional(),
    endpoints: z.array(endpointSchema).max(4096).optional(),
    exportTo: istioStringList.optional(),
    hosts: z.array(z.string()).min(1).max(256),
    location: z.enum(SERVICE_ENTRY_LOCATIONS).optional(),
    ports: z
        .array(z.strictObject({ name: z.string().max(256), number: port32, protocol: z.string().max(256).optional(), targetPort: port32.optional() }))
        .max(256)
        .optional(),
    resolution: z.enum(SERVICE_ENTRY_RESOLUTIONS).optional(),
    subjectAltNames: istioStringList.optional(),
    workloadSelector: z.strictObject({ labels: z.record(z.string(), z.string().max(63)).optional() }).optional(),
});


/** Protocol names istiod accepts (pkg/config/protocol/instance.go Parse, case-insensitive). */
const PROTOCOLS = new Set(["tcp", "udp", "grpc", "grpc-web", "http", "http_proxy", "http2", "https", "tls", "mongo", "redis", "mysql"]);
const HTTP_OR_TLS = new Set(["http", "http2", "http_proxy", "grpc", "grpc-web", "https", "tls"]);
/** DYNAMIC_DNS runs Envoy's dynamic forward proxy: HTTP, TLS, gRPC and HTTP2 only (ValidateServiceEntry). */
const DYNAMIC_DNS_PROTOCOLS = new Set(["http", "tls", "grpc", "http2"]);
const DNS_LABEL = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
/** pkg/config/labels/instance.go wildcardPrefix: `*`, or a DNS label optionally after `*` or `*-`. */
const WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;

/** agent.ValidateDNS1123Labels: every label a DNS-1123 label (≤ 63), the last one not all-numeric. */
function dnsLabelsProblem(name: string): string | undefined {
    const labels = name.split(".");
    if (/^[0-9]+$/.test(labels[labels.length - 1])) return `domain name "${name}" invalid (top level domain cannot be all-numeric)`;
    const bad = labels.find((l, i) => !(i === labels.length - 1 && l === "") && !(l.length <= 63 && DNS_LABEL.test(l)));
    return bad === undefined ? undefined : `domain name "${name}" invalid (label "${bad}" invalid)`;
}

/** agent.ValidateWildcardDomain: a wildcard only in the first label. */
function wildcardDomainProblem(host: string): string | undefined {
    if (host.length === 0) return "empty domain name not allowed";
    if (host.length > 255) return "domain name too long (max 255)";
    const dot = host.indexOf(".");
    const first = dot < 0 ? host : host.slice(0, dot);
    if (!(first.length <= 63 && WILDCARD_LABEL.test(first))) return `domain name "${host}" invalid (label "${first}" invalid)`;
    return dot < 0 ? undefined : dnsLabelsProblem(host.slice(dot + 1));
}

export function checkServiceEntrySpec(spec: IstioServiceEntrySpec, out: IstioIssueList): void {
    const resolution = spec.resolution ?? "NONE";
    if (spec.workloadSelector !== undefined && spec.endpoints !== undefined) out.add(["spec"], "only one of WorkloadSelector or Endpoints is allowed in Service Entry");
    checkWorkloadSelector(spec.workloadSelector && { matchLabels: spec.workloadSelector.labels }, ["spec", "workloadSelector"], out);
    spec.hosts.forEach((host, i) => {
        // CRD CEL rule and ValidateServiceEntry: "hostname cannot be wildcard".
        const problem = host === "*" ? "invalid host * (a ServiceEntry host cannot be the bare wildcard)" : wildcardDomainProblem(host);
        if (problem !== undefined) out.add(["spec", "hosts", i], problem);
        if (resolution === "DYNAMIC_DNS" && !host.startsWith("*")) out.add(["spec", "hosts", i], "host must be wildcarded for resolution mode DYNAMIC_DNS");
    });
    // DNS resolution without endpoints resolves the hosts themselves: each must be a FQDN (istiod reports the first that is not).
    const notFqdn = spec.hosts.findIndex((h) => h.includes("*"));
    if ((resolution === "DNS" || resolution === "DNS_ROUND_ROBIN") && spec.endpoints === undefined && notFqdn >= 0) {
        out.add(["spec", "hosts", notFqdn], `hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode ${resolution}`);
    }
    spec.addresses?.forEach((address, i) => {
        if (parseIpBlock(address) === undefined) out.add(["spec", "addresses", i], `"${address}" is not a valid IP address or CIDR`);
        else if (address.includes("/") && resolution !== "NONE" && resolution !== "STATIC") out.add(["spec", "addresses", i], "CIDR addresses are allowed only for NONE/STATIC resolution types");
    });
    const names = new Set<string>();
    const numbers = new Set<number>();
    spec.ports?.forEach((p, i) => {
        const path = ["spec", "ports", i];
        if (names.has(p.name)) out.add([...path, "name"], `service entry port name "${p.name}" already defined`);
        if (numbers.has(p.number)) out.add([...path, "number"], `service entry port ${p.number} already defined`);
        names.add(p.name);
        numbers.add(p.number);
        if (!(p.name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p.name))) out.add([...path, "name"], `invalid port name: ${p.name}`);
        if (p.number < 1 || p.number > 65535) out.add([...path, "number"], "port must be between 1-65535");
        if (p.targetPort !== undefined && (p.targetPort < 1 || p.targetPort > 65535)) out.add([...path, "targetPort"], "port must be between 1-65535");
        const protocol = (p.protocol ?? "").toLowerCase();
        if (protocol !== "" && !PROTOCOLS.has(protocol)) out.add([...path, "protocol"], `unsupported protocol: ${p.protocol}`);
        if (resolution === "DYNAMIC_DNS" && !DYNAMIC_DNS_PROTOCOLS.has(protocol)) {
            out.add([...path, "protocol"], "only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type DYNAMIC_DNS");
        }
    });
    const endpoints = spec.endpoints ?? [];
    if (resolution === "NONE" && endpoints.length > 0) out.add(["spec", "endpoints"], "no endpoints should be provided for resolution type none");
    if (resolution === "DNS_ROUND_ROBIN" && endpoints.length > 1) out.add(["spec", "endpoints"], "there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN");
    if (resolution === "DYNAMIC_DNS") {
        if (spec.addresses !== undefined && spec.addresses.length > 0) out.add(["spec", "addresses"], "addresses cannot be set for resolution type DYNAMIC_DNS");
        if (endpoints.length > 0) out.add(["spec", "endpoints"], "endpoints cannot be set for resolution type DYNAMIC_DNS");
    }
    endpoints.forEach((e, i) => {
        if (e.address === undefined && e.network === undefined) out.add(["spec", "endpoints", i], "Address is required");
    });
    if (resolution !== "NONE" && spec.hosts.length > 1 && (spec.ports ?? []).some((p) => !HTTP_OR_TLS.has((p.protocol ?? "").toLowerCase()))) {
        out.add(["spec", "ports"], "multiple hosts provided with non-HTTP, non-TLS ports");
    }
    const exported = new Set<string>();
    spec.exportTo?.forEach((e, i) => {
        if (exported.has(e)) out.add(["spec", "exportTo", i], `duplicate entries in exportTo for entry ${e}`);
        exported.add(e);
        if (e !== "." && e !== "*" && e !== "~" && !(e.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(e))) out.add(["spec", "exportTo", i], `invalid exportTo value "${e}" (".", "*", "~" or a namespace)`);
    });
}
