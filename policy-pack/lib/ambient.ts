import { DATAPLANE_MODE_LABEL } from "../../components/constants";
import { selectorMatches } from "../../components/istio";
import { enrolmentOf } from "./injection";
import { LabelSetIndex } from "./label-index";
import { listForMessage } from "./messages";
import { MeshStack, selectorLabels, specOf, StackObject, StackWorkload } from "./stack";

/** How many workloads a message names before "and N more". */
const SHOWN = 3;

type Labels = Readonly<Record<string, string>>;

/** Ambient workloads indexed by label pair, so a selector is matched against candidates only. */
class AmbientWorkloads {
    readonly all: StackWorkload[] = [];
    private readonly byPair = new Map<string, StackWorkload[]>();

    add(workload: StackWorkload, labels: Labels): void {
        this.all.push(workload);
        for (const [key, value] of Object.entries(labels)) {
            const pair = `${key}\u0000${value}`;
            const list = this.byPair.get(pair);
            if (list === undefined) this.byPair.set(pair, [workload]);
            else list.push(workload);
        }
    }

    select(selector: Labels | undefined, labelsOf: ReadonlyMap<StackWorkload, Labels>): StackWorkload[] {
        if (selector === undefined) return this.all;
        let candidates: StackWorkload[] | undefined;
        for (const [key, value] of Object.entries(selector)) {
            const list = this.byPair.get(`${key}\u0000${value}`);
            if (list === undefined) return [];
            if (candidates === undefined || list.length < candidates.length) candidates = list;
        }
        return (candidates ?? []).filter((w) => selectorMatches(selector, labelsOf.get(w) ?? {}));
    }
}

/** What ambientReach needs of a stack, read once per stack (enrolment and labels once per workload). */
interface AmbientFacts {
    readonly namespaces: readonly string[];
    readonly mesh: AmbientWorkloads;
    readonly byNamespace: ReadonlyMap<string, AmbientWorkloads>;
    /** Every workload's labels per namespace: "does the selector match anything at all?". */
    readonly labelsByNamespace: ReadonlyMap<string, LabelSetIndex>;
    readonly labelsOf: ReadonlyMap<StackWorkload, Labels>;
}

const FACTS = new WeakMap<MeshStack, AmbientFacts>();

function ambientFacts(stack: MeshStack): AmbientFacts {
    const cached = FACTS.get(stack);
    if (cached !== undefined) return cached;
    const mesh = new AmbientWorkloads();
    const byNamespace = new Map<string, AmbientWorkloads>();
    const labelsByNamespace = new Map<string, LabelSetIndex>();
    const labelsOf = new Map<StackWorkload, Labels>();
    for (const workload of stack.workloads) {
        const namespace = workload.object.namespace ?? "";
        const labels = workload.template.labels;
        labelsOf.set(workload, labels);
        let index = labelsByNamespace.get(namespace);
        if (index === undefined) labelsByNamespace.set(namespace, (index = new LabelSetIndex()));
        index.add(labels);
        if (enrolmentOf(namespace, stack.namespaces.get(namespace)?.labels, workload.template).dataplane !== "ambient") continue;
        mesh.add(workload, labels);
        let own = byNamespace.get(namespace);
        if (own === undefined) byNamespace.set(namespace, (own = new AmbientWorkloads()));
        own.add(workload, labels);
    }
    const namespaces = [...stack.namespaces.values()].filter((ns) => ns.enrolment.mode === "ambient").map((ns) => ns.name);
    const facts = { namespaces, mesh, byNamespace, labelsByNamespace, labelsOf };
    FACTS.set(stack, facts);
    return facts;
}

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
    const facts = ambientFacts(stack);
    const namespace = entry.object.namespace ?? "";
    const matchLabels = selectorLabels(specOf(entry));
    const root = namespace === stack.config.rootNamespace;
    if (root && matchLabels === undefined) {
        const names = [...facts.namespaces.map((n) => `namespace ${n}`), ...facts.mesh.all.map((w) => w.object.subject)];
        return names.length === 0 ? undefined : `it is mesh-wide (root namespace ${namespace}) and the mesh has ambient workloads (${shortList(names)})`;
    }
    const scope = root && rootSelectorMeshWide ? facts.mesh : facts.byNamespace.get(namespace);
    const ambient = scope?.select(matchLabels, facts.labelsOf) ?? [];
    const verb = matchLabels === undefined ? "applies to" : "selects";
    if (ambient.length > 0) return `it ${verb} ${shortList(ambient.map((w) => w.object.subject))}, which ${ambient.length === 1 ? "runs" : "run"} in ambient mode`;
    if (!facts.namespaces.includes(namespace)) return undefined;
    const labels = facts.labelsByNamespace.get(namespace);
    const selectsAny = labels !== undefined && (matchLabels === undefined || labels.anyMatches(matchLabels));
    return selectsAny ? undefined : `namespace ${namespace} is labelled ${DATAPLANE_MODE_LABEL}=ambient, so the pods it ${verb} run in ambient mode`;
}

function shortList(names: readonly string[]): string {
    const shown = names.slice(0, SHOWN);
    if (names.length > SHOWN) shown.push(`${names.length - SHOWN} more`);
    return listForMessage(shown);
}
