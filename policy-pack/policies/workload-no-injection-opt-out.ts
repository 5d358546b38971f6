import { ResourceValidationPolicy } from "@pulumi/policy";
import { SIDECAR_INJECT_KEY } from "../../components/constants";
import { configSchema } from "../lib/config";
import { isIstioGatewayPod } from "../lib/gateway";
import { injectionOptOut } from "../lib/injection";
import { validateWorkloads } from "../lib/resource-policy";
import { templateField } from "../lib/workload";

export const workloadNoInjectionOptOut: ResourceValidationPolicy = {
    name: "workload-no-injection-opt-out",
    description:
        "Workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) must not opt out of sidecar injection with sidecar.istio.io/inject: \"false\"; Istio gateways, which are proxies themselves, are exempt.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({ injection: true }),
    validateResource: validateWorkloads(
        ({ args, template }, report) => {
            const where = injectionOptOut(template.labels, template.annotations);
            if (where === undefined) return;
            if (isIstioGatewayPod(template)) return args.notApplicable("an Istio gateway pod (every container is the gateway proxy) runs without a sidecar by design");
            report(
                templateField(template, `metadata.${where}`),
                "the pods opt out of sidecar injection, so they run outside the mesh: no mTLS identity, no AuthorizationPolicy enforcement on their inbound traffic, and plaintext to their peers",
                `remove ${SIDECAR_INJECT_KEY} (or set it to "true"); if the workload must stay outside the mesh, exempt it by name in the policy config`,
            );
        },
    ),
};
