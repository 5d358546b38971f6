import { MeshguardValidationError } from "../errors";
import { Waypoint, WaypointIndex, WaypointResolution } from "../istio";
import { readServices, ServiceRecord, serviceSelects } from "../kube";
import { waypointPolicies } from "./ambient";
import { DestinationPolicies } from "./destination";
import type { ResolvedSource } from "./evaluator";
import { PolicyInventory } from "./inventory";
import { SimRequest, SimWorkload } from "./types";


/** The way a request takes to an ambient destination: its Service, and the waypoint it passes (if any). */
export interface AmbientRoute {
    readonly waypoint?: Waypoint;
    readonly service: ServiceRecord;
    /** A sentence for the trace, naming the labels and the routing rule. */
    readonly why: string;
    /** Set when a label names a waypoint istiod will not use. */
    readonly problem?: string;
}

/**
 * Routing to ambient destinations (components/istio/waypoints.ts for the labels; Istio 1.30's
 * rule for who sends through a waypoint), with the Services among the objects and the policies
 * each waypoint applies per Service, cached.
 */
export class AmbientRouter {
    private readonly services: ServiceRecord[];
    /** Per destination and addressing: its Service and the waypoint its labels name. */
    private readonly resolutions = new Map<string, { service: ServiceRecord; found: WaypointResolution }>();
    /** Per waypoint and Service: the policies attached. */
    private readonly atWaypoint = new Map<string, DestinationPolicies>();

    constructor(
        manifests: readonly unknown[],
        private readonly waypoints: WaypointIndex,
        private readonly inventory: PolicyInventory,
        private readonly rootNamespace: string,
    ) {
        this.services = readServices(manifests);
    }

    /** Whether the request passes a waypoint, and which Service it is for. */
    route(request: Omit<SimRequest, "from" | "to">, dest: SimWorkload, source: ResolvedSource): AmbientRoute {
        const podIp = request.via === "pod-ip";
        const key = `${dest.namespace}/${dest.name}|${podIp ? "pod-ip" : "service"}|${request.service ?? ""}`;
        let resolved = this.resolutions.get(key);
        if (resolved === undefined) {
            const svc = this.serviceOf(dest, request.service);
            resolved = { service: svc, found: podIp ? this.waypoints.forWorkload({ namespace: dest.namespace, labels: dest.labels ?? {} }) : this.waypoints.forService(svc) };
            this.resolutions.set(key, resolved);
        }
        const { service, found } = resolved;
        const addressed = podIp ? `The request is addressed to a pod IP of ${dest.namespace}/${dest.name}` : `The request is addressed to Service ${service.namespace}/${service.name}`;
        const base = { service, problem: found.problem };
        if (found.waypoint === undefined) return { ...base, why: `${addressed}: ${found.reason}.` };
        const w = found.waypoint;
        const name = `waypoint ${w.namespace}/${w.name}`;
        if (source.proxy === "ztunnel") return { ...base, waypoint: w, why: `${addressed}: ${found.reason}; the caller's ztunnel sends it through ${name}.` };
        if (source.proxy === "gateway" && !podIp && this.waypoints.ingressUsesWaypoint(service)) {
            return { ...base, waypoint: w, why: `${addressed}: ${found.reason}; the ingress gateway sends it through ${name} (istio.io/ingress-use-waypoint).` };
        }
        const bypass =
            source.proxy === "sidecar"
                ? `${source.label} has a sidecar, and sidecars never send through waypoints (Istio 1.30: only ingress and east-west gateways do, pilot/pkg/xds/endpoints/endpoint_builder.go)`
                : source.proxy === "gateway"
                  ? `the ingress gateway sends to a Service's waypoint only when the Service or its namespace is labelled istio.io/ingress-use-waypoint=true`
                  : `${source.label} has no proxy to send it through the waypoint`;
        return { ...base, why: `${addressed}: ${found.reason}, but ${bypass}, so it goes straight to the ztunnel of ${dest.namespace}/${dest.name}, bypassing ${name}.` };
    }

    /** The policies waypoint `w` applies to `service`'s traffic (targetRefs). */
    policiesAt(w: Waypoint, service: ServiceRecord): DestinationPolicies {
        const key = `${w.namespace}/${w.name}|${service.namespace}/${service.name}`;
        let found = this.atWaypoint.get(key);
        if (found === undefined) {
            found = waypointPolicies(this.inventory, w, service, this.rootNamespace);
            this.atWaypoint.set(key, found);
        }
        return found;
    }

    /** The Service a request to `dest` is for: by name, else the first selecting it, else one named after it without labels. */
    private serviceOf(dest: SimWorkload, name: string | undefined): ServiceRecord {
        const inNamespace = this.services.filter((s) => s.namespace === dest.namespace);
        if (name !== undefined) {
            const named = inNamespace.find((s) => s.name === name);
            if (named === undefined) {
                throw new MeshguardValidationError("simulated request", [{ path: "service", message: `no Service "${dest.namespace}/${name}" among the objects` }]);
            }
            return named;
        }
        const labels = dest.labels ?? {};
        const selecting = inNamespace.find((s) => serviceSelects(s, labels));
        // Not among the objects: no ports known, so the service port is the container port.
        return selecting ?? { namespace: dest.namespace, name: dest.name, labels: {}, selector: {}, ports: [] };
    }
}

/**
 * The Service port a request to container port `port` of `dest` arrives on: the Service port whose
 * targetPort names it (by number, or by the container port's name; no targetPort: the same
 * number). Without the Service among the objects, or no port of it matching: the same number.
 */
export function servicePortOf(service: ServiceRecord, dest: SimWorkload, port: number): number {
    const name = dest.ports?.find((p) => p.port === port)?.name;
    const found = service.ports.find((p) => (p.targetPort === undefined ? p.port === port : p.targetPort === port || (name !== undefined && p.targetPort === name)));
    return found?.port ?? port;
}
