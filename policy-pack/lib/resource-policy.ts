import { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { InjectionConfig, readConfig } from "./config";
import { exemptionReason } from "./exemptions";
import { violationMessage } from "./messages";
import { notApplicable } from "./not-applicable";
import { workloadTypeOf } from "./kinds";
import { ReadOptions } from "./object";
import { PreviewObject, readPreviewObject } from "./preview-object";
import { UnknownValue } from "./preview-values";
import { PodTemplate, readPodTemplate } from "./workload";

export interface ObjectCheck {
    readonly object: PreviewObject;
    readonly config: InjectionConfig;
    readonly args: ResourceValidationArgs;
}

/** Reports one violation on the object being validated: field path, why, fix (advisory: whatever the policy's level). */
export type ReportObjectViolation = (path: string, problem: string, fix: string, level?: "advisory") => void;

/** What a check reports with: violations, and verdicts that depend on a value unknown at preview. */
export interface ObjectReporter extends ReportObjectViolation {
    /**
     * Reports that a verdict depends on a value unknown at preview (advisory, "cannot be verified
     * during preview"): `refused` says what would be refused if the value turns out to be it.
     */
    unverifiable(path: string, unknown: UnknownValue, refused: string): void;
}

export interface ObjectValidationOptions extends ReadOptions {
    /** What the policy applies to, for the not-applicable reason ("Istio PeerAuthentication"). */
    readonly appliesTo: string;
    /** The object's kind for this resource type, or undefined when the policy does not apply. */
    readonly kindOf: (type: string) => string | undefined;
    /**
     * Namespaces exempt for this policy beyond `exemptNamespaces` (injection exemptions): a function
     * of the configuration alone, since its result is kept per configuration reading.
     */
    readonly extraExemptNamespaces?: (config: InjectionConfig) => readonly string[];
}

interface AdvisoryViolation {
    readonly message: string;
    readonly enforcementLevel: "advisory";
}

/**
 * A resource validation for Kubernetes objects of some kinds: other types are reported not
 * applicable, exempt objects too (with the configured pattern that exempts them), and the check
 * gets the object with its unknown values kept as markers (see preview-object.ts).
 *
 * An unknown namespace or name only matters when a configured exemption could match it: then
 * every violation the check finds is reported as "cannot be verified during preview" (the object
 * may be exempt); otherwise violations stay at the policy's level.
 */
export function validateObjects(options: ObjectValidationOptions, check: (target: ObjectCheck, report: ObjectReporter) => void): ResourceValidation {
    // Built once: the reason of every resource of another kind (a new string per call would be hashed again by notApplicable's lookup).
    const otherKind = `applies to ${options.appliesTo} only`;
    return (args, reportViolation) => {
        const kind = options.kindOf(args.type);
        if (kind === undefined) return notApplicable(args, otherKind);
        const config = readConfig(args.getConfig<Record<string, unknown>>());
        const object = readPreviewObject({ props: args.props, name: args.name, providerProps: args.provider?.props }, kind, options);
        const exemptConfig = options.extraExemptNamespaces ? withExtraExemptions(config, options.extraExemptNamespaces) : config;
        const undecided = undecidedExemption(exemptConfig, object);
        if (undecided === undefined) {
            const exempt = exemptionReason(exemptConfig, object.unknownNamespace === undefined ? object.namespace : undefined, object.name);
            if (exempt !== undefined) return notApplicable(args, exempt);
        }
        check({ object, config, args }, objectReporter(object, reportViolation, undecided));
    };
}

type ExtraExemptions = NonNullable<ObjectValidationOptions["extraExemptNamespaces"]>;

/** Per configuration reading (shared and read-only, see readConfig), per policy's extra exemptions. */
const withExtras = new WeakMap<InjectionConfig, Map<ExtraExemptions, InjectionConfig>>();

/** The configuration whose exempt namespaces also hold the policy's extra ones (computed once per reading). */
function withExtraExemptions(config: InjectionConfig, extra: ExtraExemptions): InjectionConfig {
    let byExtra = withExtras.get(config);
    const hit = byExtra?.get(extra);
    if (hit !== undefined) return hit;
    const value = { ...config, exemptNamespaces: [...config.exemptNamespaces, ...extra(config)] };
    if (byExtra === undefined) {
        byExtra = new Map();
        withExtras.set(config, byExtra);
    }
    byExtra.set(extra, value);
    return value;
}

/** Which unknown keeps the exemption from being decided (only when a configured pattern could need it). */
function undecidedExemption(config: InjectionConfig, object: PreviewObject): { readonly unknown: UnknownValue; readonly field: string; readonly patterns: string } | undefined {
    const qualifiedNames = config.exemptNames.filter((p) => p.includes("/"));
    if (object.unknownNamespace !== undefined && (config.exemptNamespaces.length > 0 || qualifiedNames.length > 0)) {
        return { unknown: object.unknownNamespace, field: "metadata.namespace", patterns: "exemptNamespaces/exemptNames" };
    }
    if (object.unknownName !== undefined && config.exemptNames.length > 0) {
        return { unknown: object.unknownName, field: "metadata.name", patterns: "exemptNames" };
    }
    return undefined;
}

function objectReporter(object: PreviewObject, reportViolation: ReportViolation, undecided: ReturnType<typeof undecidedExemption>): ObjectReporter {
    const advisory = (message: string) =>
        // The SDK's reportViolation also takes a violation object (server.js makeReportViolationFun):
        // the only way to report one verdict as advisory inside a mandatory policy, as the SDK itself
        // does for unknown values.
        (reportViolation as unknown as (v: AdvisoryViolation) => void)({ message, enforcementLevel: "advisory" });
    const report = ((path: string, problem: string, fix: string, level?: "advisory") => {
        if (undecided === undefined) {
            const message = violationMessage(object.subject, path, problem, fix);
            return level === undefined ? reportViolation(message) : advisory(message);
        }
        advisory(
            violationMessage(
                object.subject,
                path,
                `cannot be verified during preview: ${problem}, unless a configured exemption (${undecided.patterns}) matches the object, and its ${undecided.field} is unknown until the update`,
                `${fix}; the policy runs again with the known value during the update`,
            ),
        );
    }) as ObjectReporter;
    report.unverifiable = (path, unknown, refused) =>
        advisory(
            violationMessage(
                object.subject,
                path,
                `cannot be verified during preview: ${unknown.path === path ? "the value" : unknown.path === "" ? "the object" : unknown.path} is unknown until the update, and ${refused}`,
                "nothing to do if the value will be compliant: the policy runs again with the known value during the update (use a value known at preview to have it checked now)",
            ),
        );
    return report;
}


/**
 * A resource validation for workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
 * CronJob): the check gets the pod template; injection-exempt namespaces are exempt.
 */
export function validateWorkloads(check: (target: ObjectCheck & { readonly template: PodTemplate }, report: ObjectReporter) => void): ResourceValidation {
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
