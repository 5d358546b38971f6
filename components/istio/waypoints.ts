import { asList, asRecord, annotationsOf, labelsOf, LabelSelector, labelSelectorMatches, nameOf, namespaceOf, readLabelSelector, splitApiVersion, typeOfObject } from "../kube";
import { namespaceLabels } from "./mesh-workloads";
import { formatPrincipal } from "./principal";
import { GATEWAY_API_GROUP, WAYPOINT_GATEWAY_CLASS_NAME } from "./target-refs";

/**
 * Waypoints, read as istiod 1.30.3 reads them (pilot/pkg/serviceregistry/ambient/waypoints.go,
 * services.go, sidecar_interop.go; the Deployment from pilot/pkg/config/kube/gatewaycommon/
 * deploymentcontroller.go and manifests/charts/istio-control/istio-discovery/files/waypoint.yaml):
 * - A waypoint is a Gateway API Gateway (here: `gatewayClassName: istio-waypoint`; istiod takes any
 *   Gateway once its status has addresses, which offline objects never have).
 * - Its pods run as the ServiceAccount of annotation `gateway.istio.io/service-account`, else the
 *   Gateway's name (the istio-waypoint class disables the `-<class>` suffix), so the identity the
 *   destination ztunnel sees is `<trustDomain>/ns/<ns>/sa/<that account>`.
 * - `istio.io/waypoint-for` (Gateway label > GatewayClass label > "service") says which traffic it
 *   takes: service, workload, all or none; any other value matches neither kind of traffic.
 * - Use (fetchWaypointForTarget): the object's own `istio.io/use-waypoint` (a Service for service
 *   traffic, a Pod for workload-addressed traffic) wins over its namespace's; value `none` opts
 *   out; `istio.io/use-waypoint-namespace` on the same object names the waypoint's namespace. A
 *   label naming a waypoint that does not exist, that refuses the namespace (allowedRoutes of its
 *   HBONE listener, default Same) or that does not take the traffic type leaves the traffic
 *   WITHOUT a waypoint (istiod reports it in status) — an object's label never falls back to the
 *   namespace's. A namespace's service-only waypoint is no error for its pods (no pod waypoint).
 * - Waypoints' own Services (label gateway.istio.io/managed=istio.io-mesh-controller) have none.
 * - Only ingress (and east-west) gateways send to a Service's waypoint, and only when the Service
 *   (else its namespace) has `istio.io/ingress-use-waypoint` parsing as Go true
 *   (pilot/pkg/xds/endpoints/endpoint_builder.go findServiceWaypoint). Sidecars never do: a sidecar
 *   caller reaches the destination's ztunnel directly, with its own identity.
 */

export const USE_WAYPOINT_LABEL = "istio.io/use-waypoint";
export const USE_WAYPOINT_NAMESPACE_LABEL = "istio.io/use-waypoint-namespace";
export const WAYPOINT_FOR_LABEL = "istio.io/waypoint-for";
export const INGRESS_USE_WAYPOINT_LABEL = "istio.io/ingress-use-waypoint";
export const GATEWAY_SERVICE_ACCOUNT_ANNOTATION = "gateway.istio.io/service-account";
/** Label on a waypoint's pods naming their Gateway (Gateway API convention, set by istiod's template). */
export const GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";
const GATEWAY_MANAGED_LABEL = "gateway.istio.io/managed";
const MESH_CONTROLLER_LABEL_VALUE = "istio.io-mesh-controller";
/** The waypoint's HBONE listener (port and protocol istiod looks for in makeAllowedRoutes). */
export const WAYPOINT_HBONE_PORT = 15008;

export type WaypointTraffic = "service" | "workload";

export interface Waypoint {
    readonly namespace: string;
    readonly name: string;
    readonly serviceAccount: string;
    /** The `istio.io/waypoint-for` value in force (raw: an unknown value takes no traffic). */
    readonly trafficType: string;
    /** Which namespaces may use it (allowedRoutes.namespaces of the HBONE listener). */
    readonly allowedRoutes: { readonly from: "Same" | "All" | "Selector"; readonly selector?: LabelSelector };
}

export interface WaypointResolution {
    /** The waypoint the traffic goes through; undefined: straight to the destination's ztunnel. */
    readonly waypoint?: Waypoint;
    /** The object whose label decided: "service", "pod" or "namespace" (undefined: no label). */
    readonly via?: "service" | "pod" | "namespace";
    /** A sentence saying why (names the label). */
    readonly reason: string;
    /** Set when a label asks for a waypoint istiod will not use (the traffic then bypasses it). */
    readonly problem?: string;
}

