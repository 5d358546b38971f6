import { PolicyResource } from "@pulumi/policy";
import { LabelSelector, maySelectPodCarrying, readLabelSelector, selectsEveryPodCarrying } from "../../components/kube";
import { coversTcpPort, networkPolicyKindOf, NetworkPolicyRule, ruleAdmitsEveryone, rulePorts, rulesOf, Unverifiable } from "./network-policy";
import { asRecord } from "./object";
import { isUnknownValue, knownRecord, readWithUnknowns, UnknownValue } from "./preview-values";

/**
 * The NetworkPolicy side of a PERMISSIVE port's guard: which NetworkPolicies of a namespace select
 * a workload's pods, and whether one of their rules opens a port to everyone. Selectors are judged
 * against the pod labels a PeerAuthentication selects (its matchLabels); a pod may carry more
 * labels, so the answers fail closed: "selects every such pod" only when no expression could
 * exclude an extra label, "may select one" unless a label the pods are known to carry rules it out.
 */

/** A NetworkPolicy of the stack, read with unknowns kept as markers. */
export interface StackNetworkPolicy {
    readonly resource: PolicyResource;
    readonly subject: string;
    /** The namespace, or the marker when it is unknown at preview. */
    readonly namespace: string | UnknownValue;
    readonly spec: unknown;
}

/** Every Kubernetes NetworkPolicy of the stack (namespace: metadata, else the provider's, else "default"). */
export function stackNetworkPolicies(resources: readonly PolicyResource[]): StackNetworkPolicy[] {
    const out: StackNetworkPolicy[] = [];
    for (const resource of resources) {
        if (networkPolicyKindOf(resource.type) === undefined) continue;
        const props = asRecord(readWithUnknowns(resource.props));
        const metadata = props["metadata"];
        const ns = isUnknownValue(metadata) ? metadata : knownRecord(metadata)?.["namespace"];
        const name = isUnknownValue(metadata) ? undefined : knownRecord(metadata)?.["name"];
        const providerNs = knownRecord(readWithUnknowns(resource.provider?.props))?.["namespace"];
        const namespace = isUnknownValue(ns) ? ns : typeof ns === "string" && ns !== "" ? ns : typeof providerNs === "string" && providerNs !== "" ? providerNs : "default";
        out.push({ resource, subject: `NetworkPolicy ${isUnknownValue(namespace) ? "(unknown namespace)" : namespace}/${typeof name === "string" ? name : resource.name}`, namespace, spec: props["spec"] });
    }
    return out;
}

type Tri = boolean | UnknownValue;

/**
 * The selector through meshguard's one LabelSelector reading (components/kube/label-selector.ts),
 * after the preview's unknown markers: the marker when any part is unknown, "invalid" when the API
 * server would refuse it (then judged fail closed: may select, never selects every pod).
 */
function readSelector(selector: unknown): LabelSelector | "invalid" | UnknownValue {
    const unknown = firstUnknown(selector);
    if (unknown !== undefined) return unknown;
    try {
        return readLabelSelector(selector, "NetworkPolicy", "spec.podSelector");
    } catch {
        return "invalid";
    }
}

function firstUnknown(value: unknown): UnknownValue | undefined {
    if (isUnknownValue(value)) return value;
    if (Array.isArray(value)) {
        for (const v of value) {
            const u = firstUnknown(v);
            if (u !== undefined) return u;
        }
    } else {
        const record = knownRecord(value);
        if (record !== undefined) {
            for (const v of Object.values(record)) {
                const u = firstUnknown(v);
                if (u !== undefined) return u;
            }
        }
    }
    return undefined;
}

/** Whether the selector selects every pod carrying `labels` (whatever else it carries). */
export function selectsEveryPodWith(selector: unknown, labels: Readonly<Record<string, string>>): Tri {
    const read = readSelector(selector);
    if (isUnknownValue(read)) return read;
    return read !== "invalid" && selectsEveryPodCarrying(read, labels);
}

