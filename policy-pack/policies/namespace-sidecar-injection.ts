import { StackValidationPolicy } from "@pulumi/policy";
import { INJECTION_LABEL, REVISION_LABEL } from "../../components/constants";
import { configSchema } from "../lib/config";
import { matchesAny } from "../lib/exemptions";
import { podOptsIn } from "../lib/injection";
import { listForMessage } from "../lib/messages";
import { namespaceExemption, readMeshStack, reportOnNamespace } from "../lib/stack";

const SHOWN_WORKLOADS = 3;

export const namespaceSidecarInjection: StackValidationPolicy = {
    name: "namespace-sidecar-injection",
    description:
        "Namespaces that run workloads must enrol them in the mesh (istio-injection=enabled, istio.io/rev=<revision> or istio.io/dataplane-mode=ambient) with consistent labels; kube-system, kube-public, kube-node-lease and istio-system are exempt by default.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({ injection: true }),
    validateStack: (args, reportViolation) => {
        const stack = readMeshStack(args, reportViolation, { workloads: true });
        for (const ns of stack.namespaces.values()) {
            if (matchesAny(stack.config.injectionExemptNamespaces, ns.name) !== undefined || namespaceExemption(stack, ns) !== undefined) continue;
            const conflict = ns.enrolment.conflict;
            if (conflict !== undefined) reportOnNamespace(reportViolation, ns, conflict.path, conflict.problem, conflict.fix);
            if (ns.enrolment.mode === "sidecar" || ns.enrolment.mode === "ambient") continue;
            // A pod that asks for injection itself is injected unless the namespace disables it.
            const outside = (stack.workloadsByNamespace.get(ns.name) ?? []).filter(
                (w) => ns.enrolment.mode === "disabled" || !podOptsIn(w.template.labels),
            );
            if (outside.length === 0) continue;
            const names = outside.slice(0, SHOWN_WORKLOADS).map((w) => w.object.subject);
            if (outside.length > SHOWN_WORKLOADS) names.push(`${outside.length - SHOWN_WORKLOADS} more`);
            reportOnNamespace(
                reportViolation,
                ns,
                `metadata.labels["${INJECTION_LABEL}"]`,
                `${ns.enrolment.mode === "disabled" ? "sidecar injection is disabled" : "no sidecar injection or ambient label is set"}, so ${listForMessage(names)} ${outside.length === 1 ? "runs" : "run"} outside the mesh without mTLS or authorization`,
                `label the namespace ${INJECTION_LABEL}=enabled (or ${REVISION_LABEL}=<revision>), then restart its workloads`,
            );
        }
    },
};
