import { ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { InjectionConfig, readConfig } from "./config";
import { exemptionReason } from "./exemptions";
import { violationMessage } from "./messages";
import { workloadTypeOf } from "./kinds";
import { KubeObject, readKubeObject, ReadOptions } from "./object";
import { PodTemplate, readPodTemplate } from "./workload";

export interface ObjectCheck {
    readonly object: KubeObject;
    readonly config: InjectionConfig;
    readonly args: ResourceValidationArgs;
}

/** Reports one violation on the object being validated: field path, why, fix (advisory: whatever the policy's level). */
export type ReportObjectViolation = (path: string, problem: string, fix: string, level?: "advisory") => void;

export interface ObjectValidationOptions extends ReadOptions {
    /** What the policy applies to, for the not-applicable reason ("Istio PeerAuthentication"). */
    readonly appliesTo: string;
    /** The object's kind for this resource type, or undefined when the policy does not apply. */
    readonly kindOf: (type: string) => string | undefined;
    /** Namespaces exempt for this policy beyond `exemptNamespaces` (injection exemptions). */
    readonly extraExemptNamespaces?: (config: InjectionConfig) => readonly string[];
}

/**
 * A resource validation for Kubernetes objects of some kinds: other types are reported not
 * applicable, exempt objects too (with the configured pattern that exempts them), and the check
 * gets the object read through the SDK's unknown-checking proxy.
 */
export function validateObjects(options: ObjectValidationOptions, check: (target: ObjectCheck, report: ReportObjectViolation) => void): ResourceValidation {
    return (args, reportViolation) => {
        const kind = options.kindOf(args.type);
        if (kind === undefined) return args.notApplicable(`applies to ${options.appliesTo} only`);
        const config = readConfig(args.getConfig<Record<string, unknown>>());
        const object = readKubeObject({ props: args.props, name: args.name, providerProps: args.provider?.props }, kind, options);
        const exemptConfig = options.extraExemptNamespaces
            ? { ...config, exemptNamespaces: [...config.exemptNamespaces, ...options.extraExemptNamespaces(config)] }
            : config;
        const exempt = exemptionReason(exemptConfig, object.namespace, object.name);
        if (exempt !== undefined) return args.notApplicable(exempt);
        check({ object, config, args }, (path, problem, fix, level) => {
            const message = violationMessage(object.subject, path, problem, fix);
            if (level === undefined) return reportViolation(message);
            // The SDK's reportViolation also takes a violation object (server.js makeReportViolationFun).
            (reportViolation as unknown as (v: { message: string; urn: string; enforcementLevel: "advisory" }) => void)({ message, urn: args.urn, enforcementLevel: level });
        });
    };
}

/**
 * A resource validation for workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
 * CronJob): the check gets the pod template; injection-exempt namespaces are exempt.
 */
export function validateWorkloads(check: (target: ObjectCheck & { readonly template: PodTemplate }, report: ReportObjectViolation) => void): ResourceValidation {
    return validateObjects(
        {
            appliesTo: "workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob)",
            kindOf: (t) => workloadTypeOf(t)?.kind,
            extraExemptNamespaces: (config) => config.injectionExemptNamespaces,
        },
        (target, report) => {
            const workload = workloadTypeOf(target.args.type);
            if (workload !== undefined) check({ ...target, template: readPodTemplate(target.args.props, workload) }, report);
        },
    );
}
