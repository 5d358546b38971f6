import { z } from "zod";
import { ValidationIssue } from "../errors";
import { parseIpBlock } from "../istio/ip";
import { listed, quoted } from "../validation/quote";
import { formatPath } from "../validation/validate";
import { EXTERNAL_PORT_PROTOCOLS, MeshExternalEgress } from "./external-types";
import { dnsLabel, nonEmptyList, port } from "./mesh-policy-fields";
import type { MeshPolicyConfig } from "./mesh-policy-types";

/**
 * The `external` (declared egress to hosts outside the cluster) and `clusterCidrs` (the cluster's
 * address ranges, never opened by an external egress rule) parts of the MeshPolicy input.
 */

/** RFC 1918 private IPv4 ranges: where most clusters put pod and service addresses. */
export const DEFAULT_CLUSTER_CIDRS: readonly string[] = Object.freeze(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]);

/** A ServiceEntry host has at most 255 characters (istio pkg/config/validation/agent CheckDNS1123Preconditions); DNS names 253. */
const MAX_HOST_LENGTH = 253;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Why an external host is refused, or undefined. Istio's ServiceEntry validation
 * (pkg/config/validation/validation.go ValidateServiceEntry) rejects a bare `*` host and accepts a
 * wildcard only in the first label (agent.ValidateWildcardDomain); any other partial wildcard is
 * warned about (agent.ValidatePartialWildCard: only a leading `*.` is clean). meshguard accepts
 * exactly a leading `*.` label followed by a fully qualified name of at least two labels.
 */
export function externalHostProblem(host: string): string | undefined {
    if (host === "") return "must not be empty";
    if (host === "*") {
        return `"*" would allow every external host (Istio rejects a bare * ServiceEntry host). Fix: list the hosts the caller needs, e.g. "api.example.com" or "*.example.com"`;
    }
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(host)) {
        return `${quoted(host)} has a scheme: a host is a name only. Fix: write ${quoted(host.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//, "").split(/[/:?#]/)[0])} and give the protocol in ports`;
    }
    if (/[/?#]/.test(host)) {
        return `${quoted(host)} has a path: egress is decided per host and port, never per path. Fix: write only the host name ${quoted(host.split(/[/?#]/)[0])}`;
    }
    if (host.includes(":")) return `${quoted(host)} has a port (or is an IPv6 address): a host is a name only. Fix: write the name and list the port in ports`;
    if (host.length > MAX_HOST_LENGTH) return `${quoted(host)} is longer than ${MAX_HOST_LENGTH} characters (a DNS name)`;
    const wildcard = host.startsWith("*.");
    const name = wildcard ? host.slice(2) : host;
    if (name.includes("*")) {
        return `${quoted(host)}: * is only allowed as the whole first label ("*.example.com"), the one wildcard Istio accepts in ServiceEntry hosts without a warning. Fix: use a leading *. or list the hosts`;
    }
    const labels = name.split(".");
    if (labels.some((l) => !DNS_LABEL.test(l))) {
        return `${quoted(host)} is not a valid host name (lowercase letters, digits and '-' in dot-separated labels of at most 63 characters)`;
    }
    if (/^[0-9]+$/.test(labels[labels.length - 1])) {
        return `${quoted(host)} looks like an IP address: external destinations are host names (Istio rejects an all-numeric top-level domain). Fix: use the host's DNS name`;
    }
    if (labels.length < 2) {
        return wildcard
            ? `${quoted(host)} is too broad: a wildcard must keep at least two labels after *. (e.g. "*.example.com")`
            : `${quoted(host)} is not fully qualified (e.g. "api.example.com"): a single-label name could resolve inside the cluster`;
    }
    return undefined;
}

/** True for a host with a leading `*.` label. */
export function isWildcardHost(host: string): boolean {
    return host.startsWith("*.");
}

