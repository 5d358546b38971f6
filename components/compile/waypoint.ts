import { GATEWAY_API_GROUP, MANAGED_BY_LABELS, WAYPOINT_FOR_LABEL, WAYPOINT_GATEWAY_CLASS } from "../constants";
import { K8sManifest } from "../manifest";

/**
 * A namespace's waypoint, as `istioctl waypoint generate` writes it (istioctl/pkg/waypoint/waypoint.go,
 * Istio 1.30.3): class istio-waypoint, one HBONE listener "mesh" on 15008, for service-addressed
 * traffic. istiod deploys it with a ServiceAccount named after the Gateway (docs/ambient.md), so
 * its identity is `<trustDomain>/ns/<namespace>/sa/<name>`.
 */
export function waypointGateway(namespace: string, name: string): K8sManifest {
    return {
        apiVersion: `${GATEWAY_API_GROUP}/v1`,
        kind: "Gateway",
        metadata: { name, namespace, labels: { ...MANAGED_BY_LABELS, [WAYPOINT_FOR_LABEL]: "service" } },
        spec: {
            gatewayClassName: WAYPOINT_GATEWAY_CLASS,
            listeners: [{ name: "mesh", port: 15008, protocol: "HBONE" }],
        },
    };
}
