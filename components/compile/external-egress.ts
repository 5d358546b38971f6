import { MANAGED_BY_LABELS } from "../constants";
import { K8sManifest } from "../manifest";
import { callerNamespace, isIpv6Cidr, isWildcardHost } from "../model/external";
import { MeshExternalEgress, MeshExternalPortProtocol, MeshPolicyConfig, MeshService, meshServiceSelector } from "../model/mesh-policy";
import { compareStrings } from "./authz-rules";
import { stableName } from "./naming";
import { NETWORK_POLICY_API_VERSION } from "./network-policy";

/**
 * Declared egress to hosts outside the cluster (MeshPolicy `external`), in two layers:
 * - per caller namespace and host, a ServiceEntry (MESH_EXTERNAL) exported only to that namespace
 *   (`exportTo: ["."]`): with meshConfig.outboundTrafficPolicy REGISTRY_ONLY the callers' sidecars
 *   reach exactly these hosts and ports, and no other namespace's sidecar even sees them;
 * - with `networkPolicies.egress` on, per caller one egress NetworkPolicy to every address outside
 *   `clusterCidrs` on exactly the declared ports (the CNI enforces it, sidecar or not). A
 *   NetworkPolicy cannot name hosts (their addresses change), so the host limit is the sidecar's.
 * Without egress NetworkPolicies nothing restricts egress at L3/L4, so none is emitted: the
 * ServiceEntries alone (plus REGISTRY_ONLY) limit what sidecars send (docs/mesh-policy.md).
 */

export const SERVICE_ENTRY_API_VERSION = "networking.istio.io/v1";
const IPV4_ANY = "0.0.0.0/0";
const IPV6_ANY = "::/0";
/** Service ids are DNS labels (no '.'), so this name never equals a per-service name. */
const NAMESPACE_EXTERNAL_EGRESS_NAME = "allow-external-egress-from.namespace";

/** metadata.name of the ServiceEntry of an external host (one per caller namespace and host). */
export function serviceEntryName(host: string): string {
    // Exact hosts become "external.<host>", wildcards "external-wildcard.<rest>": distinct prefixes, no collision.
    return stableName([isWildcardHost(host) ? `external-wildcard.${host.slice(2)}` : `external.${host}`]);
}

/** metadata.name of the external egress NetworkPolicy of a calling service. */
export function externalEgressPolicyName(service: MeshService): string {
    return stableName(["allow-external-egress-from", service.id]);
}

/**
 * How the ServiceEntry names a port's protocol. Wildcard hosts resolve with DYNAMIC_DNS, which
 * accepts HTTP, TLS, GRPC and HTTP2 only (istio pkg/config/validation/validation.go
 * ValidateServiceEntry), so https is TLS there; both are TLS passthrough by SNI for a sidecar.
 */
function serviceEntryProtocol(protocol: MeshExternalPortProtocol, wildcard: boolean): string {
    if (protocol === "https") return wildcard ? "TLS" : "HTTPS";
    return protocol.toUpperCase();
}

export function compileExternalEgress(config: MeshPolicyConfig, services: ReadonlyMap<string, MeshService>): K8sManifest[] {
    const external = config.external ?? [];
    if (external.length === 0) return [];
    const manifests = serviceEntries(external, services);
    if (config.networkPolicies.egress) manifests.push(...egressPolicies(config, external, services));
    return manifests;
}

function serviceEntries(external: readonly MeshExternalEgress[], services: ReadonlyMap<string, MeshService>): K8sManifest[] {
    const byNamespaceHost = new Map<string, { namespace: string; host: string; ports: Map<number, MeshExternalPortProtocol> }>();
    for (const entry of external) {
        const namespace = callerNamespace(entry, services) as string;
        for (const host of entry.hosts) {
            const key = `${namespace}\u0000${host}`;
            const found = byNamespaceHost.get(key) ?? { namespace, host, ports: new Map<number, MeshExternalPortProtocol>() };
            for (const p of entry.ports) found.ports.set(p.port, p.protocol);
            byNamespaceHost.set(key, found);
        }
    }
    return [...byNamespaceHost.values()].map(({ namespace, host, ports }) => {
        const wildcard = isWildcardHost(host);
        return {
            apiVersion: SERVICE_ENTRY_API_VERSION,
            kind: "ServiceEntry",
            metadata: { name: serviceEntryName(host), namespace, labels: { ...MANAGED_BY_LABELS } },
            spec: {
                hosts: [host],
                location: "MESH_EXTERNAL",
                // DNS needs exact hosts (a wildcard is rejected without endpoints); DYNAMIC_DNS resolves
                // the name the caller asked for (Host header or SNI) and requires a wildcard host.
                resolution: wildcard ? "DYNAMIC_DNS" : "DNS",
                ports: [...ports.entries()]
                    .sort(([a], [b]) => a - b)
                    .map(([number, protocol]) => ({ number, name: `${protocol}-${number}`, protocol: serviceEntryProtocol(protocol, wildcard) })),
                exportTo: ["."],
            },
        };
    });
}

