import { MANAGED_BY_LABELS } from "../constants";
import { GATEWAY_API_GROUP, WAYPOINT_GATEWAY_CLASS_NAME } from "../istio/target-refs";
import { WAYPOINT_FOR_LABEL, WAYPOINT_HBONE_PORT } from "../istio/waypoints";
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
            gatewayClassName: WAYPOINT_GATEWAY_CLASS_NAME,
            listeners: [{ name: "mesh", port: WAYPOINT_HBONE_PORT, protocol: "HBONE" }],
        },
    };
}
