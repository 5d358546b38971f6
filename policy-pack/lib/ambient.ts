import { DATAPLANE_MODE_LABEL } from "../../components/constants";
import { enrolmentOf } from "./injection";
import { listForMessage } from "./messages";
import { MeshStack, selectorLabels, specOf, StackObject } from "./stack";

/** How many workloads a message names before "and N more". */
const SHOWN = 3;

/**
 * Why a selector-based Istio policy (PeerAuthentication, AuthorizationPolicy without targetRefs)
 * reaches ztunnel-captured pods, or undefined when it reaches none the stack shows. Enrolment is
 * the shared reader's (components/istio/enrolment.ts):
 * - namespace-wide in the root namespace: every ambient namespace or workload of the stack;
 * - with `rootSelectorMeshWide` (AuthorizationPolicy), a selector in the root namespace selects
 *   workloads of every namespace (pilot/pkg/serviceregistry/ambient/workloads.go, Istio 1.30.3);
 *   otherwise (PeerAuthentication) only the root namespace's;
 * - selected workloads of the stack running in ambient (namespace label or pod label);
 * - no selected workload in the stack, but the namespace is labelled ambient: its pods will be.
 */
export function ambientReach(stack: MeshStack, entry: StackObject, rootSelectorMeshWide = false): string | undefined {
    const namespace = entry.object.namespace ?? "";
    const matchLabels = selectorLabels(specOf(entry));
    if (namespace === stack.config.rootNamespace && matchLabels === undefined) {
        const ambientNamespaces = [...stack.namespaces.values()].filter((ns) => ns.enrolment.mode === "ambient").map((ns) => ns.name);
        const ambientWorkloads = stack.workloads.filter((w) => ambientWorkload(stack, w.object.namespace ?? "", w.template)).map((w) => w.object.subject);
        const names = [...ambientNamespaces.map((n) => `namespace ${n}`), ...ambientWorkloads];
        return names.length === 0 ? undefined : `it is mesh-wide (root namespace ${namespace}) and the mesh has ambient workloads (${shortList(names)})`;
    }
    const inScope = rootSelectorMeshWide && namespace === stack.config.rootNamespace ? stack.workloads : (stack.workloadsByNamespace.get(namespace) ?? []);
    const selected = inScope.filter((w) => matchLabels === undefined || Object.entries(matchLabels).every(([k, v]) => w.template.labels[k] === v));
    const ambient = selected.filter((w) => ambientWorkload(stack, w.object.namespace ?? "", w.template));
    if (ambient.length > 0) return `it ${matchLabels === undefined ? "applies to" : "selects"} ${shortList(ambient.map((w) => w.object.subject))}, which ${ambient.length === 1 ? "runs" : "run"} in ambient mode`;
    if (selected.length === 0 && stack.namespaces.get(namespace)?.enrolment.mode === "ambient") {
        return `namespace ${namespace} is labelled ${DATAPLANE_MODE_LABEL}=ambient, so the pods it ${matchLabels === undefined ? "applies to" : "selects"} run in ambient mode`;
    }
    return undefined;
}

function ambientWorkload(stack: MeshStack, namespace: string, template: Parameters<typeof enrolmentOf>[2]): boolean {
    return enrolmentOf(namespace, stack.namespaces.get(namespace)?.labels, template).dataplane === "ambient";
}

function shortList(names: readonly string[]): string {
    const shown = names.slice(0, SHOWN);
    if (names.length > SHOWN) shown.push(`${names.length - SHOWN} more`);
    return listForMessage(shown);
}
