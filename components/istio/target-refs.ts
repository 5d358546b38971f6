import { isRecord } from "../kube";

/**
 * `targetRef` / `targetRefs` of an AuthorizationPolicy, RequestAuthentication (or any policy using
 * istio.io/api type.v1beta1.PolicyTargetReference), read as istiod reads them (Istio 1.30.3):
 * - pilot/pkg/model/policyattachment.go GetTargetRefs: `targetRefs` when non-empty, else the
 *   deprecated single `targetRef`.
 * - pkg/config/validation/validation.go validatePolicyTargetReference: `name` required,
 *   `namespace` must be empty (no cross-namespace references), group/kind one of core/Service,
 *   networking.istio.io/ServiceEntry, gateway.networking.k8s.io/Gateway,
 *   gateway.networking.k8s.io/GatewayClass (any version); validateOneOfSelectorType: at most one of
 *   selector, targetRef, targetRefs.
 * - ShouldAttachPolicy (same policyattachment.go): a workload that is not a Gateway API gateway
 *   (sidecars) ignores a policy with targetRefs altogether; a waypoint takes a policy whose
 *   reference names the Gateway it is an instance of (same namespace), a Service it serves (policy
 *   in the Service's namespace), or, for policies in the root namespace, the GatewayClass
 *   `istio-waypoint`; waypoints never take selector-based policies.
 */

export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";

/** What a reference names, by group and kind (`other` when istiod's validation rejects it). */
export type TargetKind = "Service" | "ServiceEntry" | "Gateway" | "GatewayClass" | "other";

export interface TargetRef {
    /** The group as written; "" (or "core") is the core group. */
    readonly group: string;
    readonly kind: string;
    readonly name: string;
    /** Set only in invalid references (istiod rejects cross-namespace references). */
    readonly namespace?: string;
    readonly target: TargetKind;
    /** Where it was read: `spec.targetRefs[1]` or `spec.targetRef`. */
    readonly path: string;
    /** Why istiod's validating webhook rejects it (undefined: valid). */
    readonly invalid?: string;
}

export interface PolicyTargets {
    /** The references istiod uses (targetRefs when non-empty, else targetRef); empty: selector-based. */
    readonly refs: readonly TargetRef[];
    /** True when the spec sets targetRef or targetRefs (even empty or malformed): ztunnel ignores the policy. */
    readonly targeted: boolean;
    /** Problems the validating webhook rejects (a selector alongside references, a malformed entry). */
    readonly problems: readonly { readonly path: string; readonly message: string }[];
}

const ALLOWED: readonly { readonly group: string; readonly kind: TargetKind }[] = [
    { group: "", kind: "Service" },
    { group: "networking.istio.io", kind: "ServiceEntry" },
    { group: GATEWAY_API_GROUP, kind: "Gateway" },
    { group: GATEWAY_API_GROUP, kind: "GatewayClass" },
];

const canonicalGroup = (group: string) => (group === "core" ? "" : group);

/** Reads the references of a policy spec (never throws: shapes istiod rejects are reported). */
export function readPolicyTargets(spec: unknown): PolicyTargets {
    const record = isRecord(spec) ? spec : {};
    const problems: { path: string; message: string }[] = [];
    const single = record["targetRef"];
    const list = record["targetRefs"];
    const targeted = (single !== undefined && single !== null) || (list !== undefined && list !== null);
    let refs: TargetRef[] = [];
    if (Array.isArray(list) && list.length > 0) {
        refs = list.map((entry, i) => readTargetRef(entry, `spec.targetRefs[${i}]`));
    } else if (list !== undefined && list !== null && !Array.isArray(list)) {
        problems.push({ path: "spec.targetRefs", message: "must be a list" });
    } else if (single !== undefined && single !== null) {
        refs = [readTargetRef(single, "spec.targetRef")];
    }
    for (const ref of refs) if (ref.invalid !== undefined) problems.push({ path: ref.path, message: ref.invalid });
    const selector = record["selector"];
    const kinds = [selector !== undefined && selector !== null, single !== undefined && single !== null, Array.isArray(list) && list.length > 0].filter(Boolean).length;
    if (kinds > 1) problems.push({ path: "spec", message: "only one of selector, targetRef or targetRefs may be set" });
    return { refs, targeted, problems };
}

function readTargetRef(value: unknown, path: string): TargetRef {
    const r = isRecord(value) ? value : {};
    const str = (key: string) => (typeof r[key] === "string" ? (r[key] as string) : "");
    const group = str("group");
    const kind = str("kind");
    const name = str("name");
    const namespace = str("namespace");
    const allowed = ALLOWED.find((a) => a.kind === kind && a.group === canonicalGroup(group));
    let invalid: string | undefined;
    if (!isRecord(value)) invalid = "must be an object";
    else if (name === "") invalid = "name must be set";
    else if (namespace !== "") invalid = "namespace must not be set; cross namespace referencing is not supported";
    else if (allowed === undefined) {
        invalid = `must name a core/Service, networking.istio.io/ServiceEntry, ${GATEWAY_API_GROUP}/Gateway or ${GATEWAY_API_GROUP}/GatewayClass (got ${JSON.stringify(`${group}/${kind}`)})`;
    }
    return { group, kind, name, ...(namespace === "" ? {} : { namespace }), target: allowed?.kind ?? "other", path, ...(invalid === undefined ? {} : { invalid }) };
}

/** A waypoint, and (for the policies of one service's traffic) the service the request is for. */
export interface WaypointAttachment {
    readonly waypoint: { readonly namespace: string; readonly name: string };
    /** The Kubernetes Service (or ServiceEntry) of the request, when the traffic is addressed to one. */
    readonly service?: { readonly namespace: string; readonly name: string; readonly registry: "Kubernetes" | "External" };
    readonly rootNamespace: string;
}

/**
 * The reference through which a policy in `policyNamespace` attaches to a waypoint's handling of a
 * request (ShouldAttachPolicy for a waypoint proxy), or undefined when it does not. Invalid
 * references never attach (the webhook rejects the object).
 */
export function attachingRef(policyNamespace: string, targets: PolicyTargets, at: WaypointAttachment): TargetRef | undefined {
    if (targets.problems.length > 0) return undefined;
    return targets.refs.find((ref) => {
        switch (ref.target) {
            case "Service":
                return at.service?.registry === "Kubernetes" && at.service.name === ref.name && at.service.namespace === policyNamespace;
            case "ServiceEntry":
                return at.service?.registry === "External" && at.service.name === ref.name && at.service.namespace === policyNamespace;
            case "GatewayClass":
                return policyNamespace === at.rootNamespace && ref.name === WAYPOINT_GATEWAY_CLASS_NAME;
            case "Gateway":
                return policyNamespace === at.waypoint.namespace && ref.name === at.waypoint.name;
            default:
                return false;
        }
    });
}

/** gatewayClassName of Istio's waypoints (pkg/config/constants WaypointGatewayClassName). */
export const WAYPOINT_GATEWAY_CLASS_NAME = "istio-waypoint";