/** Whether the selector may select a pod carrying `labels` (false only when a known label rules it out). */
export function maySelectPodWith(selector: unknown, labels: Readonly<Record<string, string>>): Tri {
    const read = readSelector(selector);
    if (isUnknownValue(read)) return read;
    return read === "invalid" || maySelectPodCarrying(read, labels);
}

/** Whether a policy isolates the pods it selects for ingress (policyTypes lists Ingress, or is unset). */
function isolatesIngress(spec: Record<string, unknown>): Tri {
    const types = spec["policyTypes"];
    if (isUnknownValue(types)) return types;
    if (types === undefined || types === null) return true;
    if (!Array.isArray(types)) return false;
    for (const t of types) if (isUnknownValue(t)) return t;
    return types.includes("Ingress");
}

/** What guards (or fails to guard) one port of the pods carrying some labels. */
export type PortGuard =
    | { readonly guarded: true; readonly by: string }
    | { readonly guarded: false; readonly why: string }
    | { readonly guarded: "unknown"; readonly where: Unverifiable & { readonly subject: string } };

/**
 * Whether NetworkPolicies restrict `port` of the pods carrying `labels` in `namespace` to named
 * peers: one of them selects every such pod for ingress (so the pods are isolated), and no rule of
 * a policy that may select them opens the port (or every port) to every source. NetworkPolicies
 * add up, so a single open rule anywhere undoes the guard.
 */
export function networkGuardOf(policies: readonly StackNetworkPolicy[], namespace: string, labels: Readonly<Record<string, string>>, port: number): PortGuard {
    let isolatedBy: string | undefined;
    let unknown: (Unverifiable & { subject: string }) | undefined;
    const note = (subject: string, where: Unverifiable) => (unknown ??= { ...where, subject });
    for (const np of policies) {
        if (isUnknownValue(np.namespace)) {
            note(np.subject, { path: "metadata.namespace", unknown: np.namespace });
            continue;
        }
        if (np.namespace !== namespace) continue;
        if (isUnknownValue(np.spec)) {
            note(np.subject, { path: "spec", unknown: np.spec });
            continue;
        }
        const spec = knownRecord(np.spec) ?? {};
        const may = maySelectPodWith(spec["podSelector"], labels);
        if (isUnknownValue(may)) {
            note(np.subject, { path: "spec.podSelector", unknown: may });
            continue;
        }
        if (!may) continue;
        const { rules, unknown: unknownRules } = rulesOf(spec, "ingress");
        if (unknownRules !== undefined) note(np.subject, unknownRules);
        for (const rule of rules) {
            const open = opensToEveryone(rule, port);
            if (open === true) return { guarded: false, why: `${np.subject} ${rule.path} admits every source to port ${port} of these pods (NetworkPolicies add up, so one open rule undoes the guard)` };
            if (open !== false) note(np.subject, open);
        }
        const every = selectsEveryPodWith(spec["podSelector"], labels);
        const isolates = isolatesIngress(spec);
        if (isUnknownValue(isolates)) note(np.subject, { path: "spec.policyTypes", unknown: isolates });
        else if (every === true && isolates) isolatedBy ??= np.subject;
    }
    if (unknown !== undefined) return { guarded: "unknown", where: unknown };
    if (isolatedBy === undefined) return { guarded: false, why: `no NetworkPolicy in ${namespace} selects every pod with these labels for ingress, so any pod of the cluster reaches port ${port} in plaintext` };
    return { guarded: true, by: isolatedBy };
}

/** Whether a rule opens `port` to every source; a named port may be this one (fail closed). */
function opensToEveryone(rule: NetworkPolicyRule, port: number): boolean | Unverifiable {
    const ports = rulePorts(rule);
    if ("unknown" in ports) return ports;
    const covers = ports.all || ports.ports.some((p) => coversTcpPort(p, port, "") || (typeof p.port === "string" && p.protocol === "TCP"));
    if (!covers) return false;
    return ruleAdmitsEveryone(rule);
}