const externalHost = z.string().superRefine((host, ctx) => {
    const problem = externalHostProblem(host);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

const externalPortSchema = z.strictObject({
    port,
    protocol: z.enum(EXTERNAL_PORT_PROTOCOLS, { error: `must be one of ${EXTERNAL_PORT_PROTOCOLS.join(", ")}` }),
});

const externalCallerSchema = z
    .strictObject({
        /** A declared service (its pods, by its selector). */
        service: dnsLabel.optional(),
        /** Every pod of a namespace of the declared services. */
        namespace: dnsLabel.optional(),
    })
    .superRefine((from, ctx) => {
        const set = (["service", "namespace"] as const).filter((k) => from[k] !== undefined);
        if (set.length !== 1) ctx.addIssue({ code: "custom", message: `exactly one of service, namespace must be set${set.length > 1 ? " (found service, namespace)" : ""}` });
    });

const externalEgressSchema = z
    .strictObject({
        from: externalCallerSchema,
        hosts: nonEmptyList(externalHost, "must list at least one host"),
        ports: nonEmptyList(externalPortSchema, "must list at least one port"),
    })
    .superRefine((entry, ctx) => {
        reportDuplicates(entry.hosts, (i, first) => ctx.addIssue({ code: "custom", path: ["hosts", i], message: `duplicate host ${quoted(entry.hosts[i])} (also hosts[${first}])` }));
        const numbers = entry.ports.map((p) => p.port);
        reportDuplicates(numbers, (i, first) => ctx.addIssue({ code: "custom", path: ["ports", i, "port"], message: `duplicate port ${numbers[i]} (also ports[${first}])` }));
    });

/** `external`: omitted for none; an empty list is refused (omit the field instead). */
export const externalSchema = nonEmptyList(externalEgressSchema).optional();

/** A CIDR of the cluster: canonical (no host bits), with a prefix, and not a whole address family. */
function cidrProblem(cidr: string): string | undefined {
    const block = cidr.includes("/") ? parseIpBlock(cidr) : undefined;
    if (block === undefined) return `${quoted(cidr)} is not a CIDR (e.g. "10.0.0.0/8" or "fd00::/8")`;
    if (block.prefix === 0) return `${quoted(cidr)} covers every address: the external egress rule would then open nothing. Fix: list the cluster's pod and service ranges`;
    const hostBits = BigInt(block.ip.bits - block.prefix);
    if ((block.ip.value & ((1n << hostBits) - 1n)) !== 0n) {
        return `${quoted(cidr)} has host bits set (Kubernetes ipBlock needs the network address). Fix: write ${quoted(canonicalCidr(block.ip.bits, block.ip.value >> hostBits << hostBits, block.prefix))}`;
    }
    return undefined;
}

function canonicalCidr(bits: number, value: bigint, prefix: number): string {
    if (bits === 32) return `${[24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join(".")}/${prefix}`;
    const groups: string[] = [];
    for (let s = 112n; s >= 0n; s -= 16n) groups.push(((value >> s) & 0xffffn).toString(16));
    // RFC 5952: the longest run of two or more zero groups becomes "::".
    let best = { start: -1, length: 1 };
    for (let i = 0; i < groups.length; i++) {
        let j = i;
        while (j < groups.length && groups[j] === "0") j++;
        if (j - i > best.length) best = { start: i, length: j - i };
    }
    const text = best.start < 0 ? groups.join(":") : `${groups.slice(0, best.start).join(":")}::${groups.slice(best.start + best.length).join(":")}`;
    return `${text}/${prefix}`;
}

/** `clusterCidrs`: the cluster's address ranges (pods, services, nodes); default RFC 1918. */
export const clusterCidrsSchema = nonEmptyList(
    z.string().superRefine((cidr, ctx) => {
        const problem = cidrProblem(cidr);
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    }),
    "must list the cluster's address ranges (omit the field for the RFC 1918 default)",
)
    .superRefine((cidrs, ctx) =>
        reportDuplicates(cidrs, (i, first) => ctx.addIssue({ code: "custom", path: [i], message: `duplicate CIDR ${quoted(cidrs[i])} (also clusterCidrs[${first}])` })),
    )
    .default([...DEFAULT_CLUSTER_CIDRS]);

/** True for an IPv6 CIDR. */
export function isIpv6Cidr(cidr: string): boolean {
    return cidr.includes(":");
}

function reportDuplicates<T>(values: readonly T[], report: (index: number, first: number) => void): void {
    const seen = new Map<T, number>();
    values.forEach((v, i) => {
        const first = seen.get(v);
        if (first === undefined) seen.set(v, i);
        else report(i, first);
    });
}

/**
 * Checks between `external` and the rest of the input: callers must be declared services or
 * namespaces of declared services; a wildcard host needs HTTP or TLS ports (Istio resolves wildcard
 * hosts only with DYNAMIC_DNS, which supports HTTP, TLS, gRPC and HTTP/2: ValidateServiceEntry);
 * and in one namespace a port of a host has one protocol, and a tcp port one host (plain TCP
 * carries no host name, so the sidecar cannot tell two hosts apart on one port).
 */
export function checkExternalReferences(config: MeshPolicyConfig): ValidationIssue[] {
    const external = config.external ?? [];
    const issues: ValidationIssue[] = [];
    const add = (path: PropertyKey[], message: string) => issues.push({ path: formatPath(path), message });
    const services = new Map(config.services.map((s) => [s.id, s]));
    const namespaces = [...new Set(config.services.map((s) => s.namespace))].sort();
    const protocolOf = new Map<string, { protocol: string; at: string }>();
    const tcpHostOf = new Map<string, { host: string; at: string }>();
    external.forEach((entry, i) => {
        const path = ["external", i];
        const namespace = callerNamespace(entry, services);
        if (entry.from.service !== undefined && namespace === undefined) {
            add([...path, "from", "service"], `unknown service "${entry.from.service}" (declared: ${listed([...services.keys()].sort())})`);
        }
        if (entry.from.namespace !== undefined && !namespaces.includes(entry.from.namespace)) {
            add([...path, "from", "namespace"], `no declared service lives in namespace "${entry.from.namespace}" (declared namespaces: ${listed(namespaces)})`);
        }
        entry.ports.forEach((p, k) => {
            const wildcard = entry.hosts.find(isWildcardHost);
            if (p.protocol === "tcp" && wildcard !== undefined) {
                add([...path, "ports", k, "protocol"], `tcp carries no host name, so wildcard host ${quoted(wildcard)} cannot be matched on it (Istio resolves wildcard hosts only for HTTP and TLS). Fix: use https, tls or http, or list exact hosts`);
            }
            if (namespace === undefined) return;
            const at = formatPath([...path, "ports", k]);
            for (const host of entry.hosts) {
                const key = `${namespace}\u0000${host}\u0000${p.port}`;
                const earlier = protocolOf.get(key);
                if (earlier === undefined) protocolOf.set(key, { protocol: p.protocol, at });
                else if (earlier.protocol !== p.protocol) {
                    add([...path, "ports", k, "protocol"], `port ${p.port} of ${quoted(host)} is ${earlier.protocol} in ${earlier.at} for namespace ${namespace}: one port of a host has one protocol`);
                }
            }
            const exact = entry.hosts.filter((h) => !isWildcardHost(h));
            if (p.protocol !== "tcp" || exact.length === 0) return;
            const tcpKey = `${namespace}\u0000${p.port}`;
            const first = tcpHostOf.get(tcpKey) ?? { host: exact[0], at };
            tcpHostOf.set(tcpKey, first);
            const clash = exact.find((h) => h !== first.host);
            if (clash !== undefined) {
                add(
                    [...path, "ports", k],
                    `tcp port ${p.port} goes to ${quoted(first.host)} (${first.at}) and to ${quoted(clash)} from namespace ${namespace}: plain TCP carries no host name, so the sidecar cannot tell them apart. Fix: one host per tcp port and namespace, or use tls/https`,
                );
            }
        });
    });
    return issues;
}

/** The namespace of an external caller, or undefined for an unknown service. */
export function callerNamespace(entry: MeshExternalEgress, services: ReadonlyMap<string, { namespace: string }>): string | undefined {
    if (entry.from.namespace !== undefined) return entry.from.namespace;
    return entry.from.service === undefined ? undefined : services.get(entry.from.service)?.namespace;
}
