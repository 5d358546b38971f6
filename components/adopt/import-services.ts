import { manifestWorkloads, ManifestWorkload } from "../istio";
import { readServices, serviceSelects } from "../kube";
import { MeshPortProtocol, MeshService, MeshServicePort } from "../model";
import { protocolOfServicePort } from "../simulate";
import { ImportFinding } from "./import-findings";

/**
 * The services `meshguard import` declares, read from the Kubernetes objects next to the
 * policies: one per Service (id and selector from the Service, ports from its ports, the service
 * account from the workloads it selects). Nothing is invented: a Service whose pods are not among
 * the objects, or whose pods run as several accounts, is reported and left out.
 */

/** A declared service and what the import needs to translate policies onto it. */
export interface ImportedService {
    readonly service: MeshService;
    /** `namespace/name` of the workloads its selector selects. */
    readonly workloads: readonly string[];
    /** Container port → the Service ports whose targetPort it is. */
    readonly servicePorts: ReadonlyMap<number, readonly number[]>;
}

export interface ImportServicesOptions {
    /** Namespaces whose Services are never declared (the root namespace, the ingress gateway's). */
    readonly reserved: ReadonlyMap<string, string>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const workloadKey = (w: { namespace: string; name: string }): string => `${w.namespace}/${w.name}`;

/** http2/grpc by Istio's port naming (appProtocol, else the name prefix); tcp and http as the simulator reads them. */
function meshProtocol(name: string | undefined, appProtocol: string | undefined): MeshPortProtocol {
    if (protocolOfServicePort(name, appProtocol) === "tcp") return "tcp";
    const prefix = (appProtocol ?? name ?? "").toLowerCase().split("-")[0];
    return prefix === "grpc" ? "grpc" : prefix === "http2" ? "http2" : "http";
}

function serviceFinding(namespace: string, name: string, field: string, problem: string): ImportFinding {
    return { object: `Service ${namespace}/${name}`, field, problem, kept: false };
}

export function importServices(objects: readonly unknown[], options: ImportServicesOptions): { services: ImportedService[]; workloads: ManifestWorkload[]; findings: ImportFinding[] } {
    const workloads = manifestWorkloads(objects);
    const findings: ImportFinding[] = [];
    const services: ImportedService[] = [];
    const ids = new Map<string, string>();
    for (const svc of readServices(objects)) {
        const { namespace, name, selector } = svc;
        const reserved = options.reserved.get(namespace);
        if (reserved !== undefined) {
            findings.push(serviceFinding(namespace, name, "metadata.namespace", `not declared: ${namespace} is ${reserved}`));
            continue;
        }
        if (Object.keys(selector).length === 0) {
            findings.push(serviceFinding(namespace, name, "spec.selector", "not declared: no selector (its endpoints are managed by hand)"));
            continue;
        }
        const selected = workloads.filter((w) => w.namespace === namespace && serviceSelects(svc, w.podLabels));
        if (selected.length === 0) {
            findings.push(serviceFinding(namespace, name, "spec.selector", "not declared: it selects no workload among the input (add its Deployment or Pod next to it)"));
            continue;
        }
        const accounts = [...new Set(selected.map((w) => w.serviceAccount))].sort();
        if (accounts.length > 1) {
            findings.push(serviceFinding(namespace, name, "spec.selector", `not declared: its workloads run as several service accounts (${accounts.join(", ")})`));
            continue;
        }
        const earlier = ids.get(name);
        if (earlier !== undefined) {
            findings.push(serviceFinding(namespace, name, "metadata.name", `not declared: a Service of namespace ${earlier} has the same name (a MeshPolicy service id is unique)`));
            continue;
        }
        const ports: MeshServicePort[] = [];
        const servicePorts = new Map<number, number[]>();
        for (const sp of svc.ports) {
            const { port, index: i } = sp;
            // Read as written (sp.raw): a field of the wrong type is reported, never defaulted.
            if (sp.raw["protocol"] !== undefined && sp.raw["protocol"] !== "TCP") {
                findings.push(serviceFinding(namespace, name, `spec.ports[${i}].protocol`, `port ${port} left out: ${String(sp.raw["protocol"])} is not TCP (Istio authorizes TCP traffic only)`));
                continue;
            }
            const target = targetPortOf(sp.raw["targetPort"], port, selected);
            if (target === undefined) {
                findings.push(serviceFinding(namespace, name, `spec.ports[${i}].targetPort`, `port ${port} left out: targetPort ${JSON.stringify(sp.raw["targetPort"])} names no container port of its workloads (or names different ones)`));
                continue;
            }
            const portName = sp.name;
            const declared: MeshServicePort = { port, protocol: meshProtocol(portName, sp.appProtocol) };
            if (portName !== undefined && DNS_LABEL.test(portName) && portName.length <= 63) declared.name = portName;
            if (target !== port) declared.targetPort = target;
            ports.push(declared);
            servicePorts.set(target, [...(servicePorts.get(target) ?? []), port]);
        }
        if (ports.length === 0) {
            findings.push(serviceFinding(namespace, name, "spec.ports", "not declared: no TCP port"));
            continue;
        }
        ids.set(name, namespace);
        services.push({
            service: { id: name, namespace, serviceAccount: accounts[0], selector, ports },
            workloads: selected.map(workloadKey).sort(),
            servicePorts,
        });
    }
    services.sort((a, b) => (a.service.id < b.service.id ? -1 : a.service.id > b.service.id ? 1 : 0));
    return { services, workloads, findings };
}

/** A numeric targetPort, the port itself when absent, or the container port a name resolves to in every selected workload. */
function targetPortOf(target: unknown, port: number, workloads: readonly ManifestWorkload[]): number | undefined {
    if (target === undefined) return port;
    if (typeof target === "number") return target;
    if (typeof target !== "string") return undefined;
    if (/^[0-9]+$/.test(target)) return Number(target);
    const resolved = new Set(workloads.map((w) => w.ports.find((p) => p.name === target)?.containerPort));
    if (resolved.size !== 1) return undefined;
    const [only] = [...resolved];
    return only;
}
