import { ResourceValidationPolicy } from "@pulumi/policy";
import { SIDECAR_INJECT_KEY } from "../../components/constants";
import { configSchema } from "../lib/config";
import { isIstioGatewayPod } from "../lib/gateway";
import { enrolmentOf } from "../lib/injection";
import { validateWorkloads } from "../lib/resource-policy";
import { templateField } from "../lib/workload";

export const workloadNoInjectionOptOut: ResourceValidationPolicy = {
    name: "workload-no-injection-opt-out",
    description:
        "Workloads (Pod, ReplicationController, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) must not opt out of sidecar injection (label or annotation sidecar.istio.io/inject: \"false\", spec.hostNetwork: true) nor set injection labels to values Istio does not know; Istio gateways, which are proxies themselves, are exempt.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({ injection: true }),
    validateResource: validateWorkloads(
        ({ args, object, template }, report) => {
            // The pod alone decides here (a resource policy does not see the namespace):
            // components/istio/enrolment with the namespace taken as labelled for injection.
            const enrolment = enrolmentOf(object.namespace ?? "default", undefined, template);
            const optedOut = !enrolment.inMesh && (enrolment.cause === "pod" || enrolment.cause === "host-network");
            if (optedOut && isIstioGatewayPod(template)) return args.notApplicable("an Istio gateway pod (every container is the gateway proxy) runs without a sidecar by design");
            if (optedOut) {
                report(
                    templateField(template, enrolment.path ?? `metadata.labels["${SIDECAR_INJECT_KEY}"]`),
                    `${enrolment.reason}, so they run outside the mesh: no mTLS identity, no AuthorizationPolicy enforcement on their inbound traffic, and plaintext to their peers`,
                    enrolment.cause === "host-network"
                        ? "run the pods on the pod network (remove spec.hostNetwork); if the workload must stay outside the mesh, exempt it by name in the policy config"
                        : `remove ${SIDECAR_INJECT_KEY} (or set it to "true"); if the workload must stay outside the mesh, exempt it by name in the policy config`,
                );
            }
            // Unknown values are rejected; a contradiction the label already settles is advisory.
            for (const note of enrolment.notes) report(templateField(template, note.path), note.problem, note.fix, note.advisory ? "advisory" : undefined);
        },
    ),
};