function egressPolicies(config: MeshPolicyConfig, external: readonly MeshExternalEgress[], services: ReadonlyMap<string, MeshService>): K8sManifest[] {
    const byCaller = new Map<string, { name: string; namespace: string; podSelector: Record<string, string>; ports: Set<number> }>();
    for (const entry of external) {
        const service = entry.from.service === undefined ? undefined : services.get(entry.from.service);
        const namespace = callerNamespace(entry, services) as string;
        const key = service === undefined ? `namespace/${namespace}` : `service/${service.id}`;
        const found = byCaller.get(key) ?? {
            name: service === undefined ? NAMESPACE_EXTERNAL_EGRESS_NAME : externalEgressPolicyName(service),
            namespace,
            podSelector: service === undefined ? {} : meshServiceSelector(service),
            ports: new Set<number>(),
        };
        for (const p of entry.ports) found.ports.add(p.port);
        byCaller.set(key, found);
    }
    const peers = offClusterPeers(config.clusterCidrs);
    return [...byCaller.values()].map(({ name, namespace, podSelector, ports }) => ({
        apiVersion: NETWORK_POLICY_API_VERSION,
        kind: "NetworkPolicy",
        metadata: { name, namespace, labels: { ...MANAGED_BY_LABELS } },
        spec: {
            podSelector: Object.keys(podSelector).length === 0 ? {} : { matchLabels: { ...podSelector } },
            policyTypes: ["Egress"],
            egress: [{ to: peers, ports: [...ports].sort((a, b) => a - b).map((port) => ({ protocol: "TCP", port })) }],
        },
    }));
}

/**
 * Every address outside the cluster, per address family the cluster declares ranges for:
 * 0.0.0.0/0 minus the IPv4 ranges, ::/0 minus the IPv6 ranges. A family without a declared range
 * stays closed: opening ::/0 in a dual-stack cluster whose IPv6 pod range is not declared would
 * open its in-cluster IPv6 pods (the default, RFC 1918, declares IPv4 only).
 */
export function offClusterPeers(clusterCidrs: readonly string[]): { ipBlock: { cidr: string; except: string[] } }[] {
    const v4 = clusterCidrs.filter((c) => !isIpv6Cidr(c)).sort(compareStrings);
    const v6 = clusterCidrs.filter(isIpv6Cidr).sort(compareStrings);
    const peers: { ipBlock: { cidr: string; except: string[] } }[] = [];
    if (v4.length > 0) peers.push({ ipBlock: { cidr: IPV4_ANY, except: v4 } });
    if (v6.length > 0) peers.push({ ipBlock: { cidr: IPV6_ANY, except: v6 } });
    return peers;
}

/**
 * `external` without egress NetworkPolicies is valid (the ServiceEntries still limit sidecars under
 * REGISTRY_ONLY) but leaves pods without a sidecar free to reach any address: say so once.
 */
export function externalEgressWarnings(config: MeshPolicyConfig): { path: string; message: string }[] {
    if ((config.external ?? []).length === 0 || config.networkPolicies.egress) return [];
    return [
        {
            path: "external",
            message:
                "external hosts are declared but networkPolicies.egress is off: only the sidecars (outboundTrafficPolicy REGISTRY_ONLY) limit egress, and a pod without a sidecar reaches any address. Fix: set networkPolicies: { egress: true } (it needs every dependency declared)",
        },
    ];
}
