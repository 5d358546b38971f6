import { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { parsePrincipal, SelectorIndex, WaypointIndex } from "../../components/istio";
import { configSchema } from "../lib/config";
import { workloadTypeOf } from "../lib/kinds";
import { listForMessage, violationMessage } from "../lib/messages";
import { asList, asRecord, materialize } from "../lib/object";
import { hasTargetRefs, MeshStack, objectExemption, readMeshStack, selectorLabels, specOf, StackObject } from "../lib/stack";
import { readWorkloadIdentity, WorkloadIdentity } from "../lib/workload-identity";
import { readTargetObjects } from "../lib/policy-targets";

/** How many workloads / values a message lists before "and N more". */
const SHOWN = 5;

/** The workloads of one namespace as the intent checks see them. */
interface NamespaceWorkloads {
    readonly accounts: Map<string, string[]>;
    /** Workloads whose service account is unknown at preview. */
    readonly unknownAccounts: string[];
}

/** Workloads left out of the stack because a value was unknown at preview, by namespace ("*": namespace unknown too). */
type UnknownWorkloads = Map<string, string[]>;

interface IndexedPolicy {
    readonly matchLabels?: Readonly<Record<string, string>>;
    readonly entry: StackObject;
}

export const authorizationPolicyMatchesWorkloads: StackValidationPolicy = {
    name: "authorization-policy-matches-workloads",
    description:
        "ALLOW AuthorizationPolicies should match the workloads the stack deploys: a principal whose service account no workload of its namespace runs as, or a port no container of the selected workloads declares, admits nobody and usually means the policy and the deployment drifted apart.",
    enforcementLevel: "advisory",
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const unknownWorkloads: UnknownWorkloads = new Map();
        const byUrn = new Map(args.resources.map((r) => [r.urn, r]));
        const capturing: ReportViolation = (violation: unknown, urn?: string) => {
            const resource = byUrn.get(typeof violation === "object" && violation !== null ? ((violation as { urn?: string }).urn ?? "") : (urn ?? ""));
            if (resource !== undefined && workloadTypeOf(resource.type) !== undefined) noteUnknownWorkload(unknownWorkloads, resource);
            (reportViolation as (v: unknown, u?: string) => void)(violation, urn);
        };
        const stack = readMeshStack(args, capturing, { workloads: true, istioKinds: ["AuthorizationPolicy"] });
        const policies = (stack.istio.get("AuthorizationPolicy") ?? []).filter(
            (p) => (specOf(p)["action"] ?? "ALLOW") === "ALLOW" && !hasTargetRefs(specOf(p)) && objectExemption(stack, p.object) === undefined,
        );
        const identities = stack.workloads.map(readWorkloadIdentity);
        const namespaces = namespaceWorkloads(identities);
        addWaypoints(namespaces, readTargetObjects(args.resources, stack).waypoints);
        const selected = selectedWorkloads(stack, policies, identities);
        for (const policy of policies) {
            checkPrincipals(policy, namespaces, unknownWorkloads, reportViolation);
            checkPorts(policy, selected.get(policy) ?? [], unknownInScope(stack, policy, unknownWorkloads), reportViolation);
        }
    },
};

function noteUnknownWorkload(unknown: UnknownWorkloads, resource: PolicyResource): void {
    let namespace = "*";
    try {
        const value = materialize(asRecord(resource.props["metadata"])["namespace"]);
        namespace = typeof value === "string" && value !== "" ? value : "default";
    } catch {
        // The namespace itself is unknown: the workload may be in any namespace.
    }
    const list = unknown.get(namespace) ?? [];
    list.push(`${resource.type} ${resource.name}`);
    unknown.set(namespace, list);
}

function namespaceWorkloads(identities: readonly WorkloadIdentity[]): Map<string, NamespaceWorkloads> {
    const out = new Map<string, NamespaceWorkloads>();
    for (const identity of identities) {
        const ns = identity.workload.object.namespace ?? "";
        let entry = out.get(ns);
        if (entry === undefined) {
            entry = { accounts: new Map(), unknownAccounts: [] };
            out.set(ns, entry);
        }
        if (identity.serviceAccount === undefined) entry.unknownAccounts.push(identity.workload.object.subject);
        else {
            const users = entry.accounts.get(identity.serviceAccount) ?? [];
            users.push(identity.workload.object.subject);
            entry.accounts.set(identity.serviceAccount, users);
        }
    }
    return out;
}

