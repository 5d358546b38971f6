import { K8sManifest } from "../../components/manifest";
import { k8s, resource, TestResource } from "./harness";

import * as objects from "../fixtures/objects";
import { APP_CONTAINER, MESH_LABELS, PodShape, WorkloadKind } from "../fixtures/objects";

type Spec = Record<string, unknown>;

// The objects come from the shared builders (test/fixtures/objects.ts); the pack sees them as resources.
export function authorizationPolicy(namespace: string, name: string, spec: Spec, extra: { apiVersion?: string; annotations?: Record<string, string> } = {}): TestResource {
    return k8s(objects.authorizationPolicy(namespace, name, spec, extra));
}

export function peerAuthentication(namespace: string, name: string, spec: Spec, apiVersion = "security.istio.io/v1"): TestResource {
    return k8s(objects.peerAuthentication(namespace, name, spec, apiVersion));
}

export function requestAuthentication(namespace: string, name: string, spec: Spec): TestResource {
    return k8s(objects.requestAuthentication(namespace, name, spec));
}

export function destinationRule(namespace: string, name: string, spec: Spec, apiVersion = "networking.istio.io/v1"): TestResource {
    return k8s(objects.destinationRule(namespace, name, spec, apiVersion));
}

export function serviceEntry(namespace: string, name: string, spec: Spec, apiVersion = "networking.istio.io/v1"): TestResource {
    return k8s(objects.serviceEntry(namespace, name, spec, apiVersion));
}

export function networkPolicy(namespace: string, name: string, spec: Spec): TestResource {
    return k8s({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec });
}

/** The default-deny ingress NetworkPolicy of a namespace (podSelector {}, Ingress, no rules). */
export function defaultDenyIngress(namespace: string): TestResource {
    return networkPolicy(namespace, "default-deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] });
}

export function namespace(name: string, labels: Record<string, string> = {}): TestResource {
    return k8s(objects.namespace(name, labels));
}

export { MESH_LABELS };
export type { PodShape };

/** A workload of any kind, its pod template where that kind keeps it. */
export function workload(kind: WorkloadKind, namespace: string, name: string, shape: PodShape = {}): TestResource {
    return k8s(objects.workload(kind, namespace, name, shape));
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
