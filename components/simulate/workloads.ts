import { manifestWorkloads } from "../istio";
import { ContainerPort, readServices, ServiceRecord, serviceSelects } from "../kube";
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
 * Workloads found in Kubernetes manifests (namespace, service account, pod labels, container
 * ports; protocols from the Services selecting them), in the mesh or not as Istio would enrol them.
 */
export function workloadsFromManifests(manifests: readonly unknown[]): SimWorkload[] {
    const services = readServices(manifests);
    return manifestWorkloads(manifests).map((w) => ({
        namespace: w.namespace,
        name: w.name,
        serviceAccount: w.serviceAccount,
        labels: w.podLabels,
        ports: w.ports.map((p): SimPort => {
            const port: SimPort = { port: p.containerPort, protocol: servicePortProtocol(services, w.namespace, w.podLabels, p) ?? "http" };
            return p.name === undefined ? port : { ...port, name: p.name };
        }),
        inMesh: w.enrolment.inMesh,
        meshReason: w.enrolment.reason,
        ...(w.enrolment.dataplane === "ambient" ? { dataplane: "ambient" as const } : {}),
    }));
}

function servicePortProtocol(services: readonly ServiceRecord[], namespace: string, labels: Record<string, string>, port: ContainerPort): SimProtocol | undefined {
    for (const svc of services) {
        if (svc.namespace !== namespace || !serviceSelects(svc, labels)) continue;
        for (const sp of svc.ports) {
            const target = sp.targetPort ?? sp.port;
            if (target !== port.containerPort && (typeof target !== "string" || target !== port.name)) continue;
            const protocol = protocolOfServicePort(sp.name, sp.appProtocol);
            if (protocol !== undefined) return protocol;
        }
    }
    return undefined;
}
