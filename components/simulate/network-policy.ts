import { MeshguardValidationError } from "../errors";
import { ipInBlock, parseIpBlock } from "../istio";
import { asList, asRecord, LabelSelector, labelSelectorMatches, labelsOf, nameOf, namespaceOf, readLabelSelector, typeOfObject } from "../kube";
import { PolicyRef } from "./types";

/**
 * The Kubernetes NetworkPolicy layer (networking.k8s.io/v1), decided offline. Semantics from the
 * Kubernetes API reference (NetworkPolicySpec, kubernetes.io/docs/reference/kubernetes-api/
 * policy-resources/network-policy-v1/) and concepts page (kubernetes.io/docs/concepts/
 * services-networking/network-policies/):
 * - a pod is isolated for a direction iff some NetworkPolicy in its namespace selects it and has
 *   that direction in `policyTypes`; `policyTypes` omitted = Ingress, plus Egress when the policy
 *   has an `egress` section;
 * - an isolated pod accepts (sends) only what some rule of those policies allows (rules are ORed,
 *   policies additive); a connection needs the source's egress AND the destination's ingress;
 * - a rule with no `from`/`to` matches every peer, with no `ports` every port; a peer with only a
 *   podSelector means pods of the policy's namespace, only a namespaceSelector every pod of the
 *   matching namespaces, both the matching pods of the matching namespaces; ipBlock is `cidr`
 *   minus `except`; a named port resolves against the destination pod's container ports; endPort
 *   makes `port` the first of a range.
 * Traffic from the pod's own node (kubelet probes) is exempt in most implementations; the
 * simulator models pod and off-cluster traffic only.
 */

export type L4Protocol = "TCP" | "UDP" | "SCTP";

/** One side of a connection: a pod (namespace + labels, maybe an IP) or an address off the cluster. */
export interface NetworkEndpoint {
    /** `namespace/name` of a pod, or the IP. */
    readonly label: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly ip?: string;
    /** Named container ports of the pod (for named ports in policies). */
    readonly namedPorts?: Readonly<Record<string, number>>;
}

interface PolicyPort {
    readonly protocol: L4Protocol;
    readonly port?: number | string;
    readonly endPort?: number;
}

type Peer =
    | { readonly kind: "selectors"; readonly namespaceSelector?: LabelSelector; readonly podSelector?: LabelSelector }
    | { readonly kind: "ipBlock"; readonly cidr: string; readonly except: readonly string[] };

interface PolicyRule {
    /** undefined = every peer (no `from`/`to`, or an empty list). */
    readonly peers?: readonly Peer[];
    /** undefined = every port. */
    readonly ports?: readonly PolicyPort[];
}

interface IndexedNetworkPolicy {
    readonly namespace: string;
    readonly name: string;
    readonly podSelector: LabelSelector;
    readonly ingress?: readonly PolicyRule[];
    readonly egress?: readonly PolicyRule[];
    readonly types: ReadonlySet<"Ingress" | "Egress">;
}

export type NetworkDirection = "ingress" | "egress";

export interface NetworkLayerOutcome {
    readonly verdict: "allowed" | "denied";
    /** The direction that denied (source egress is checked first). */
    readonly direction?: NetworkDirection;
    /** The rule that allowed the destination's ingress, or the first policy isolating the denying side. */
    readonly policy?: PolicyRef;
    readonly reason: string;
    readonly trace: readonly string[];
}

