import { SimWorkload } from "../../components/simulate";

import { authorizationPolicy, peerAuthentication, requestAuthentication } from "../fixtures/objects";

/** Test fixtures: the shared object builders (test/fixtures/objects.ts) under the simulator suites' short names, and workloads. */
export const authz = authorizationPolicy;
export const peerAuthn = peerAuthentication;
export const requestAuthn = requestAuthentication;

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
