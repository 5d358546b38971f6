import { K8sManifest } from "../../components/manifest";
import { k8s, resource, TestResource } from "./harness";

type Spec = Record<string, unknown>;

export function authorizationPolicy(namespace: string, name: string, spec: Spec, extra: { apiVersion?: string; annotations?: Record<string, string> } = {}): TestResource {
    return k8s({
        apiVersion: extra.apiVersion ?? "security.istio.io/v1",
        kind: "AuthorizationPolicy",
        metadata: { name, namespace, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
        spec,
    });
}

export function peerAuthentication(namespace: string, name: string, spec: Spec, apiVersion = "security.istio.io/v1"): TestResource {
    return k8s({ apiVersion, kind: "PeerAuthentication", metadata: { name, namespace }, spec });
}

export function requestAuthentication(namespace: string, name: string, spec: Spec): TestResource {
    return k8s({ apiVersion: "security.istio.io/v1", kind: "RequestAuthentication", metadata: { name, namespace }, spec });
}

export function destinationRule(namespace: string, name: string, spec: Spec, apiVersion = "networking.istio.io/v1"): TestResource {
    return k8s({ apiVersion, kind: "DestinationRule", metadata: { name, namespace }, spec });
}

export function networkPolicy(namespace: string, name: string, spec: Spec): TestResource {
    return k8s({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec });
}

/** The default-deny ingress NetworkPolicy of a namespace (podSelector {}, Ingress, no rules). */
export function defaultDenyIngress(namespace: string): TestResource {
    return networkPolicy(namespace, "default-deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] });
}

export function namespace(name: string, labels: Record<string, string> = {}): TestResource {
    return k8s({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
}

export const MESH_LABELS = { "istio-injection": "enabled" };

export interface PodShape {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    spec?: Record<string, unknown>;
}

const APP_CONTAINER = { name: "app", image: "registry.example.com/shop/app:1.0.0" };

function podTemplate(shape: PodShape): Record<string, unknown> {
    return {
        metadata: { labels: shape.labels ?? { app: "app" }, ...(shape.annotations ? { annotations: shape.annotations } : {}) },
        spec: shape.spec ?? { containers: [APP_CONTAINER] },
    };
}

/** A workload of any kind, its pod template where that kind keeps it. */
export function workload(kind: "Pod" | "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "CronJob", namespace: string, name: string, shape: PodShape = {}): TestResource {
    const template = podTemplate(shape);
    const metadata = { name, namespace };
    switch (kind) {
        case "Pod":
            return k8s({ apiVersion: "v1", kind, metadata: { ...metadata, ...(template["metadata"] as object) }, spec: template["spec"] as Spec });
        case "Job":
            return k8s({ apiVersion: "batch/v1", kind, metadata, spec: { template } });
        case "CronJob":
            return k8s({ apiVersion: "batch/v1", kind, metadata, spec: { schedule: "* * * * *", jobTemplate: { spec: { template } } } });
        default:
            return k8s({ apiVersion: "apps/v1", kind, metadata, spec: { selector: { matchLabels: { app: "app" } }, template } });
    }
}

export function deployment(namespace: string, name: string, shape: PodShape = {}): TestResource {
    return workload("Deployment", namespace, name, shape);
}

/** The official `gateway` chart's pod: injected with the gateway template, container `image: auto`. */
export function chartGateway(namespace: string, shape: Partial<PodShape> = {}): TestResource {
    return deployment(namespace, "istio-ingressgateway", {
        labels: { app: "istio-ingressgateway", istio: "ingressgateway", "sidecar.istio.io/inject": "true", ...shape.labels },
        annotations: { "inject.istio.io/templates": "gateway", ...shape.annotations },
        spec: { containers: [{ name: "istio-proxy", image: "auto", securityContext: { runAsUser: 1337, runAsGroup: 1337, runAsNonRoot: true } }] },
    });
}

/** A classic istioctl gateway: the proxyv2 image running `proxy router`, injection off. */
export function classicGateway(namespace: string, extraContainers: Record<string, unknown>[] = []): TestResource {
    return deployment(namespace, "istio-ingressgateway", {
        labels: { app: "istio-ingressgateway", istio: "ingressgateway" },
        annotations: { "sidecar.istio.io/inject": "false" },
        spec: {
            securityContext: { runAsUser: 1337 },
            containers: [{ name: "istio-proxy", image: "docker.io/istio/proxyv2:1.30.3", args: ["proxy", "router", "--domain", "$(POD_NAMESPACE).svc.cluster.local"] }, ...extraContainers],
        },
    });
}

export function helmChart(chart: string, inputs: Record<string, unknown>, type = "kubernetes:helm.sh/v4:Chart"): TestResource {
    return resource(type, `istio-${chart.split("/").pop()}`, { chart, namespace: "istio-system", ...inputs });
}

export const ISTIO_REPO = { repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" } };

/** A secure baseline: mesh-wide STRICT and allow-nothing, one enrolled namespace (default-deny NetworkPolicy) with one workload and its ALLOW policy. */
export function secureStack(): TestResource[] {
    return [
        namespace("istio-system"),
        peerAuthentication("istio-system", "default", { mtls: { mode: "STRICT" } }),
        authorizationPolicy("istio-system", "allow-nothing", {}),
        namespace("shop", MESH_LABELS),
        defaultDenyIngress("shop"),
        deployment("shop", "web", { labels: { app: "web" }, spec: { serviceAccountName: "web", containers: [APP_CONTAINER] } }),
        deployment("shop", "api", { labels: { app: "api" } }),
        authorizationPolicy("shop", "api", {
            selector: { matchLabels: { app: "api" } },
            rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/web"] } }], to: [{ operation: { methods: ["GET"], paths: ["/api/*"] } }] }],
        }),
    ];
}

export type Manifest = K8sManifest;
