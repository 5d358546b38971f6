import { SimWorkload } from "../../components/simulate";

/** Test fixtures: small builders for Istio objects and workloads. */
export function authz(namespace: string, name: string, spec: Record<string, unknown>, extra: { apiVersion?: string; annotations?: Record<string, string> } = {}) {
    return {
        apiVersion: extra.apiVersion ?? "security.istio.io/v1",
        kind: "AuthorizationPolicy",
        metadata: { name, namespace, ...(extra.annotations === undefined ? {} : { annotations: extra.annotations }) },
        spec,
    };
}

export function peerAuthn(namespace: string, name: string, spec: Record<string, unknown>) {
    return { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name, namespace }, spec };
}

export function requestAuthn(namespace: string, name: string, spec: Record<string, unknown>) {
    return { apiVersion: "security.istio.io/v1", kind: "RequestAuthentication", metadata: { name, namespace }, spec };
}

export const strictMesh = peerAuthn("istio-system", "default", { mtls: { mode: "STRICT" } });

export function workload(namespace: string, name: string, extra: Partial<SimWorkload> = {}): SimWorkload {
    return { namespace, name, serviceAccount: name, labels: { app: name }, ports: [{ port: 8080, protocol: "http" }], ...extra };
}

/** shop/web → shop/cart (http 8080, tcp 9000), shop/db (tcp 5432), ops/monitor. */
export const shop: SimWorkload[] = [
    workload("shop", "web"),
    workload("shop", "cart", { ports: [{ port: 8080, protocol: "http" }, { port: 9000, protocol: "tcp" }] }),
    workload("shop", "db", { ports: [{ port: 5432, protocol: "tcp" }] }),
    workload("ops", "monitor"),
];

export const webPrincipal = "cluster.local/ns/shop/sa/web";
