import { MANAGED_BY_LABELS, REVISION_LABEL } from "../constants";
import { K8sManifest } from "../manifest";

/**
 * istiod's ports (manifests/charts/istio-control/istio-discovery/templates/deployment.yaml, 1.30):
 * 15012 xDS and CA over mTLS (tls-xds), 15017 the injection/validation webhooks (https-webhooks),
 * 15014 monitoring (http-monitoring), 15010 plaintext xDS (grpc-xds) and 8080 debug/readiness
 * (http-debug). Only the first three are opened; the kubelet's readiness probe on 8080 comes from
 * the node, which NetworkPolicy implementations let through to the node's pods.
 */
export const ISTIOD_XDS_PORT = 15012;
export const ISTIOD_WEBHOOK_PORT = 15017;
export const ISTIOD_MONITORING_PORT = 15014;

/** The label every istiod pod carries (`app: istiod` in the chart's pod template). */
export const ISTIOD_APP_LABELS: Readonly<Record<string, string>> = Object.freeze({ app: "istiod" });


export interface ControlPlaneNetworkArgs {
    /** Root namespace, where istiod runs. */
    readonly namespace: string;
    readonly revision: string | undefined;
    /** Namespace whose pods may scrape istiod's 15014; none when undefined (the port stays closed). */
    readonly monitoringNamespace: string | undefined;
}

/**
 * The NetworkPolicy guarding one control plane's istiod pods. The selector is the chart's own
 * (`app: istiod` + `istio.io/rev: <revision or "default">`), so one revision's policy never
 * selects another revision's pods. Once a pod is selected for Ingress, only what a rule allows
 * reaches it, so 15010 and 8080 are closed by omission.
 *
 * 15012 is open to every pod of every namespace (namespaceSelector {}): each sidecar and gateway
 * fetches its config and certificate there, and a namespace joins the mesh by a label meshguard
 * cannot enumerate here. 15017 is open to any address: the caller is the kube-apiserver, which is
 * not a pod and whose source IP depends on the distribution (host network on kubeadm, a managed
 * control-plane network on EKS/GKE/AKS, konnectivity); NetworkPolicy has no portable way to name
 * it. The webhooks' own TLS and the API server's CA bundle are what authenticate that port.
 */
export function istiodNetworkPolicy(args: ControlPlaneNetworkArgs): K8sManifest {
    const podLabels = { ...ISTIOD_APP_LABELS, [REVISION_LABEL]: args.revision ?? "default" };
    const tcp = (port: number) => [{ protocol: "TCP", port }];
    const ingress: Record<string, unknown>[] = [
        { from: [{ namespaceSelector: {} }], ports: tcp(ISTIOD_XDS_PORT) },
        // Any address, IPv4 and IPv6: the API server's source address is not portable (see above).
        { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }], ports: tcp(ISTIOD_WEBHOOK_PORT) },
    ];
    if (args.monitoringNamespace !== undefined) {
        ingress.push({
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.monitoringNamespace } } }],
            ports: tcp(ISTIOD_MONITORING_PORT),
        });
    }
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: {
            name: args.revision === undefined ? "istiod-ingress" : `istiod-${args.revision}-ingress`,
            namespace: args.namespace,
            labels: { ...MANAGED_BY_LABELS },
        },
        spec: {
            podSelector: { matchLabels: podLabels },
            policyTypes: ["Ingress"],
            ingress,
        },
    };
}

/**
 * istiod environment the Istio security guidance asks for in production (pilot/pkg/features/pilot.go,
 * 1.30): ENABLE_DEBUG_ON_HTTP=false registers no /debug handler at all (pilot/pkg/xds/debug.go; "recommended
 * for production"); ENABLE_DEBUG_ENDPOINT_AUTH=true (the default, pinned) keeps the remaining XDS
 * debug endpoints authenticated; UNSAFE_ENABLE_ADMIN_ENDPOINTS=false (the default, pinned) keeps
 * the dangerous admin endpoints off.
 */
export const ISTIOD_HARDENED_ENV: Readonly<Record<string, string>> = Object.freeze({
    ENABLE_DEBUG_ON_HTTP: "false",
    ENABLE_DEBUG_ENDPOINT_AUTH: "true",
    UNSAFE_ENABLE_ADMIN_ENDPOINTS: "false",
});
