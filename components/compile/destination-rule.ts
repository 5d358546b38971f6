import { MANAGED_BY_LABELS, NETWORKING_API_VERSION } from "../constants";
import { K8sManifest } from "../manifest";
import { MeshPolicyConfig, MeshService } from "../model/mesh-policy";
import { stableName } from "./naming";
import { namespaceDataplane } from "../model/ambient";

export function istioMutualDestinationRuleName(service: MeshService): string {
    return stableName([service.id, "istio-mutual"]);
}

/** `<service>.<namespace>.svc.<cluster DNS domain>`: the cluster domain, not the trust domain. */
export function serviceHost(config: MeshPolicyConfig, service: MeshService): string {
    return `${service.id}.${service.namespace}.svc.${config.clusterDomain}`;
}

/**
 * An ISTIO_MUTUAL DestinationRule per service (opt-in). Auto-mTLS already sends mTLS to sidecar
 * workloads; an explicit rule matters when another DestinationRule's trafficPolicy would replace
 * auto-mTLS. ISTIO_MUTUAL takes no other TLS field (Istio issues the certificates).
 * None for services of ambient namespaces: traffic from ztunnel and waypoints is always mTLS
 * (HBONE) and they do not apply a DestinationRule's TLS mode, which would then only configure
 * sidecar callers, towards pods that do not terminate Istio TLS on their own ports.
 */
export function compileIstioMutualDestinationRules(config: MeshPolicyConfig): K8sManifest[] {
    return config.services.filter((s) => namespaceDataplane(config, s.namespace).dataplane !== "ambient").map((service) => ({
        apiVersion: NETWORKING_API_VERSION,
        kind: "DestinationRule",
        metadata: { name: istioMutualDestinationRuleName(service), namespace: service.namespace, labels: { ...MANAGED_BY_LABELS } },
        spec: { host: serviceHost(config, service), trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } },
    }));
}