const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export class NetworkPolicyLayer {
    private readonly byNamespace = new Map<string, IndexedNetworkPolicy[]>();
    private readonly namespaceLabels = new Map<string, Record<string, string>>();
    readonly count: number;

    constructor(manifests: readonly unknown[]) {
        let count = 0;
        manifests.forEach((manifest, i) => {
            const type = typeOfObject(manifest);
            if (type?.kind === "Namespace" && type.apiVersion === "v1") {
                const name = nameOf(manifest);
                if (name !== undefined) this.namespaceLabels.set(name, labelsOf(manifest));
            }
            if (type?.kind !== "NetworkPolicy" || type.apiVersion !== "networking.k8s.io/v1") return;
            const policy = readNetworkPolicy(manifest, i);
            const list = this.byNamespace.get(policy.namespace) ?? [];
            list.push(policy);
            this.byNamespace.set(policy.namespace, list);
            count++;
        });
        this.count = count;
    }

    /** Labels of a namespace; Kubernetes always sets kubernetes.io/metadata.name to its name. */
    labelsOfNamespace(namespace: string): Record<string, string> {
        return { ...(this.namespaceLabels.get(namespace) ?? {}), [NAMESPACE_NAME_LABEL]: namespace };
    }

    /** The policies isolating a pod for a direction. */
    isolating(pod: NetworkEndpoint, direction: NetworkDirection): IndexedNetworkPolicy[] {
        if (pod.namespace === undefined) return [];
        const type = direction === "ingress" ? "Ingress" : "Egress";
        return (this.byNamespace.get(pod.namespace) ?? []).filter((p) => p.types.has(type) && labelSelectorMatches(p.podSelector, pod.labels ?? {}));
    }

    /** Source egress, then destination ingress, for one L4 connection to `port`. */
    decide(source: NetworkEndpoint, destination: NetworkEndpoint, port: number, protocol: L4Protocol = "TCP"): NetworkLayerOutcome {
        const trace: string[] = [];
        const what = `${source.label} → ${destination.label} port ${port}/${protocol}`;
        for (const direction of ["egress", "ingress"] as const) {
            const [self, peer] = direction === "egress" ? [source, destination] : [destination, source];
            const sideName = direction === "egress" ? `source ${source.label}` : `destination ${destination.label}`;
            if (self.namespace === undefined) {
                trace.push(`NetworkPolicy ${direction}: ${sideName} is not a pod of the cluster; no NetworkPolicy applies to it.`);
                continue;
            }
            const policies = this.isolating(self, direction);
            if (policies.length === 0) {
                trace.push(`NetworkPolicy ${direction}: no NetworkPolicy selects ${sideName} for ${direction}, so it is not isolated.`);
                continue;
            }
            const allowed = this.allowingRule(policies, direction, peer, destination, port, protocol);
            if (allowed === undefined) {
                const names = policies.map((p) => `${p.namespace}/${p.name}`).join(", ");
                const reason = `NetworkPolicy ${direction}: ${sideName} is isolated for ${direction} (by ${names}) and no rule allows ${what}.`;
                trace.push(reason);
                const first = policies[0];
                return { verdict: "denied", direction, policy: { kind: "NetworkPolicy", namespace: first.namespace, name: first.name }, reason, trace };
            }
            trace.push(`NetworkPolicy ${direction}: ${allowed.namespace}/${allowed.name} rule ${allowed.rule} allows ${what}.`);
            if (direction === "ingress") {
                return { verdict: "allowed", policy: { kind: "NetworkPolicy", namespace: allowed.namespace, name: allowed.name, rule: allowed.rule }, reason: `NetworkPolicies allow ${what}.`, trace };
            }
        }
        return { verdict: "allowed", reason: `NetworkPolicies allow ${what}.`, trace };
    }

    private allowingRule(
        policies: readonly IndexedNetworkPolicy[],
        direction: NetworkDirection,
        peer: NetworkEndpoint,
        destination: NetworkEndpoint,
        port: number,
        protocol: L4Protocol,
    ): { namespace: string; name: string; rule: number } | undefined {
        for (const policy of policies) {
            const rules = (direction === "ingress" ? policy.ingress : policy.egress) ?? [];
            for (let i = 0; i < rules.length; i++) {
                const rule = rules[i];
                if (!portsMatch(rule.ports, destination, port, protocol)) continue;
                if (rule.peers === undefined || rule.peers.some((p) => this.peerMatches(p, policy.namespace, peer))) {
                    return { namespace: policy.namespace, name: policy.name, rule: i };
                }
            }
        }
        return undefined;
    }

    private peerMatches(peer: Peer, policyNamespace: string, endpoint: NetworkEndpoint): boolean {
        if (peer.kind === "ipBlock") {
            const ip = endpoint.ip;
            return ip !== undefined && ipInBlock(peer.cidr, ip) && !peer.except.some((e) => ipInBlock(e, ip));
        }
        if (endpoint.namespace === undefined) return false;
        if (peer.namespaceSelector === undefined) {
            if (endpoint.namespace !== policyNamespace) return false;
        } else if (!labelSelectorMatches(peer.namespaceSelector, this.labelsOfNamespace(endpoint.namespace))) {
            return false;
        }
        return peer.podSelector === undefined || labelSelectorMatches(peer.podSelector, endpoint.labels ?? {});
    }
}

function portsMatch(ports: readonly PolicyPort[] | undefined, destination: NetworkEndpoint, port: number, protocol: L4Protocol): boolean {
    if (ports === undefined) return true;
    return ports.some((p) => {
        if (p.protocol !== protocol) return false;
        if (p.port === undefined) return true;
        if (typeof p.port === "string") {
            // A named port matches the destination pod's container port of that name (and protocol).
            const named = destination.namedPorts?.[p.port];
            return named !== undefined && named === port;
        }
        return p.endPort === undefined ? p.port === port : p.port <= port && port <= p.endPort;
    });
}

const PROTOCOLS: readonly L4Protocol[] = ["TCP", "UDP", "SCTP"];

