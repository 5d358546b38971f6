import { StackValidationPolicy } from "@pulumi/policy";
import { configSchema } from "../lib/config";
import { matchesAny } from "../lib/exemptions";
import { namespaceExemption, readMeshStack, reportOnNamespace } from "../lib/stack";

export const namespaceOneDataplane: StackValidationPolicy = {
    name: "namespace-one-dataplane",
    description:
        "A namespace must choose one data plane: labelled for sidecar injection (istio-injection=enabled or istio.io/rev) or for ambient (istio.io/dataplane-mode=ambient), never both; injected pods are skipped by ambient, so each pod's data plane would depend on how it was created.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({ injection: true }),
    validateStack: (args, reportViolation) => {
        const stack = readMeshStack(args, reportViolation, {});
        for (const ns of stack.namespaces.values()) {
            if (matchesAny(stack.config.injectionExemptNamespaces, ns.name) !== undefined || namespaceExemption(stack, ns) !== undefined) continue;
            // The contradiction is found once, by the shared enrolment reader (components/istio/enrolment.ts).
            for (const note of ns.enrolment.notes) {
                if (note.code !== "two-dataplanes") continue;
                reportOnNamespace(
                    reportViolation,
                    ns,
                    note.path,
                    `is labelled ${ns.enrolment.label} and istio.io/dataplane-mode=ambient: injected pods get a sidecar and are skipped by ambient, the others are captured by ztunnel, so selector policies written for sidecars and waypoint policies for ambient each miss part of the namespace`,
                    'choose one data plane: MeshNamespace dataplane: "ambient" (only istio.io/dataplane-mode=ambient) or "sidecar" (only the injection label)',
                );
            }
        }
    },
};
