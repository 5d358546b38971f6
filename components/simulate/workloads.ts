import { INJECTION_LABEL, SIDECAR_INJECT_KEY } from "../constants";
import { SimPort, SimProtocol, SimWorkload } from "./types";

type Obj = Record<string, unknown>;

const POD_TEMPLATE_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);
const TCP_PREFIXES = ["tcp", "tls", "mongo", "mysql", "redis"];
const HTTP_PREFIXES = ["http", "http2", "grpc", "grpc-web"];

function obj(value: unknown): Obj {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : {};
}

function list(value: unknown): Obj[] {
    return Array.isArray(value) ? value.map(obj) : [];
}

function strings(value: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj(value))) if (typeof v === "string") out[k] = v;
    return out;
}

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
 * Workloads found in Kubernetes manifests: Deployments, StatefulSets, DaemonSets, ReplicaSets,
 * Jobs and Pods (namespace, service account, pod labels, container ports; protocols from the
 * Services selecting them). A pod labelled `sidecar.istio.io/inject: "false"`, or in a Namespace
 * labelled `istio-injection: disabled`, is outside the mesh.
 */
export function workloadsFromManifests(manifests: readonly unknown[]): SimWorkload[] {
    const objects = manifests.map(obj);
    const services = objects.filter((m) => m["kind"] === "Service" && m["apiVersion"] === "v1");
    const disabledNamespaces = new Set(
        objects
            .filter((m) => m["kind"] === "Namespace" && strings(obj(m["metadata"])["labels"])[INJECTION_LABEL] === "disabled")
            .map((m) => String(obj(m["metadata"])["name"])),
    );
    const workloads: SimWorkload[] = [];
    for (const m of objects) {
        const kind = m["kind"];
        if (typeof kind !== "string") continue;
        const meta = obj(m["metadata"]);
        const pod = kind === "Pod" && m["apiVersion"] === "v1" ? m : POD_TEMPLATE_KINDS.has(kind) ? obj(obj(m["spec"])["template"]) : undefined;
        if (pod === undefined || typeof meta["name"] !== "string") continue;
        const namespace = typeof meta["namespace"] === "string" && meta["namespace"] !== "" ? meta["namespace"] : "default";
        const podMeta = obj(pod["metadata"]);
        const podSpec = obj(pod["spec"]);
        const labels = strings(podMeta["labels"]);
        const inject = labels[SIDECAR_INJECT_KEY] ?? strings(podMeta["annotations"])[SIDECAR_INJECT_KEY];
        const containerPorts = list(podSpec["containers"]).flatMap((c) => list(c["ports"]));
        const ports: SimPort[] = containerPorts
            .filter((p) => typeof p["containerPort"] === "number")
            .map((p) => ({
                port: p["containerPort"] as number,
                protocol: servicePortProtocol(services, namespace, labels, p) ?? "http",
            }));
        const serviceAccount = podSpec["serviceAccountName"];
        workloads.push({
            namespace,
            name: meta["name"],
            serviceAccount: typeof serviceAccount === "string" && serviceAccount !== "" ? serviceAccount : "default",
            labels,
            ports,
            inMesh: inject?.toLowerCase() !== "false" && !disabledNamespaces.has(namespace),
        });
    }
    return workloads;
}

function servicePortProtocol(services: readonly Obj[], namespace: string, labels: Record<string, string>, port: Obj): SimProtocol | undefined {
    for (const svc of services) {
        const meta = obj(svc["metadata"]);
        if ((meta["namespace"] ?? "default") !== namespace) continue;
        const selector = strings(obj(svc["spec"])["selector"]);
        if (Object.keys(selector).length === 0 || !Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
        for (const sp of list(obj(svc["spec"])["ports"])) {
            const target = sp["targetPort"] ?? sp["port"];
            if (target !== port["containerPort"] && (typeof target !== "string" || target !== port["name"])) continue;
            const protocol = protocolOfServicePort(sp["name"] as string | undefined, sp["appProtocol"] as string | undefined);
            if (protocol !== undefined) return protocol;
        }
    }
    return undefined;
}
