import { splitApiVersion } from "../manifest";

/** The Istio security-relevant kinds meshguard understands (the simulator and the policy pack). */
export type IstioSecurityKind = "AuthorizationPolicy" | "PeerAuthentication" | "RequestAuthentication" | "DestinationRule";

const SECURITY_GROUP = "security.istio.io";
const NETWORKING_GROUP = "networking.istio.io";

const KIND_GROUPS: Readonly<Record<IstioSecurityKind, string>> = {
    AuthorizationPolicy: SECURITY_GROUP,
    PeerAuthentication: SECURITY_GROUP,
    RequestAuthentication: SECURITY_GROUP,
    DestinationRule: NETWORKING_GROUP,
};

function isSecurityKind(kind: string): kind is IstioSecurityKind {
    return Object.prototype.hasOwnProperty.call(KIND_GROUPS, kind);
}

/**
 * The Istio kind of a manifest, matched on API group and kind for ANY served version
 * (v1, v1beta1, v1alpha3...), so an older apiVersion cannot slip past a check.
 */
export function istioKindOf(apiVersion: string, kind: string): IstioSecurityKind | undefined {
    if (!isSecurityKind(kind)) return undefined;
    const { group, version } = splitApiVersion(apiVersion);
    return group === KIND_GROUPS[kind] && version !== "" ? kind : undefined;
}

/** The Istio kind of a Pulumi type token `kubernetes:<group>/<version>:<Kind>`, any version. */
export function istioKindFromType(pulumiType: string): IstioSecurityKind | undefined {
    const match = /^kubernetes:([^:]+):([^:]+)$/.exec(pulumiType);
    return match === null ? undefined : istioKindOf(match[1], match[2]);
}
