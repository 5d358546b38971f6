import { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { matchString, parsePrincipal } from "../../components/istio";
import { configSchema } from "../lib/config";
import { listForMessage } from "../lib/messages";
import { LabelSetIndex } from "../lib/label-index";
import { quoted } from "../lib/messages";
import { asList, asRecord } from "../lib/object";
import { MeshStack, objectExemption, readMeshStack, reportOnObject, selectorLabels, specOf, StackObject, StackWorkload } from "../lib/stack";

/** Namespaces every cluster has. */
const BUILT_IN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** Namespaces that exist: built-in ones, the root, the stack's (labels known or not) and Helm's. */
function knownNamespaces(stack: MeshStack): Set<string> {
    return new Set([...BUILT_IN_NAMESPACES, stack.config.rootNamespace, ...stack.namespaces.keys(), ...stack.namespacesWithUnknownLabels, ...stack.helmNamespaces]);
}

export const policyReferencesExist: StackValidationPolicy = {
    name: "policy-references-exist",
    description:
        "Istio policies should refer to things the stack has: their namespace and the namespaces and principals they name must exist, and a selector must match a workload when the stack deploys workloads in that namespace. A dangling reference usually means a typo that leaves the intended workloads unprotected.",
    enforcementLevel: "advisory",
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const stack = readMeshStack(args, reportViolation, { workloads: true, istioKinds: ["AuthorizationPolicy", "PeerAuthentication", "RequestAuthentication", "DestinationRule"], helm: true });
        const namespaces = knownNamespaces(stack);
        const workloadLabels = workloadLabelIndexes();
        for (const [kind, entries] of stack.istio) {
            for (const entry of entries) {
                if (objectExemption(stack, entry.object) !== undefined) continue;
                const ns = entry.object.namespace ?? "";
                if (!namespaces.has(ns)) {
                    reportOnObject(reportViolation, entry, "metadata.namespace", `namespace ${ns} is not created or labelled by this stack`, "create the namespace in the stack (MeshNamespace) or correct metadata.namespace");
                }
                checkSelector(stack, workloadLabels, entry, kind === "DestinationRule" ? "workloadSelector" : "selector", reportViolation);
                if (kind === "AuthorizationPolicy") checkSources(entry, namespaces, reportViolation);
            }
        }
    },
};

/**
 * The pod-template labels of the workloads a selector is judged against, indexed by label: those of
 * the policy's namespace, or of the whole stack for the root namespace. Built once per scope, so a
 * namespace with thousands of workloads and policies is not scanned once per policy.
 */
function workloadLabelIndexes(): (inScope: readonly StackWorkload[]) => LabelSetIndex {
    const indexes = new Map<readonly StackWorkload[], LabelSetIndex>();
    return (inScope) => {
        let index = indexes.get(inScope);
        if (index === undefined) {
            index = new LabelSetIndex();
            for (const workload of inScope) index.add(workload.template.labels);
            indexes.set(inScope, index);
        }
        return index;
    };
}

/** Only judged when the stack deploys workloads in scope: otherwise they live elsewhere. */
function checkSelector(
    stack: MeshStack,
    workloadLabels: (inScope: readonly StackWorkload[]) => LabelSetIndex,
    entry: StackObject,
    field: string,
    reportViolation: ReportViolation,
): void {
    const labels = selectorLabels(specOf(entry), field);
    if (labels === undefined) return;
    const ns = entry.object.namespace ?? "";
    const inScope = ns === stack.config.rootNamespace ? stack.workloads : stack.workloadsByNamespace.get(ns) ?? [];
    if (inScope.length === 0) return;
    if (workloadLabels(inScope).anyMatches(labels)) return;
    const shown = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",");
    reportOnObject(
        reportViolation,
        entry,
        `spec.${field}.matchLabels`,
        `${shown} matches none of the ${inScope.length} workload(s) this stack deploys in ${ns === stack.config.rootNamespace ? "the mesh" : ns}, so the policy protects nothing; their pod templates carry: ${podLabels(inScope)}`,
        "correct the labels to those of the workload's pod template",
    );
}

/** `Deployment shop/api (app=api)` for the first few workloads, then how many more. */
function podLabels(workloads: readonly StackWorkload[]): string {
    const shown = workloads.slice(0, 5).map((w) => `${w.object.subject} (${Object.entries(w.template.labels).map(([k, v]) => `${k}=${v}`).join(",") || "no labels"})`);
    return workloads.length > 5 ? `${shown.join(", ")} and ${workloads.length - 5} more` : listForMessage(shown);
}

function checkSources(entry: StackObject, namespaces: ReadonlySet<string>, reportViolation: ReportViolation): void {
    asList(specOf(entry)["rules"]).forEach((rule, r) => {
        asList(asRecord(rule)["from"]).forEach((from, f) => {
            const source = asRecord(asRecord(from)["source"]);
            const base = `spec.rules[${r}].from[${f}].source`;
            for (const field of ["namespaces", "notNamespaces"] as const) {
                asList(source[field]).forEach((value, i) => {
                    const dangling = danglingNamespace(value, namespaces);
                    if (dangling === undefined) return;
                    reportOnObject(
                        reportViolation,
                        entry,
                        `${base}.${field}[${i}]`,
                        `${dangling}, so ${field === "namespaces" ? "the rule may admit nobody" : "it excludes nobody"}`,
                        field === "namespaces" ? "correct the namespace name" : "correct the namespace name, or remove it",
                    );
                });
            }
            asList(source["principals"]).forEach((value, i) => {
                const principal = typeof value === "string" ? parsePrincipal(value) : undefined;
                if (principal !== undefined && !namespaces.has(principal.namespace)) {
                    reportOnObject(
                        reportViolation,
                        entry,
                        `${base}.principals[${i}]`,
                        `names namespace ${principal.namespace}, which is not created or labelled by this stack, so the rule may admit nobody`,
                        "correct the principal (<trust-domain>/ns/<namespace>/sa/<service-account>)",
                    );
                }
            });
        });
    });
}

/**
 * Why a `namespaces` value refers to no namespace of the stack, or undefined. A pattern (`bogus-*`,
 * `*-bogus`, Istio's prefix/suffix match) is dangling when it matches none of them, like an exact
 * name; `*` matches any namespace.
 */
function danglingNamespace(value: unknown, namespaces: ReadonlySet<string>): string | undefined {
    if (typeof value !== "string" || value === "*") return undefined;
    const isPattern = value.startsWith("*") || value.endsWith("*");
    if (!isPattern) return namespaces.has(value) ? undefined : `namespace ${quoted(value)} is not created or labelled by this stack`;
    for (const ns of namespaces) if (matchString(value, ns)) return undefined;
    return `pattern ${quoted(value)} matches none of the namespaces this stack creates or labels`;
}
