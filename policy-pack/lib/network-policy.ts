import { parseKubernetesType } from "./kinds";
import { isUnknownValue, knownRecord, UnknownValue } from "./preview-values";

/** "NetworkPolicy" for Kubernetes' own networking.k8s.io NetworkPolicy, any version. */
export function networkPolicyKindOf(type: string): "NetworkPolicy" | undefined {
    const parsed = parseKubernetesType(type);
    return parsed !== undefined && parsed.group === "networking.k8s.io" && parsed.kind === "NetworkPolicy" ? "NetworkPolicy" : undefined;
}

export type Direction = "ingress" | "egress";

/** The peer list field of a rule per direction (NetworkPolicyIngressRule.from, EgressRule.to). */
export const PEERS_FIELD: Readonly<Record<Direction, "from" | "to">> = { ingress: "from", egress: "to" };

/** A verdict that depends on a value unknown at preview. */
export interface Unverifiable {
    readonly path: string;
    readonly unknown: UnknownValue;
}

/** One rule of a NetworkPolicy, with its path (`spec.ingress[0]`) and its values (unknowns kept as markers). */
export interface NetworkPolicyRule {
    readonly path: string;
    readonly direction: Direction;
    readonly rule: Record<string, unknown>;
}

/** Every rule of a direction; an unknown list or rule is returned as unverifiable. */
export function rulesOf(spec: Record<string, unknown>, direction: Direction): { rules: NetworkPolicyRule[]; unknown?: Unverifiable } {
    const list = spec[direction];
    const path = `spec.${direction}`;
    if (isUnknownValue(list)) return { rules: [], unknown: { path, unknown: list } };
    if (!Array.isArray(list)) return { rules: [] };
    const rules: NetworkPolicyRule[] = [];
    for (let i = 0; i < list.length; i++) {
        const item: unknown = list[i];
        if (isUnknownValue(item)) return { rules, unknown: { path: `${path}[${i}]`, unknown: item } };
        // A null entry is an empty rule ({}), as the API server decodes it.
        rules.push({ path: `${path}[${i}]`, direction, rule: knownRecord(item) ?? {} });
    }
    return { rules };
}

/** A selector that selects everything: absent, or no matchLabels and no matchExpressions. */
export function selectsEverything(selector: unknown): boolean | UnknownValue {
    if (isUnknownValue(selector)) return selector;
    const record = knownRecord(selector);
    if (record === undefined) return selector === undefined || selector === null;
    for (const field of ["matchLabels", "matchExpressions"]) {
        const value = record[field];
        if (isUnknownValue(value)) return value;
        if (Array.isArray(value) ? value.length > 0 : knownRecord(value) !== undefined && Object.keys(knownRecord(value)!).length > 0) return false;
    }
    return true;
}

const ANY_CIDRS = new Set(["0.0.0.0/0", "::/0"]);

/**
 * Whether a peer admits every source (every destination for egress): an empty peer, a
 * namespaceSelector that selects every namespace with a podSelector that selects every pod, or
 * an ipBlock of all addresses without `except`. A podSelector alone stays in the policy's
 * namespace, so it is not "everyone" (NetworkPolicyPeer, k8s.io/api/networking/v1/types.go).
 */
export function peerIsEveryone(peer: unknown, path: string): boolean | Unverifiable {
    if (isUnknownValue(peer)) return { path, unknown: peer };
    const record = knownRecord(peer) ?? {};
    const ipBlock = record["ipBlock"];
    if (isUnknownValue(ipBlock)) return { path: `${path}.ipBlock`, unknown: ipBlock };
    const block = knownRecord(ipBlock);
    if (block !== undefined) {
        const cidr = block["cidr"];
        const except = block["except"];
        if (isUnknownValue(cidr)) return { path: `${path}.ipBlock.cidr`, unknown: cidr };
        if (!(typeof cidr === "string" && ANY_CIDRS.has(cidr.trim()))) return false;
        if (isUnknownValue(except)) return { path: `${path}.ipBlock.except`, unknown: except };
        return !Array.isArray(except) || except.length === 0;
    }
    const namespaces = record["namespaceSelector"];
    const pods = record["podSelector"];
    if (namespaces === undefined || namespaces === null) {
        // An empty peer is refused by the API server; judged as the widest reading if it ever gets through.
        return pods === undefined || pods === null;
    }
    const allNamespaces = selectsEverything(namespaces);
    if (isUnknownValue(allNamespaces)) return { path: `${path}.namespaceSelector`, unknown: allNamespaces };
    if (!allNamespaces) return false;
    const allPods = selectsEverything(pods);
    if (isUnknownValue(allPods)) return { path: `${path}.podSelector`, unknown: allPods };
    return allPods;
}

/** Whether a rule admits everyone: no peer list, an empty one, or a peer that is everyone. */
export function ruleAdmitsEveryone(rule: NetworkPolicyRule): boolean | Unverifiable {
    const field = PEERS_FIELD[rule.direction];
    const peers = rule.rule[field];
    if (isUnknownValue(peers)) return { path: `${rule.path}.${field}`, unknown: peers };
    if (!Array.isArray(peers) || peers.length === 0) return true;
    let unknown: Unverifiable | undefined;
    for (let i = 0; i < peers.length; i++) {
        const verdict = peerIsEveryone(peers[i], `${rule.path}.${field}[${i}]`);
        if (verdict === true) return true;
        if (verdict !== false) unknown ??= verdict;
    }
    return unknown ?? false;
}

/** A port entry of a rule: a number or name, an optional endPort, a protocol (TCP by default). */
export interface RulePort {
    readonly path: string;
    readonly port: number | string | undefined;
    readonly endPort: number | undefined;
    readonly protocol: string;
}

/** The ports of a rule; `all` when it lists none (every port of every protocol). */
export function rulePorts(rule: NetworkPolicyRule): { all: true } | { all: false; ports: RulePort[] } | Unverifiable {
    const ports = rule.rule["ports"];
    if (isUnknownValue(ports)) return { path: `${rule.path}.ports`, unknown: ports };
    if (!Array.isArray(ports) || ports.length === 0) return { all: true };
    const out: RulePort[] = [];
    for (let i = 0; i < ports.length; i++) {
        const path = `${rule.path}.ports[${i}]`;
        const entry: unknown = ports[i];
        if (isUnknownValue(entry)) return { path, unknown: entry };
        const record = knownRecord(entry) ?? {};
        for (const field of ["port", "endPort", "protocol"]) {
            const value = record[field];
            if (isUnknownValue(value)) return { path: `${path}.${field}`, unknown: value };
        }
        const port = record["port"];
        const endPort = record["endPort"];
        out.push({
            path,
            port: typeof port === "number" || typeof port === "string" ? port : undefined,
            endPort: typeof endPort === "number" ? endPort : undefined,
            protocol: typeof record["protocol"] === "string" ? (record["protocol"] as string) : "TCP",
        });
    }
    return { all: false, ports: out };
}

/** Whether a port entry covers a numbered TCP port (or its container port name); no `port` covers every port. */
export function coversTcpPort(entry: RulePort, port: number, name: string): boolean {
    if (entry.protocol !== "TCP") return false;
    if (entry.port === undefined) return true;
    if (typeof entry.port === "string") return entry.port === name || entry.port === String(port);
    return entry.endPort === undefined ? entry.port === port : entry.port <= port && port <= entry.endPort;
}
