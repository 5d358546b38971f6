import { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { readPolicyTargets, TargetRef, WAYPOINT_GATEWAY_CLASS_NAME } from "../../components/istio";
import { configSchema } from "../lib/config";
import { mayBeUnknown, readTargetObjects, TargetObjectKind, TargetObjects } from "../lib/policy-targets";
import { MeshStack, objectExemption, readMeshStack, reportOnObject, reportUnverifiable, specOf, StackObject } from "../lib/stack";

/** gatewayClassName of Istio's own gateway deployments (ingress): they enforce policies attached to their Gateway. */
const ISTIO_GATEWAY_CLASS = "istio";
const ENFORCING_CLASSES = [WAYPOINT_GATEWAY_CLASS_NAME, ISTIO_GATEWAY_CLASS];

export const authorizationPolicyTargetExists: StackValidationPolicy = {
    name: "authorization-policy-target-exists",
    description:
        "An AuthorizationPolicy with targetRefs must attach to something that enforces it: a Service of the stack that a waypoint serves, a ServiceEntry of the stack, a waypoint (or Istio gateway) Gateway of the stack, or GatewayClass istio-waypoint from the root namespace. ztunnel and sidecars ignore targetRefs policies, so a dangling reference leaves its rules enforced nowhere.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const stack = readMeshStack(args, reportViolation, { istioKinds: ["AuthorizationPolicy"] });
        const policies = (stack.istio.get("AuthorizationPolicy") ?? []).filter((p) => objectExemption(stack, p.object) === undefined);
        const targeted = policies.map((p) => ({ entry: p, targets: readPolicyTargets(specOf(p)) })).filter((p) => p.targets.targeted);
        if (targeted.length === 0) return;
        const objects = readTargetObjects(args.resources, stack);
        for (const { entry, targets } of targeted) {
            // Malformed references are the validating webhook's (istio-resource-schema reports the object).
            for (const ref of targets.refs) if (ref.invalid === undefined) checkRef(stack, objects, entry, ref, reportViolation);
        }
    },
};

function checkRef(stack: MeshStack, objects: TargetObjects, entry: StackObject, ref: TargetRef, reportViolation: ReportViolation): void {
    const namespace = entry.object.namespace ?? "default";
    const key = `${namespace}/${ref.name}`;
    const report = (problem: string, fix: string) => reportOnObject(reportViolation, entry, ref.path, problem, fix);
    const missing = (kind: TargetObjectKind, fix: string): void => {
        if (mayBeUnknown(objects, kind, namespace)) {
            reportUnverifiable(reportViolation, entry, ref.path, `${kind} ${key} cannot be verified during preview: a ${kind} of the stack has values unknown until apply`);
        } else {
            report(`names ${kind} ${key}, which this stack does not create: the policy attaches to nothing, so its rules are enforced nowhere`, fix);
        }
    };
    switch (ref.target) {
        case "Service": {
            const service = objects.objects.get("Service")?.get(key);
            if (service === undefined) return missing("Service", `correct the name, or create Service ${key} in the stack`);
            const resolution = objects.waypoints.forService({ namespace, name: ref.name, labels: service.labels });
            if (resolution.waypoint !== undefined) return;
            if (mayBeUnknown(objects, "Gateway", namespace)) {
                return reportUnverifiable(reportViolation, entry, ref.path, `the waypoint of Service ${key} cannot be verified during preview: a Gateway of the stack is unknown until apply`);
            }
            return report(
                `names Service ${key}, but no waypoint serves it (${resolution.reason}): ztunnel and sidecars ignore policies with targetRefs, so its rules are enforced nowhere`,
                `give namespace ${namespace} a waypoint (MeshNamespace dataplane: "ambient", waypoint: true), or label the Service istio.io/use-waypoint=<waypoint>`,
            );
        }
        case "ServiceEntry":
            if (objects.objects.get("ServiceEntry")?.has(key)) return;
            return missing("ServiceEntry", `correct the name, or create ServiceEntry ${key} in the stack`);
        case "Gateway": {
            const gatewayClass = objects.waypoints.gateways.get(key);
            if (gatewayClass === undefined) return missing("Gateway", `correct the name, or create the waypoint (MeshNamespace waypoint) in namespace ${namespace}`);
            if (ENFORCING_CLASSES.includes(gatewayClass)) return;
            return report(
                `names Gateway ${key} of class ${JSON.stringify(gatewayClass)}, which is neither a waypoint (${WAYPOINT_GATEWAY_CLASS_NAME}) nor an Istio gateway (${ISTIO_GATEWAY_CLASS}): no Istio proxy enforces the policy`,
                `target the namespace's waypoint Gateway (MeshNamespace waypoint) or the Service it serves`,
            );
        }
        case "GatewayClass":
            if (namespace !== stack.config.rootNamespace) {
                return report(
                    `names GatewayClass ${ref.name}, which only policies in the root namespace ${stack.config.rootNamespace} attach to (pilot/pkg/model/policyattachment.go): this one attaches to nothing`,
                    `move the policy to ${stack.config.rootNamespace}, or target the namespace's waypoint Gateway`,
                );
            }
            if (ref.name === WAYPOINT_GATEWAY_CLASS_NAME) return;
            return report(
                `names GatewayClass ${ref.name}; only ${WAYPOINT_GATEWAY_CLASS_NAME} attaches a root-namespace policy (to every waypoint): this one attaches to nothing`,
                `name GatewayClass ${WAYPOINT_GATEWAY_CLASS_NAME}`,
            );
        default:
            return;
    }
}
