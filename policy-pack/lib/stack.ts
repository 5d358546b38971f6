import { PolicyResource, ReportViolation, StackValidationArgs, UnknownValueError } from "@pulumi/policy";
import { IstioSecurityKind } from "../../components/istio";
import { InjectionConfig, readConfig } from "./config";
import { exemptionReason, matchesAny } from "./exemptions";
import { enrolmentOf, namespaceEnrolment, NamespaceEnrolment } from "./injection";
import { isHelmInstallType, istioKindOfType, namespaceTypeOf, workloadTypeOf } from "./kinds";
import { violationMessage } from "./messages";
import { asRecord, KubeObject, materialize, readKubeObject } from "./object";
import { knownRecord, readWithUnknowns } from "./preview-values";
import { PodTemplate, readPodTemplate } from "./workload";

export interface StackObject {
    readonly resource: PolicyResource;
    readonly object: KubeObject;
}

export interface StackWorkload extends StackObject {
    readonly template: PodTemplate;
}

/** A namespace the stack creates or labels; labels of a Namespace and its patches are merged. */
export interface StackNamespace {
    readonly name: string;
    readonly resources: StackObject[];
    readonly labels: Record<string, string>;
    readonly enrolment: NamespaceEnrolment;
}

/** What the mesh stack policies need to know about a stack, read in one linear pass. */
export interface MeshStack {
    readonly config: InjectionConfig;
    readonly namespaces: ReadonlyMap<string, StackNamespace>;
    readonly workloads: readonly StackWorkload[];
    readonly workloadsByNamespace: ReadonlyMap<string, readonly StackWorkload[]>;
    readonly istio: ReadonlyMap<IstioSecurityKind, readonly StackObject[]>;
    /** Namespaces Helm charts/releases of the stack install into. */
    readonly helmNamespaces: ReadonlySet<string>;
    /**
     * Namespaces the stack creates or labels whose labels are unknown at preview: they exist, but
     * their mesh enrolment cannot be judged (reported as unverifiable), so they are not in `namespaces`.
     */
    readonly namespacesWithUnknownLabels: ReadonlySet<string>;
}

interface AdvisoryViolation {
    readonly message: string;
    readonly urn: string;
    readonly enforcementLevel: "advisory";
}

/** What a stack policy reads (skipping the rest keeps each policy's pass cheap). */
export interface StackNeeds {
    readonly workloads?: boolean;
    readonly istioKinds?: readonly IstioSecurityKind[];
    readonly helm?: boolean;
}

/**
 * Reads the stack in one pass: namespaces always, workloads / Istio objects / Helm namespaces as
 * needed. A resource whose relevant fields are unknown at preview is reported as an advisory
 * violation ("can't be verified during preview", as the SDK does for resource policies) and left
 * out, so the rest of the stack is still checked; nothing unknown is taken as compliant.
 */
export function readMeshStack(args: StackValidationArgs, reportViolation: ReportViolation, needs: StackNeeds): MeshStack {
    const config = readConfig(args.getConfig<Record<string, unknown>>());
    const namespaces = new Map<string, StackNamespace>();
    const workloads: StackWorkload[] = [];
    const workloadsByNamespace = new Map<string, StackWorkload[]>();
    const istio = new Map<IstioSecurityKind, StackObject[]>();
    const helmNamespaces = new Set<string>();
    const namespacesWithUnknownLabels = new Set<string>();

    for (const resource of args.resources) {
        const type = resource.type;
        const source = { props: resource.props, name: resource.name, providerProps: resource.provider?.props };
        try {
            const nsType = namespaceTypeOf(type);
            const workloadType = nsType === undefined && needs.workloads ? workloadTypeOf(type) : undefined;
            const candidateKind = nsType === undefined && workloadType === undefined ? istioKindOfType(type) : undefined;
            const istioKind = candidateKind !== undefined && needs.istioKinds?.includes(candidateKind) ? candidateKind : undefined;
            if (nsType !== undefined) {
                const object = readKubeObject(source, "Namespace", { clusterScoped: true });
                addNamespace(namespaces, { resource, object });
            } else if (workloadType !== undefined) {
                const object = readKubeObject(source, workloadType.kind);
                const workload = { resource, object, template: readPodTemplate(resource.props, workloadType) };
                workloads.push(workload);
                const list = workloadsByNamespace.get(object.namespace ?? "") ?? [];
                list.push(workload);
                workloadsByNamespace.set(object.namespace ?? "", list);
            } else if (istioKind !== undefined) {
                const object = readKubeObject(source, istioKind, { wholeObject: true });
                const list = istio.get(istioKind) ?? [];
                list.push({ resource, object });
                istio.set(istioKind, list);
            } else if (needs.helm && isHelmInstallType(type)) {
                const ns = materialize(resource.props["namespace"]);
                helmNamespaces.add(typeof ns === "string" && ns !== "" ? ns : "default");
            }
        } catch (err) {
            if (!(err instanceof UnknownValueError)) throw err;
            reportUnknown(reportViolation, resource, err);
            if (namespaceTypeOf(type) !== undefined) {
                const name = knownRecord(readWithUnknowns(resource.props["metadata"]))?.["name"];
                if (typeof name === "string" && name !== "") namespacesWithUnknownLabels.add(name);
            }
        }
    }
    for (const name of namespaces.keys()) namespacesWithUnknownLabels.delete(name);
    return { config, namespaces, workloads, workloadsByNamespace, istio, helmNamespaces, namespacesWithUnknownLabels };
}

