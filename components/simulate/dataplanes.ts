import { AuthorizationSimulator } from "./evaluator";

/** The data plane of a namespace's workloads, and the waypoint its Services go through. */
export interface NamespaceDataplane {
    readonly namespace: string;
    /** mixed: some workloads have sidecars, others are ambient; outside: none is in the mesh. */
    readonly dataplane: "sidecar" | "ambient" | "mixed" | "outside";
    /** `ns/name` of the waypoint the namespace's label names for service traffic (when it resolves). */
    readonly waypoint?: string;
}

/** Each namespace of the simulator's workloads, in order of first appearance. */
export function namespaceDataplanes(sim: AuthorizationSimulator): NamespaceDataplane[] {
    const planes = new Map<string, Set<string>>();
    for (const w of sim.workloads) {
        const set = planes.get(w.namespace) ?? new Set<string>();
        if (w.inMesh !== false) set.add(sim.dataplaneOf(w));
        planes.set(w.namespace, set);
    }
    return [...planes].map(([namespace, set]) => {
        const dataplane = set.size === 0 ? "outside" : set.size > 1 ? "mixed" : (([...set][0]) as "sidecar" | "ambient");
        const waypoint = dataplane === "ambient" || dataplane === "mixed" ? sim.waypoints.forService({ namespace, labels: {} }).waypoint : undefined;
        return waypoint === undefined ? { namespace, dataplane } : { namespace, dataplane, waypoint: `${waypoint.namespace}/${waypoint.name}` };
    });
}

/** True when some namespace runs ambient workloads (outputs then name every namespace's data plane). */
export function hasAmbient(planes: readonly NamespaceDataplane[]): boolean {
    return planes.some((p) => p.dataplane === "ambient" || p.dataplane === "mixed");
}

/** `shop ambient (waypoint shop/waypoint), legacy sidecar`. */
export function formatDataplanes(planes: readonly NamespaceDataplane[]): string {
    return planes.map((p) => `${p.namespace} ${p.dataplane}${p.waypoint === undefined ? "" : ` (waypoint ${p.waypoint})`}`).join(", ");
}
