import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configSchema } from "../lib/config";
import { violationMessage } from "../lib/messages";
import { networkPolicyKindOf, selectsEverything } from "../lib/network-policy";
import { asRecord } from "../lib/object";
import { isUnknownValue, knownRecord, readWithUnknowns, UnknownValue } from "../lib/preview-values";
import { meshNamespaces, namespaceExemption, readMeshStack, reportOnNamespace } from "../lib/stack";

type Verdict = true | false | UnknownValue;

/** Whether a value lists `item`, or is unknown. */
function listsOrUnknown(list: unknown, item: string): Verdict {
    if (isUnknownValue(list)) return list;
    if (!Array.isArray(list)) return false;
    for (const entry of list) if (isUnknownValue(entry)) return entry;
    return list.includes(item);
}

/**
 * A default-deny ingress NetworkPolicy: it selects every pod of its namespace (podSelector {}),
 * has Ingress in policyTypes and no ingress rule, so every pod admits only what another policy
 * allows (Kubernetes NetworkPolicy "Default deny all ingress traffic").
 */
function isDefaultDenyIngress(spec: unknown): Verdict {
    if (isUnknownValue(spec)) return spec;
    const record = knownRecord(spec) ?? {};
    const everyPod = selectsEverything(record["podSelector"]);
    if (everyPod !== true) return everyPod;
    const ingress = record["ingress"];
    if (isUnknownValue(ingress)) return ingress;
    if (Array.isArray(ingress) && ingress.length > 0) return false;
    const types = record["policyTypes"];
    // Without policyTypes, Kubernetes defaults to ["Ingress"] (plus Egress when egress rules exist).
    if (types === undefined || types === null) return true;
    return listsOrUnknown(types, "Ingress");
}

interface Candidate {
    readonly resource: PolicyResource;
    readonly verdict: Verdict;
}

export const meshNamespaceNetworkDefaultDeny: StackValidationPolicy = {
    name: "mesh-namespace-network-default-deny",
    description:
        "Every mesh namespace that runs workloads should have a default-deny ingress NetworkPolicy (podSelector {}, policyTypes [Ingress], no ingress rules), so a pod without a sidecar cannot reach its workloads around the mesh; advisory by default, mandatory by configuration.",
    enforcementLevel: "advisory",
    configSchema: configSchema({ injection: true }),
    validateStack: (args, reportViolation) => {
        const stack = readMeshStack(args, reportViolation, { workloads: true });
        const byNamespace = new Map<string, Candidate[]>();
        const unknownNamespace: PolicyResource[] = [];
        for (const resource of args.resources) {
            if (networkPolicyKindOf(resource.type) === undefined) continue;
            const props = asRecord(readWithUnknowns(resource.props));
            const metadata = props["metadata"];
            const ns = isUnknownValue(metadata) ? metadata : knownRecord(metadata)?.["namespace"];
            const providerNs = knownRecord(readWithUnknowns(resource.provider?.props))?.["namespace"];
            if (isUnknownValue(ns)) {
                unknownNamespace.push(resource);
                continue;
            }
            const namespace = typeof ns === "string" && ns !== "" ? ns : typeof providerNs === "string" && providerNs !== "" ? providerNs : "default";
            const list = byNamespace.get(namespace) ?? [];
            list.push({ resource, verdict: isDefaultDenyIngress(props["spec"]) });
            byNamespace.set(namespace, list);
        }
        for (const ns of meshNamespaces(stack)) {
            if ((stack.workloadsByNamespace.get(ns.name) ?? []).length === 0 || namespaceExemption(stack, ns) !== undefined) continue;
            const candidates = byNamespace.get(ns.name) ?? [];
            if (candidates.some((c) => c.verdict === true)) continue;
            const undecided = candidates.find((c) => isUnknownValue(c.verdict)) ?? (unknownNamespace.length > 0 ? { resource: unknownNamespace[0], verdict: undefined } : undefined);
            if (undecided !== undefined) {
                const unknown = isUnknownValue(undecided.verdict) ? undecided.verdict.path : "metadata.namespace";
                reportAdvisory(
                    reportViolation,
                    violationMessage(
                        `Namespace ${ns.name}`,
                        `NetworkPolicy ${ns.name}/default-deny-ingress`,
                        `cannot be verified during preview: ${unknown} of ${undecided.resource.type} ${undecided.resource.name} is unknown until the update, and without a default-deny ingress NetworkPolicy the namespace would be reported`,
                        "nothing to do if that policy is a default-deny: the policy runs again with the known value during the update",
                    ),
                    undecided.resource.urn,
                );
                continue;
            }
            reportOnNamespace(
                reportViolation,
                ns,
                `NetworkPolicy ${ns.name}/default-deny-ingress`,
                "is missing: without a default-deny ingress NetworkPolicy, any pod of the cluster (one without a sidecar, a hostNetwork agent) reaches this namespace's pods on every port, around the mesh's policies",
                `add a NetworkPolicy in ${ns.name} with podSelector: {}, policyTypes: ["Ingress"] and no ingress rules (MeshPolicy's networkPolicies emit one), then allow the declared callers`,
            );
        }
    },
};

function reportAdvisory(reportViolation: (message: string, urn?: string) => void, message: string, urn: string): void {
    // The SDK's reportViolation also takes a violation object (server.js makeReportViolationFun):
    // an unknown value stays advisory even when the policy is configured mandatory.
    (reportViolation as unknown as (v: { message: string; urn: string; enforcementLevel: "advisory" }) => void)({ message, urn, enforcementLevel: "advisory" });
}
