import { workloadEnrolment, WorkloadEnrolment } from "../istio";
import {
    asList,
    asRecord,
    asStringMap,
    ContainerPort,
    containerPorts,
    labelsOf,
    nameOf,
    namespaceOf,
    podServiceAccount,
    podTemplateOf,
    podUsesHostNetwork,
    typeOfObject,
    workloadKindOfObject,
} from "../kube";
import { SimPort, SimProtocol, SimWorkload } from "./types";

const TCP_PREFIXES = ["tcp", "tls", "mongo", "mysql", "redis"];
const HTTP_PREFIXES = ["http", "http2", "grpc", "grpc-web"];

/**
 * Istio's protocol selection: Service port `appProtocol`, else the port name prefix
 * (`http-web`, `tcp-db`...). Unnamed ports are sniffed by Istio; the simulator assumes HTTP.
 */
export function protocolOfServicePort(name: string | undefined, appProtocol: string | undefined): SimProtocol | undefined {
    const text = (appProtocol ?? name ?? "").toLowerCase();
    const prefix = text.split("-")[0];
    if (TCP_PREFIXES.includes(prefix)) return "tcp";
    if (HTTP_PREFIXES.includes(prefix)) return "http";
    return undefined;
}

/**
 * The labels of every Namespace among the objects (a Namespace and the patches labelling it are
 * merged, later objects winning). A namespace absent from the map is not among the objects.
 */
export function namespaceLabels(objects: readonly unknown[]): Map<string, Record<string, string>> {
    const out = new Map<string, Record<string, string>>();
    for (const object of objects) {
        const type = typeOfObject(object);
        const name = nameOf(object);
        if (type === undefined || type.kind !== "Namespace" || type.apiVersion !== "v1" || name === undefined) continue;
        out.set(name, { ...(out.get(name) ?? {}), ...labelsOf(object) });
    }
    return out;
}

/** A workload object among the manifests, read once: its identity, pod template and mesh membership. */
export interface ManifestWorkload {
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
    readonly podLabels: Record<string, string>;
    readonly serviceAccount: string;
    readonly ports: readonly ContainerPort[];
    readonly enrolment: WorkloadEnrolment;
}

/**
 * Every workload (each kind of the ground floor's workload table) among the objects, with its
 * mesh membership decided by components/istio/enrolment from its namespace's labels (when the
 * Namespace is among the objects) and its pod template.
 */
export function manifestWorkloads(objects: readonly unknown[]): ManifestWorkload[] {
    const namespaces = namespaceLabels(objects);
    const out: ManifestWorkload[] = [];
    for (const object of objects) {
        const type = typeOfObject(object);
        const workload = type === undefined ? undefined : workloadKindOfObject(type.apiVersion, type.kind);
        const name = nameOf(object);
        if (workload === undefined || name === undefined) continue;
        const namespace = namespaceOf(object);
        const pod = podTemplateOf(object, workload);
        out.push({
            kind: workload.kind,
            namespace,
            name,
            podLabels: pod.labels,
            serviceAccount: podServiceAccount(pod.spec),
            ports: containerPorts(pod.spec),
            enrolment: workloadEnrolment(
                { name: namespace, labels: namespaces.get(namespace) },
                { labels: pod.labels, annotations: pod.annotations, hostNetwork: podUsesHostNetwork(pod.spec) },
            ),
        });
    }
    return out;
}

/**
 * Workloads found in Kubernetes manifests (namespace, service account, pod labels, container
 * ports; protocols from the Services selecting them), in the mesh or not as Istio would enrol them.
 */
export function workloadsFromManifests(manifests: readonly unknown[]): SimWorkload[] {
    const services = manifests.filter((m) => typeOfObject(m)?.kind === "Service" && typeOfObject(m)?.apiVersion === "v1").map(asRecord);
    return manifestWorkloads(manifests).map((w) => ({
        namespace: w.namespace,
        name: w.name,
        serviceAccount: w.serviceAccount,
        labels: w.podLabels,
        ports: w.ports.map((p): SimPort => ({ port: p.containerPort, protocol: servicePortProtocol(services, w.namespace, w.podLabels, p) ?? "http" })),
        inMesh: w.enrolment.inMesh,
        meshReason: w.enrolment.reason,
    }));
}

function servicePortProtocol(services: readonly Record<string, unknown>[], namespace: string, labels: Record<string, string>, port: ContainerPort): SimProtocol | undefined {
    for (const svc of services) {
        if (namespaceOf(svc) !== namespace) continue;
        const spec = asRecord(svc["spec"]);
        const selector = asStringMap(spec["selector"]);
        if (Object.keys(selector).length === 0 || !Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
        for (const sp of asList(spec["ports"]).map(asRecord)) {
            const target = sp["targetPort"] ?? sp["port"];
            if (target !== port.containerPort && (typeof target !== "string" || target !== port.name)) continue;
            const protocol = protocolOfServicePort(sp["name"] as string | undefined, sp["appProtocol"] as string | undefined);
            if (protocol !== undefined) return protocol;
        }
    }
    return undefined;
}
