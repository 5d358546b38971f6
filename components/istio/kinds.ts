import { parseKubernetesType, splitApiVersion } from "../kube";

/** The Istio security-relevant kinds meshguard understands (the simulator and the policy pack). */
export type IstioSecurityKind = "AuthorizationPolicy" | "PeerAuthentication" | "RequestAuthentication" | "DestinationRule" | "ServiceEntry";

export const SECURITY_GROUP = "security.istio.io";
export const NETWORKING_GROUP = "networking.istio.io";

/**
 * The one table of Istio kinds: API group and the versions the Istio 1.30 CRDs serve (every
 * version of one kind shares a schema; /work/shared/reference/istio-1.30.3-crds.yaml).
 */
export const ISTIO_KIND_TABLE: Readonly<Record<IstioSecurityKind, { readonly group: string; readonly versions: readonly string[] }>> = Object.freeze({
    AuthorizationPolicy: { group: SECURITY_GROUP, versions: ["v1", "v1beta1"] },
    PeerAuthentication: { group: SECURITY_GROUP, versions: ["v1", "v1beta1"] },
    RequestAuthentication: { group: SECURITY_GROUP, versions: ["v1", "v1beta1"] },
    DestinationRule: { group: NETWORKING_GROUP, versions: ["v1", "v1beta1", "v1alpha3"] },
    ServiceEntry: { group: NETWORKING_GROUP, versions: ["v1", "v1beta1", "v1alpha3"] },
});

export function isIstioSecurityKindName(kind: string): kind is IstioSecurityKind {
    return Object.prototype.hasOwnProperty.call(ISTIO_KIND_TABLE, kind);
}

/** The Istio kind of a group and kind, for ANY version (so an older apiVersion cannot slip past a check). */
export function istioKindOfGroup(group: string, version: string, kind: string): IstioSecurityKind | undefined {
    if (!isIstioSecurityKindName(kind)) return undefined;
    return group === ISTIO_KIND_TABLE[kind].group && version !== "" ? kind : undefined;
}

/**
 * The Istio kind of a manifest, matched on API group and kind for ANY served version
 * (v1, v1beta1, v1alpha3...), so an older apiVersion cannot slip past a check.
 */
export function istioKindOf(apiVersion: string, kind: string): IstioSecurityKind | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    return istioKindOfGroup(group, version, kind);
}

/** The Istio kind of a Pulumi type token `kubernetes:<group>/<version>:<Kind>`, any version. */
export function istioKindFromType(pulumiType: string): IstioSecurityKind | undefined {
    const type = parseKubernetesType(pulumiType);
    return type === undefined ? undefined : istioKindOfGroup(type.group, type.version, type.kind);
}