/**
 * A waypoint Gateway of the stack is a workload istiod deploys, running as its own ServiceAccount
 * (components/istio/waypoints.ts): MeshPolicy's ztunnel policies admit that principal. Added only
 * where the stack deploys workloads, so namespaces without them stay unjudged.
 */
function addWaypoints(namespaces: Map<string, NamespaceWorkloads>, index: WaypointIndex): void {
    for (const waypoint of index.waypoints.values()) {
        const entry = namespaces.get(waypoint.namespace);
        if (entry === undefined) continue;
        const users = entry.accounts.get(waypoint.serviceAccount) ?? [];
        users.push(`waypoint Gateway ${waypoint.namespace}/${waypoint.name}`);
        entry.accounts.set(waypoint.serviceAccount, users);
    }
}

/**
 * The workloads each policy selects: its namespace's pod templates matching `selector` (all of them
 * without one), across the mesh for the root namespace. Policies are indexed by selector, so each
 * workload is matched once per label, not once per policy.
 */
function selectedWorkloads(stack: MeshStack, policies: readonly StackObject[], identities: readonly WorkloadIdentity[]): Map<StackObject, WorkloadIdentity[]> {
    const indexes = new Map<string, SelectorIndex<IndexedPolicy>>();
    for (const entry of policies) {
        const ns = entry.object.namespace ?? "";
        let index = indexes.get(ns);
        if (index === undefined) {
            index = new SelectorIndex<IndexedPolicy>();
            indexes.set(ns, index);
        }
        index.add({ matchLabels: selectorLabels(specOf(entry)), entry });
    }
    const root = indexes.get(stack.config.rootNamespace);
    const out = new Map<StackObject, WorkloadIdentity[]>();
    for (const identity of identities) {
        const ns = identity.workload.object.namespace ?? "";
        const labels = identity.workload.template.labels;
        const matches = [...(indexes.get(ns)?.select(labels) ?? []), ...(ns === stack.config.rootNamespace ? [] : (root?.select(labels) ?? []))];
        for (const { entry } of matches) {
            const list = out.get(entry) ?? [];
            list.push(identity);
            out.set(entry, list);
        }
    }
    return out;
}

/** Workloads left out for an unknown value that a policy may select: its namespace's (the mesh's for the root namespace) and those of unknown namespace. */
function unknownInScope(stack: MeshStack, policy: StackObject, unknown: UnknownWorkloads): string[] {
    const ns = policy.object.namespace ?? "";
    if (ns === stack.config.rootNamespace) return [...unknown.values()].flat();
    return [...(unknown.get(ns) ?? []), ...(unknown.get("*") ?? [])];
}

/** `a, b, c, d, e and 3 more`. */
function shortList(items: readonly string[]): string {
    if (items.length <= SHOWN) return listForMessage(items);
    return `${items.slice(0, SHOWN).join(", ")} and ${items.length - SHOWN} more`;
}

/**
 * A principal `<td>/ns/<ns>/sa/<sa>` is the identity of pods running as service account `<sa>` in
 * `<ns>` (Istio builds it from the pod's SPIFFE certificate, `spiffe://<td>/ns/<ns>/sa/<sa>`).
 * Judged only in namespaces where the stack deploys workloads: elsewhere they live in another stack.
 */
