import { StackValidationPolicy } from "@pulumi/policy";
import { INJECTION_LABEL, REVISION_LABEL } from "../../components/constants";
import { configSchema } from "../lib/config";
import { matchesAny } from "../lib/exemptions";
import { enrolmentOf } from "../lib/injection";
import { listForMessage } from "../lib/messages";
import { namespaceExemption, readMeshStack, reportOnNamespace, reportOnObject } from "../lib/stack";
import { templateField } from "../lib/workload";

const SHOWN_WORKLOADS = 3;

export const namespaceSidecarInjection: StackValidationPolicy = {
    name: "namespace-sidecar-injection",
    description:
        "Namespaces that run workloads must enrol them in the mesh (istio-injection=enabled, istio.io/rev=<revision> or istio.io/dataplane-mode=ambient, or pods labelled sidecar.istio.io/inject=true) with labels Istio understands; kube-system, kube-public, kube-node-lease and istio-system are exempt by default.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({ injection: true }),
    validateStack: (args, reportViolation) => {
        const stack = readMeshStack(args, reportViolation, { workloads: true });
        for (const ns of stack.namespaces.values()) {
            if (matchesAny(stack.config.injectionExemptNamespaces, ns.name) !== undefined || namespaceExemption(stack, ns) !== undefined) continue;
            // Two data planes at once is namespace-one-dataplane's verdict (one mistake, one verdict).
            for (const note of ns.enrolment.notes) if (note.code !== "two-dataplanes") reportOnNamespace(reportViolation, ns, note.path, note.problem, note.fix);
            // Membership is decided per workload (components/istio/enrolment): a pod may opt in
            // itself. workload-no-injection-opt-out reports what the pod alone decides (it does not
            // see the namespace); the rest is reported here: workloads the namespace's labels keep
            // out, and pods that opt out of the namespace's ambient enrolment.
            const judged = (stack.workloadsByNamespace.get(ns.name) ?? []).map((w) => ({ w, enrolment: enrolmentOf(ns.name, ns.labels, w.template) }));
            for (const { w, enrolment } of judged) {
                if (enrolment.inMesh || enrolment.cause === "namespace" || !enrolmentOf(ns.name, undefined, w.template).inMesh) continue;
                reportOnObject(
                    reportViolation,
                    w,
                    templateField(w.template, enrolment.path ?? "metadata.labels"),
                    `${enrolment.reason}, so the pods run outside the mesh without mTLS or authorization`,
                    "remove the label, or exempt the workload by name in the policy config if it must stay outside the mesh",
                );
            }
            const outside = judged.filter(({ enrolment }) => !enrolment.inMesh && enrolment.cause === "namespace");
            if (outside.length === 0) continue;
            const names = outside.slice(0, SHOWN_WORKLOADS).map(({ w }) => w.object.subject);
            if (outside.length > SHOWN_WORKLOADS) names.push(`${outside.length - SHOWN_WORKLOADS} more`);
            reportOnNamespace(
                reportViolation,
                ns,
                outside[0].enrolment.path ?? `metadata.labels["${INJECTION_LABEL}"]`,
                `${namespaceReason(ns.enrolment.mode, ns.enrolment.label)}, so ${listForMessage(names)} ${outside.length === 1 ? "runs" : "run"} outside the mesh without mTLS or authorization`,
                `label the namespace ${INJECTION_LABEL}=enabled (or ${REVISION_LABEL}=<revision>), then restart its workloads`,
            );
        }
    },
};

function namespaceReason(mode: string, label: string | undefined): string {
    if (mode === "disabled") return "sidecar injection is disabled";
    if (label !== undefined) return `${label} selects no injection webhook`;
    return "no sidecar injection or ambient label is set and the pods do not opt in (label sidecar.istio.io/inject=true)";
}