/** The identity a waypoint presents to the destination ztunnel. */
export function waypointPrincipal(waypoint: Waypoint, trustDomain: string): string {
    return formatPrincipal({ trustDomain, namespace: waypoint.namespace, serviceAccount: waypoint.serviceAccount });
}

export const waypointKey = (namespace: string, name: string) => `${namespace}/${name}`;

interface LabelledObject {
    readonly namespace: string;
    readonly name?: string;
    readonly labels: Readonly<Record<string, string>>;
}

/** Waypoints and the labels that route traffic through them, read once from a set of objects. */
export class WaypointIndex {
    readonly waypoints = new Map<string, Waypoint>();
    /** Every Gateway API Gateway (ns/name → gatewayClassName), waypoint or not. */
    readonly gateways = new Map<string, string>();
    private readonly namespaces: Map<string, Record<string, string>>;

    constructor(objects: readonly unknown[]) {
        this.namespaces = namespaceLabels(objects);
        const classLabels = new Map<string, Record<string, string>>();
        const gateways: unknown[] = [];
        for (const object of objects) {
            const type = typeOfObject(object);
            if (type === undefined || splitApiVersion(type.apiVersion).group !== GATEWAY_API_GROUP) continue;
            if (type.kind === "GatewayClass" && nameOf(object) !== undefined) classLabels.set(nameOf(object) as string, labelsOf(object));
            if (type.kind === "Gateway" && nameOf(object) !== undefined) gateways.push(object);
        }
        for (const gateway of gateways) {
            const waypoint = readWaypoint(gateway, classLabels);
            const key = waypointKey(namespaceOf(gateway), nameOf(gateway) as string);
            this.gateways.set(key, String(asRecord(asRecord(gateway)["spec"])["gatewayClassName"] ?? ""));
            // A later object of the same name replaces an earlier one (the same resource).
            if (waypoint !== undefined) this.waypoints.set(key, waypoint);
            else this.waypoints.delete(key);
        }
    }

    /** The labels of a namespace among the objects (undefined: not among them). */
    namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined {
        return this.namespaces.get(namespace);
    }

    /** The waypoint for traffic addressed to a Service (fetchWaypointForService). */
    forService(service: LabelledObject): WaypointResolution {
        if (service.labels[GATEWAY_MANAGED_LABEL] === MESH_CONTROLLER_LABEL_VALUE) return { reason: `Service ${service.namespace}/${service.name ?? ""} belongs to a waypoint, which has no waypoint` };
        return this.resolve(service, "service");
    }

    /** The waypoint for traffic addressed to a pod's IP (fetchWaypointForWorkload). */
    forWorkload(pod: LabelledObject): WaypointResolution {
        return this.resolve(pod, "workload");
    }

    /**
     * True when an ingress gateway sends a Service's traffic through its waypoint: label
     * istio.io/ingress-use-waypoint on the Service, else on its namespace, parsing as Go true
     * (services.go ingressUseWaypointFromLabels: strconv.ParseBool, anything else false).
     */
    ingressUsesWaypoint(service: LabelledObject): boolean {
        const own = service.labels[INGRESS_USE_WAYPOINT_LABEL];
        const value = own ?? this.namespaces.get(service.namespace)?.[INGRESS_USE_WAYPOINT_LABEL];
        return value !== undefined && GO_TRUE.includes(value);
    }

    /** The waypoint whose instance a pod is (label gateway.networking.k8s.io/gateway-name). */
    instanceOf(namespace: string, podLabels: Readonly<Record<string, string>>): Waypoint | undefined {
        const name = podLabels[GATEWAY_NAME_LABEL];
        return name === undefined ? undefined : this.waypoints.get(waypointKey(namespace, name));
    }

    private resolve(object: LabelledObject, traffic: WaypointTraffic): WaypointResolution {
        const kind = traffic === "service" ? "service" : "pod";
        const what = traffic === "service" ? `Service ${object.namespace}/${object.name ?? ""}` : `the pod`;
        const own = useWaypoint(object.labels, object.namespace);
        if (own === "none") return { via: kind, reason: `${what} is labelled ${USE_WAYPOINT_LABEL}=none` };
        if (own !== undefined) return this.check(own, object.namespace, traffic, kind, `${what} is labelled ${describe(object.labels)}`, true);
        const nsLabels = this.namespaces.get(object.namespace);
        const inherited = nsLabels === undefined ? undefined : useWaypoint(nsLabels, object.namespace);
        if (inherited === undefined || inherited === "none") return { reason: `neither ${what} nor namespace ${object.namespace} names a waypoint (${USE_WAYPOINT_LABEL})` };
        return this.check(inherited, object.namespace, traffic, "namespace", `namespace ${object.namespace} is labelled ${describe(nsLabels ?? {})}`, traffic === "service");
    }

