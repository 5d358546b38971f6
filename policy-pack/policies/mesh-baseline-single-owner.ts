import { StackValidationPolicy } from "@pulumi/policy";
import { BaselineObject, duplicateConsequence, findDuplicateBaselines, SINGLE_OWNER_FIX } from "../../components/istio/baseline-ownership";
import { configSchema } from "../lib/config";
import { listForMessage } from "../lib/messages";
import { objectExemption, readMeshStack, reportOnObject, specOf, StackObject } from "../lib/stack";

/**
 * The pack's side of the offline preview's duplicate-ownership check (both judge with
 * components/istio/baseline-ownership.ts): one allow-nothing AuthorizationPolicy and one
 * namespace-wide PeerAuthentication per namespace, one mesh-wide of each in the root namespace.
 */
export const meshBaselineSingleOwner: StackValidationPolicy = {
    name: "mesh-baseline-single-owner",
    description:
        "Each namespace's security baseline must have one owner: two allow-nothing AuthorizationPolicies or two namespace-wide PeerAuthentications in one namespace (two mesh-wide ones in the root namespace) are refused, because Istio honours only the oldest PeerAuthentication and two owners of one baseline drift apart.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const stack = readMeshStack(args, reportViolation, { istioKinds: ["AuthorizationPolicy", "PeerAuthentication"] });
        const objects: BaselineObject<StackObject>[] = [];
        for (const kind of ["AuthorizationPolicy", "PeerAuthentication"] as const) {
            for (const entry of stack.istio.get(kind) ?? []) {
                if (objectExemption(stack, entry.object) !== undefined) continue;
                objects.push({ kind, namespace: entry.object.namespace ?? "default", name: entry.object.name, spec: specOf(entry), ref: entry });
            }
        }
        for (const duplicate of findDuplicateBaselines(objects, stack.config.rootNamespace)) {
            const scope = duplicate.meshWide ? "mesh-wide" : "namespace-wide";
            const what = duplicate.role === "allow-nothing" ? `allow-nothing AuthorizationPolicies (${scope})` : `${scope} PeerAuthentications`;
            const names = duplicate.objects.map((o) => `${o.namespace}/${o.name}`);
            for (const extra of duplicate.objects.slice(1)) {
                reportOnObject(
                    reportViolation,
                    extra.ref,
                    duplicate.role === "allow-nothing" ? "spec" : "spec.selector",
                    `is one of ${duplicate.objects.length} ${what} in ${duplicate.namespace} (${listForMessage(names)}): ${duplicateConsequence(duplicate)}`,
                    `keep one owner: when a MeshNamespace and a MeshPolicy both emit it, ${SINGLE_OWNER_FIX}; otherwise delete the extra object`,
                );
            }
        }
    },
};