function addNamespace(namespaces: Map<string, StackNamespace>, entry: StackObject): void {
    const existing = namespaces.get(entry.object.name);
    const labels = { ...(existing?.labels ?? {}), ...entry.object.labels };
    const resources = existing?.resources ?? [];
    resources.push(entry);
    namespaces.set(entry.object.name, { name: entry.object.name, resources, labels, enrolment: namespaceEnrolment(labels) });
}

function reportUnknown(reportViolation: ReportViolation, resource: PolicyResource, err: UnknownValueError): void {
    const violation: AdvisoryViolation = {
        message: `${resource.type} ${resource.name}: can't be verified during preview: ${err.message}; it is checked again when the value is known`,
        urn: resource.urn,
        enforcementLevel: "advisory",
    };
    // The SDK's reportViolation also takes a violation object (server.js makeReportViolationFun),
    // the only way to keep an unknown value advisory — as the SDK itself does — per resource.
    (reportViolation as unknown as (v: AdvisoryViolation) => void)(violation);
}

/**
 * Namespaces of the mesh, minus the injection exemptions: enrolled by their labels (sidecar or
 * ambient), or running a workload that is in the mesh on its own (pod-level opt-in:
 * components/istio/enrolment). Pod-level opt-in is only seen when the stack was read with workloads.
 */
export function meshNamespaces(stack: MeshStack): StackNamespace[] {
    return [...stack.namespaces.values()].filter(
        (ns) =>
            (ns.enrolment.mode === "sidecar" || ns.enrolment.mode === "ambient" || (stack.workloadsByNamespace.get(ns.name) ?? []).some((w) => enrolmentOf(ns.name, ns.labels, w.template).inMesh)) &&
            matchesAny(stack.config.injectionExemptNamespaces, ns.name) === undefined,
    );
}

/** Why a namespace is exempt from a stack policy by configuration, or undefined. */
export function namespaceExemption(stack: MeshStack, ns: StackNamespace): string | undefined {
    return exemptionReason(stack.config, ns.name, ns.name);
}

export function objectExemption(stack: MeshStack, object: KubeObject): string | undefined {
    return exemptionReason(stack.config, object.namespace, object.name);
}

/** Reports a violation about a namespace, on its first resource. */
export function reportOnNamespace(reportViolation: ReportViolation, ns: StackNamespace, path: string, problem: string, fix: string): void {
    const first = ns.resources[0];
    reportViolation(violationMessage(`Namespace ${ns.name}`, path, problem, fix), first.resource.urn);
}

export function reportOnObject(reportViolation: ReportViolation, entry: StackObject, path: string, problem: string, fix: string): void {
    reportViolation(violationMessage(entry.object.subject, path, problem, fix), entry.resource.urn);
}

/** `spec.selector.matchLabels` of a policy; undefined when it has no selector (namespace-wide). */
export function selectorLabels(spec: Record<string, unknown>, field = "selector"): Record<string, string> | undefined {
    const selector = spec[field];
    if (selector === undefined || selector === null) return undefined;
    const labels = asRecord(asRecord(selector)["matchLabels"]);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels)) if (typeof v === "string") out[k] = v;
    return Object.keys(out).length === 0 ? undefined : out;
}

/** True when the policy targets gateways/waypoints (`targetRef`/`targetRefs`) rather than workloads. */
export function hasTargetRefs(spec: Record<string, unknown>): boolean {
    return spec["targetRef"] !== undefined || (Array.isArray(spec["targetRefs"]) && spec["targetRefs"].length > 0);
}

export function specOf(entry: StackObject): Record<string, unknown> {
    return asRecord(entry.object.body["spec"]);
}

/** A finding that depends on a value unknown at preview: advisory whatever the policy's level (as readMeshStack reports one). */
export function reportUnverifiable(reportViolation: ReportViolation, entry: StackObject, path: string, problem: string): void {
    const violation: AdvisoryViolation = {
        message: violationMessage(entry.object.subject, path, problem, "it is checked again when the value is known"),
        urn: entry.resource.urn,
        enforcementLevel: "advisory",
    };
    (reportViolation as unknown as (v: AdvisoryViolation) => void)(violation);
}
