import { MANAGED_BY_LABELS, SECURITY_API_VERSION } from "../constants";
import { K8sManifest } from "../manifest";
import type { IstioJwtRule } from "../istio/schema/authentication";
import { MeshPolicyConfig, MeshRelationship, MeshService, meshServiceSelector } from "../model/mesh-policy";
import { compareStrings, sortedUnique } from "./authz-rules";
import { stableName } from "./naming";

export function requestAuthenticationName(service: MeshService): string {
    return stableName([service.id, "jwt"]);
}

/**
 * A RequestAuthentication per destination with JWT callers, one jwtRule per issuer. It only
 * rejects invalid tokens (a request without a token passes with no identity); the ALLOW rule's
 * `requestPrincipals` is what requires a token. Audiences of one issuer are unioned here and
 * each relationship checks its own audiences with a `request.auth.audiences` condition. When any
 * relationship of the issuer accepts every audience, the jwtRule must not restrict audiences:
 * istiod rejects (401) a token whose audience is not listed, which would deny that relationship.
 */
export function compileRequestAuthentications(config: MeshPolicyConfig, services: ReadonlyMap<string, MeshService>): K8sManifest[] {
    const byTarget = new Map<string, MeshRelationship[]>();
    for (const rel of config.allow) if (rel.from.endUsers !== undefined) byTarget.set(rel.to, [...(byTarget.get(rel.to) ?? []), rel]);
    return [...byTarget.entries()].map(([id, rels]) => {
        const service = services.get(id) as MeshService;
        return {
            apiVersion: SECURITY_API_VERSION,
            kind: "RequestAuthentication",
            metadata: { name: requestAuthenticationName(service), namespace: service.namespace, labels: { ...MANAGED_BY_LABELS } },
            spec: { selector: { matchLabels: meshServiceSelector(service) }, jwtRules: jwtRulesOf(rels) },
        };
    });
}

/** The jwtRules of one destination's relationships: one per issuer, sorted (none without JWT callers). */
export function jwtRulesOf(rels: readonly MeshRelationship[]): IstioJwtRule[] {
    const issuers = new Map<string, { jwksUri: string; audiences?: Set<string> }>();
    for (const rel of rels) {
        const users = rel.from.endUsers;
        if (users === undefined) continue;
        const seen = issuers.get(users.issuer);
        const entry = seen ?? { jwksUri: users.jwksUri, audiences: new Set<string>() };
        if (users.audiences === undefined) {
            entry.audiences = undefined;
        } else if (seen === undefined || seen.audiences !== undefined) {
            users.audiences.forEach((a) => entry.audiences?.add(a));
        }
        issuers.set(users.issuer, entry);
    }
    return [...issuers.entries()]
        .sort(([a], [b]) => compareStrings(a, b))
        .map(([issuer, { jwksUri, audiences }]) => (audiences === undefined ? { issuer, jwksUri } : { issuer, jwksUri, audiences: sortedUnique(audiences) }));
}
