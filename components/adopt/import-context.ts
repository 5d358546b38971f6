import { ManifestWorkload, parsePrincipal, selectorMatches } from "../istio";
import { annotationsOf, asRecord, asStringMap, nameOf, namespaceOf } from "../kube";
import { MeshCaller } from "../model";
import { quoted } from "../validation/quote";
import { ImportedService, workloadKey } from "./import-services";

/** The identities and workloads policies are translated against (one per import). */
export interface ImportContext {
    readonly trustDomain: string;
    readonly rootNamespace: string;
    readonly ingressGateway: { readonly namespace: string; readonly serviceAccount: string };
    readonly services: readonly ImportedService[];
    readonly workloads: readonly ManifestWorkload[];
}

/** A field of an object that cannot be translated, and why. */
export interface Problem {
    readonly field: string;
    readonly problem: string;
}

/** `Kind namespace/name` of an object. */
export function objectLabel(object: unknown): string {
    return `${String(asRecord(object)["kind"])} ${namespaceOf(object)}/${nameOf(object) ?? "(no name)"}`;
}

export { annotationsOf };

/**
 * The declared services a policy's workload selector stands for: the Services of its namespace
 * whose workloads it all selects. Workloads it selects that no such Service covers make it
 * untranslatable (a MeshPolicy addresses services, and meshguard does not invent one).
 */
export function selectedServices(ctx: ImportContext, namespace: string, selector: unknown, problems: Problem[]): ImportedService[] {
    const matchLabels = selector === undefined ? undefined : asStringMap(asRecord(selector)["matchLabels"]);
    const field = selector === undefined ? "metadata.namespace" : "spec.selector";
    const selected = ctx.workloads.filter((w) => w.namespace === namespace && selectorMatches(matchLabels, w.podLabels)).map(workloadKey);
    if (selected.length === 0) {
        problems.push({ field, problem: `selects no workload among the input (meshguard does not invent one: add the workload and its Service next to the policy)` });
        return [];
    }
    const inSelection = new Set(selected);
    const covering = ctx.services.filter((s) => s.service.namespace === namespace && s.workloads.every((k) => inSelection.has(k)));
    const uncovered = selected.filter((k) => !covering.some((s) => s.workloads.includes(k)));
    if (uncovered.length > 0) {
        problems.push({ field, problem: `selects ${uncovered.join(", ")}, which no declared Service stands for exactly (a MeshPolicy addresses services)` });
    }
    return covering;
}

/** The caller a principal names: a declared service running as its account, or the ingress gateway. */
export function principalCaller(ctx: ImportContext, value: string, field: string, problems: Problem[]): MeshCaller | undefined {
    const principal = parsePrincipal(value);
    if (principal === undefined) {
        problems.push({ field, problem: `${quoted(value)} is a pattern, not one identity (<trust-domain>/ns/<namespace>/sa/<account>): a MeshPolicy names services` });
        return undefined;
    }
    if (principal.trustDomain !== ctx.trustDomain) {
        problems.push({ field, problem: `${quoted(value)} is of trust domain ${principal.trustDomain}, not ${ctx.trustDomain} (--trust-domain)` });
        return undefined;
    }
    if (principal.namespace === ctx.ingressGateway.namespace && principal.serviceAccount === ctx.ingressGateway.serviceAccount) return { ingressGateway: true };
    const service = ctx.services.find((s) => s.service.namespace === principal.namespace && s.service.serviceAccount === principal.serviceAccount);
    if (service === undefined) {
        problems.push({ field, problem: `${quoted(value)}: no declared service runs as service account ${principal.namespace}/${principal.serviceAccount} (a principal of an unknown account)` });
        return undefined;
    }
    return { service: service.service.id };
}

/**
 * The Service ports a policy's container ports stand for on one service. AuthorizationPolicy
 * `ports` match the port the connection reached on the workload (Envoy's destination port after
 * the Service's targetPort translation), which the compiler writes as `targetPort ?? port`
 * (compile/authz-rules.ts workloadPorts): this is its inverse.
 */
export function servicePortsOf(target: ImportedService, ports: readonly string[], field: string, problems: Problem[], notes: Problem[]): number[] | undefined {
    const out: number[] = [];
    for (const text of ports) {
        const mapped = target.servicePorts.get(Number(text));
        if (mapped === undefined) {
            problems.push({ field, problem: `container port ${text} is the targetPort of no port of Service ${target.service.namespace}/${target.service.id}` });
            return undefined;
        }
        if (mapped.length > 1) {
            notes.push({ field, problem: `container port ${text} is the targetPort of Service ports ${mapped.join(", ")} of ${target.service.namespace}/${target.service.id}: all of them are listed (they reach the same container port)` });
        }
        out.push(...mapped);
    }
    return [...new Set(out)].sort((a, b) => a - b);
}