function readNetworkPolicy(manifest: unknown, index: number): IndexedNetworkPolicy {
    const name = nameOf(manifest);
    if (name === undefined || name === "") {
        throw new MeshguardValidationError(`NetworkPolicy #${index}`, [{ path: "metadata.name", message: "must be a non-empty string" }]);
    }
    const namespace = namespaceOf(manifest);
    const subject = `NetworkPolicy "${namespace}/${name}"`;
    const spec = asRecord(asRecord(manifest)["spec"]);
    const hasEgress = spec["egress"] !== undefined && spec["egress"] !== null;
    const declared = spec["policyTypes"];
    const types = new Set<"Ingress" | "Egress">();
    if (declared === undefined || declared === null) {
        types.add("Ingress");
        if (hasEgress) types.add("Egress");
    } else {
        asList(declared).forEach((t, i) => {
            if (t !== "Ingress" && t !== "Egress") throw new MeshguardValidationError(subject, [{ path: `spec.policyTypes[${i}]`, message: `must be Ingress or Egress (got ${JSON.stringify(t)})` }]);
            types.add(t);
        });
    }
    return {
        namespace,
        name,
        podSelector: readLabelSelector(spec["podSelector"], subject, "spec.podSelector"),
        ingress: asList(spec["ingress"]).map((r, i) => readRule(r, "from", subject, `spec.ingress[${i}]`)),
        egress: asList(spec["egress"]).map((r, i) => readRule(r, "to", subject, `spec.egress[${i}]`)),
        types,
    };
}

function readRule(raw: unknown, peersField: "from" | "to", subject: string, path: string): PolicyRule {
    const rule = asRecord(raw);
    const peerList = asList(rule[peersField]);
    const portList = asList(rule["ports"]);
    return {
        peers: peerList.length === 0 ? undefined : peerList.map((p, i) => readPeer(p, subject, `${path}.${peersField}[${i}]`)),
        ports: portList.length === 0 ? undefined : portList.map((p, i) => readPort(p, subject, `${path}.ports[${i}]`)),
    };
}

function readPeer(raw: unknown, subject: string, path: string): Peer {
    const peer = asRecord(raw);
    const ipBlock = peer["ipBlock"];
    const hasSelectors = peer["podSelector"] !== undefined || peer["namespaceSelector"] !== undefined;
    if (ipBlock !== undefined && ipBlock !== null) {
        if (hasSelectors) throw new MeshguardValidationError(subject, [{ path, message: "ipBlock cannot be combined with podSelector or namespaceSelector" }]);
        const block = asRecord(ipBlock);
        const cidr = block["cidr"];
        if (typeof cidr !== "string" || parseIpBlock(cidr) === undefined) {
            throw new MeshguardValidationError(subject, [{ path: `${path}.ipBlock.cidr`, message: `must be a CIDR such as 10.0.0.0/8 (got ${JSON.stringify(cidr)})` }]);
        }
        const except = asList(block["except"]).map((e, i) => {
            if (typeof e !== "string" || parseIpBlock(e) === undefined) {
                throw new MeshguardValidationError(subject, [{ path: `${path}.ipBlock.except[${i}]`, message: `must be a CIDR (got ${JSON.stringify(e)})` }]);
            }
            return e;
        });
        return { kind: "ipBlock", cidr, except };
    }
    if (!hasSelectors) throw new MeshguardValidationError(subject, [{ path, message: "must set podSelector, namespaceSelector or ipBlock" }]);
    const pick = (field: string) => (peer[field] === undefined || peer[field] === null ? undefined : readLabelSelector(peer[field], subject, `${path}.${field}`));
    return { kind: "selectors", namespaceSelector: pick("namespaceSelector"), podSelector: pick("podSelector") };
}

function readPort(raw: unknown, subject: string, path: string): PolicyPort {
    const p = asRecord(raw);
    const protocol = p["protocol"] ?? "TCP";
    if (typeof protocol !== "string" || !(PROTOCOLS as readonly string[]).includes(protocol)) {
        throw new MeshguardValidationError(subject, [{ path: `${path}.protocol`, message: `must be one of ${PROTOCOLS.join(", ")} (got ${JSON.stringify(protocol)})` }]);
    }
    const port = p["port"];
    const endPort = p["endPort"];
    if (port !== undefined && typeof port !== "string" && !(typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535)) {
        throw new MeshguardValidationError(subject, [{ path: `${path}.port`, message: `must be a port number 1-65535 or a port name (got ${JSON.stringify(port)})` }]);
    }
    if (endPort !== undefined && (typeof port !== "number" || typeof endPort !== "number" || !Number.isInteger(endPort) || endPort < port || endPort > 65535)) {
        throw new MeshguardValidationError(subject, [{ path: `${path}.endPort`, message: "must be an integer port ≥ port, with port a number" }]);
    }
    return { protocol: protocol as L4Protocol, port: port as number | string | undefined, endPort: endPort as number | undefined };
}