    private check(ref: { namespace: string; name: string }, from: string, traffic: WaypointTraffic, via: "service" | "pod" | "namespace", why: string, strict: boolean): WaypointResolution {
        const key = waypointKey(ref.namespace, ref.name);
        const waypoint = this.waypoints.get(key);
        const bypass = `, so istiod sends this traffic without a waypoint`;
        if (waypoint === undefined) {
            const cls = this.gateways.get(key);
            const problem =
                cls === undefined
                    ? `${why}, but there is no Gateway ${key}${bypass}`
                    : `${why}, but Gateway ${key} has gatewayClassName ${JSON.stringify(cls)}, not ${WAYPOINT_GATEWAY_CLASS_NAME}${bypass}`;
            return { via, reason: problem, problem };
        }
        if (!this.allowsAttachment(waypoint, from)) {
            const problem = `${why}, but waypoint ${key} does not accept namespace ${from} (allowedRoutes.namespaces.from ${waypoint.allowedRoutes.from} on its HBONE listener)${bypass}`;
            return { via, reason: problem, problem };
        }
        if (waypoint.trafficType !== "all" && waypoint.trafficType !== traffic) {
            const reason = `${why}, but waypoint ${key} is for ${JSON.stringify(waypoint.trafficType)} traffic (${WAYPOINT_FOR_LABEL}), not ${traffic} traffic${bypass}`;
            return strict ? { via, reason, problem: reason } : { via, reason };
        }
        return { waypoint, via, reason: `${why}: waypoint ${key}` };
    }

    private allowsAttachment(waypoint: Waypoint, namespace: string): boolean {
        switch (waypoint.allowedRoutes.from) {
            case "All":
                return true;
            case "Selector":
                return waypoint.allowedRoutes.selector !== undefined && labelSelectorMatches(waypoint.allowedRoutes.selector, this.namespaces.get(namespace) ?? {});
            default:
                return waypoint.namespace === namespace;
        }
    }
}

/** strconv.ParseBool's true spellings. */
const GO_TRUE = ["1", "t", "T", "TRUE", "true", "True"];

function useWaypoint(labels: Readonly<Record<string, string>>, fallbackNamespace: string): { namespace: string; name: string } | "none" | undefined {
    const name = labels[USE_WAYPOINT_LABEL];
    if (name === undefined) return undefined;
    if (name === "none") return "none";
    return { name, namespace: labels[USE_WAYPOINT_NAMESPACE_LABEL] ?? fallbackNamespace };
}

function describe(labels: Readonly<Record<string, string>>): string {
    const ns = labels[USE_WAYPOINT_NAMESPACE_LABEL];
    return `${USE_WAYPOINT_LABEL}=${labels[USE_WAYPOINT_LABEL]}${ns === undefined ? "" : ` ${USE_WAYPOINT_NAMESPACE_LABEL}=${ns}`}`;
}

function readWaypoint(gateway: unknown, classLabels: ReadonlyMap<string, Record<string, string>>): Waypoint | undefined {
    const spec = asRecord(asRecord(gateway)["spec"]);
    const className = spec["gatewayClassName"];
    if (className !== WAYPOINT_GATEWAY_CLASS_NAME) return undefined;
    const name = nameOf(gateway) as string;
    const labels = labelsOf(gateway);
    const trafficType = labels[WAYPOINT_FOR_LABEL] ?? classLabels.get(className)?.[WAYPOINT_FOR_LABEL] ?? "service";
    const serviceAccount = annotationsOf(gateway)[GATEWAY_SERVICE_ACCOUNT_ANNOTATION] || name;
    return { namespace: namespaceOf(gateway), name, serviceAccount, trafficType, allowedRoutes: readAllowedRoutes(spec, namespaceOf(gateway), name) };
}

/** makeAllowedRoutes: the HBONE listener on 15008, else "Same". */
function readAllowedRoutes(spec: Record<string, unknown>, namespace: string, name: string): Waypoint["allowedRoutes"] {
    const listener = asList(spec["listeners"]).map(asRecord).find((l) => l["protocol"] === "HBONE" && l["port"] === WAYPOINT_HBONE_PORT);
    const namespaces = asRecord(asRecord(listener?.["allowedRoutes"])["namespaces"]);
    const from = namespaces["from"];
    if (from === "All") return { from: "All" };
    if (from === "Selector") {
        // metav1.LabelSelectorAsSelector(nil) selects nothing.
        const raw = namespaces["selector"];
        if (raw === undefined || raw === null) return { from: "Selector" };
        return { from: "Selector", selector: readLabelSelector(raw, `Gateway "${namespace}/${name}"`, "spec.listeners[].allowedRoutes.namespaces.selector") };
    }
    return { from: "Same" };
}
