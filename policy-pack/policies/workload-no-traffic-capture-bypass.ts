import { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema } from "../lib/config";
import { isIstioGatewayPod } from "../lib/gateway";
import { asRecord } from "../lib/object";
import { validateWorkloads } from "../lib/resource-policy";
import { podContainers, templateField } from "../lib/workload";

/** The sidecar proxy's UID: iptables does not redirect its traffic (Istio traffic capture). */
export const PROXY_UID = 1337;
const BYPASS_PREFIX = "traffic.sidecar.istio.io/exclude";

export const workloadNoTrafficCaptureBypass: ResourceValidationPolicy = {
    name: "workload-no-traffic-capture-bypass",
    description:
        "Workloads must not bypass the sidecar's traffic capture: traffic.sidecar.istio.io/exclude* annotations and containers running as UID 1337 (the proxy's UID) send or receive traffic that no mesh policy sees.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({ injection: true }),
    validateResource: validateWorkloads(
        ({ template }, report) => {
            for (const [key, value] of Object.entries(template.annotations)) {
                if (!key.startsWith(BYPASS_PREFIX) || value.trim() === "") continue;
                report(
                    templateField(template, `metadata.annotations["${key}"]`),
                    `"${value}" is excluded from the sidecar's traffic capture, so that traffic skips mTLS and every AuthorizationPolicy`,
                    `remove the ${key} annotation; if a port must bypass the proxy, exempt the workload by name in the policy config and document why`,
                );
            }
            if (isIstioGatewayPod(template)) return;
            const podUid = asRecord(template.spec["securityContext"])["runAsUser"];
            for (const { list, index, container } of podContainers(template.spec)) {
                const own = asRecord(container["securityContext"])["runAsUser"];
                const uid = own ?? podUid;
                if (uid !== PROXY_UID) continue;
                const path = own !== undefined ? `spec.${list}[${index}].securityContext.runAsUser` : "spec.securityContext.runAsUser";
                report(
                    templateField(template, path),
                    `container ${JSON.stringify(container["name"] ?? index)} runs as UID ${PROXY_UID}, the sidecar proxy's UID, whose traffic iptables never redirects: it bypasses mTLS and every AuthorizationPolicy`,
                    `run the container as another UID (any value but ${PROXY_UID})`,
                );
            }
        },
    ),
};