function checkPrincipals(policy: StackObject, namespaces: ReadonlyMap<string, NamespaceWorkloads>, unknown: UnknownWorkloads, reportViolation: ReportViolation): void {
    asList(specOf(policy)["rules"]).forEach((rule, r) => {
        asList(asRecord(rule)["from"]).forEach((from, f) => {
            asList(asRecord(asRecord(from)["source"])["principals"]).forEach((value, i) => {
                const principal = typeof value === "string" ? parsePrincipal(value) : undefined;
                if (principal === undefined) return;
                const path = `spec.rules[${r}].from[${f}].source.principals[${i}]`;
                const there = namespaces.get(principal.namespace);
                const unknownThere = [...(unknown.get(principal.namespace) ?? []), ...(unknown.get("*") ?? []), ...(there?.unknownAccounts ?? [])];
                if (there === undefined && unknownThere.length === 0) return;
                if (there?.accounts.has(principal.serviceAccount)) return;
                if (unknownThere.length > 0) {
                    reportCannotVerify(
                        reportViolation,
                        policy,
                        path,
                        `whether a workload in namespace ${principal.namespace} runs as service account ${principal.serviceAccount} can't be verified during preview: the service account or namespace of ${shortList(unknownThere)} is unknown`,
                    );
                    return;
                }
                const accounts = [...(there?.accounts.keys() ?? [])].sort();
                reportViolation(
                    violationMessage(
                        policy.object.subject,
                        path,
                        `no workload in namespace ${principal.namespace} runs as service account ${principal.serviceAccount}, so this caller matches nobody; workloads there run as: ${shortList(accounts)}`,
                        `correct the principal (or the caller's serviceAccount in MeshPolicy) to the service account the calling workload runs as, or set spec.template.spec.serviceAccountName on that workload`,
                    ),
                    policy.resource.urn,
                );
            });
        });
    });
}

/**
 * `to.operation.ports` are matched against the destination port of the inbound connection, which
 * at the sidecar is the pod's (container) port, not the Service port: istio/istio
 * pilot/pkg/security/authz/model/generator.go (destPortGenerator → `destination_port`). A port no
 * container of the selected workloads declares is judged only when they declare some ports.
 */
function checkPorts(policy: StackObject, selected: readonly WorkloadIdentity[], unknownWorkloads: readonly string[], reportViolation: ReportViolation): void {
    if (selected.length === 0) return;
    // A workload left out for an unknown value may be selected too, and may declare the port.
    const unknownPorts = [...selected.filter((s) => s.ports === undefined).map((s) => s.workload.object.subject), ...unknownWorkloads];
    const declared = new Set<number>();
    for (const s of selected) for (const port of s.ports ?? []) declared.add(port);
    if (declared.size === 0 && unknownPorts.length === 0) return;
    const subjects = selected.map((s) => s.workload.object.subject);
    asList(specOf(policy)["rules"]).forEach((rule, r) => {
        asList(asRecord(rule)["to"]).forEach((to, t) => {
            asList(asRecord(asRecord(to)["operation"])["ports"]).forEach((value, i) => {
                const port = typeof value === "string" && /^[0-9]+$/.test(value) ? Number(value) : typeof value === "number" ? value : undefined;
                if (port === undefined || declared.has(port)) return;
                const path = `spec.rules[${r}].to[${t}].operation.ports[${i}]`;
                if (unknownPorts.length > 0) {
                    reportCannotVerify(reportViolation, policy, path, `whether a selected workload listens on port ${port} can't be verified during preview: the container ports, labels or namespace of ${shortList(unknownPorts)} are unknown`);
                    return;
                }
                const ports = [...declared].sort((a, b) => a - b).map(String);
                reportViolation(
                    violationMessage(
                        policy.object.subject,
                        path,
                        `no container of the workloads this policy selects (${shortList(subjects)}) declares containerPort ${port}, so this rule matches no connection; they declare: ${shortList(ports)}`,
                        "use the container (target) port the workload listens on, not the Service port, or add the port to the container's ports",
                    ),
                    policy.resource.urn,
                );
            });
        });
    });
}

/** An unknown value is advisory whatever the policy's level, as readMeshStack reports one (lib/stack.ts). */
function reportCannotVerify(reportViolation: ReportViolation, policy: StackObject, path: string, problem: string): void {
    const violation = {
        message: violationMessage(policy.object.subject, path, problem, "it is checked again when the value is known"),
        urn: policy.resource.urn,
        enforcementLevel: "advisory" as const,
    };
    (reportViolation as unknown as (v: typeof violation) => void)(violation);
}
