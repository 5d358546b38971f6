import { K8sManifest } from "../manifest";
import { MeshPolicyConfig, MeshPolicyInput, MeshRelationship, MeshService, parseMeshPolicy } from "../model/mesh-policy";
import { listed } from "../model/quote";
import { workloadPorts } from "./authz-rules";

/** Something valid that is probably not what the author meant: where it is and the fix. */
export interface MeshPolicyWarning {
    readonly path: string;
    readonly message: string;
}

/** What `compileMeshPolicyReport` returns: the manifests of `compileMeshPolicy`, and warnings. */
export interface MeshPolicyReport {
    readonly manifests: K8sManifest[];
    readonly warnings: MeshPolicyWarning[];
}

/**
 * A destination that admits `{ ingressGateway: true }` and JWT `endUsers` on a common port makes
 * the token optional for everything that comes through the gateway: ALLOW rules are ORed, the
 * gateway's rule matches on its mTLS identity alone, and a RequestAuthentication lets requests
 * without a token through (it only rejects invalid ones). One warning per plain gateway
 * relationship, naming the JWT relationships it bypasses. Pure: reads a validated config.
 */
export function jwtOptionalGatewayWarnings(config: MeshPolicyConfig): MeshPolicyWarning[] {
    const services = new Map(config.services.map((s) => [s.id, s]));
    const warnings: MeshPolicyWarning[] = [];
    config.allow.forEach((gatewayRel, i) => {
        if (gatewayRel.from.ingressGateway !== true) return;
        const target = services.get(gatewayRel.to);
        if (target === undefined) return;
        const gatewayPorts = new Set(relationshipWorkloadPorts(gatewayRel, target));
        const bypassed: { index: number; issuer: string; ports: string[] }[] = [];
        config.allow.forEach((jwtRel, j) => {
            if (jwtRel.to !== gatewayRel.to || jwtRel.from.endUsers === undefined) return;
            const common = relationshipWorkloadPorts(jwtRel, target).filter((p) => gatewayPorts.has(p));
            if (common.length > 0) bypassed.push({ index: j, issuer: jwtRel.from.endUsers.issuer, ports: common });
        });
        if (bypassed.length === 0) return;
        const ports = [...new Set(bypassed.flatMap((b) => b.ports))].sort((a, b) => Number(a) - Number(b));
        warnings.push({
            path: `allow[${i}].from.ingressGateway`,
            message:
                `service "${target.id}" admits the ingress gateway without a token on workload port${ports.length > 1 ? "s" : ""} ${listed(ports)}, where ` +
                `${listed(bypassed.map((b) => `allow[${b.index}]`))} require${bypassed.length > 1 ? "" : "s"} an end-user JWT (issuer ${listed([...new Set(bypassed.map((b) => b.issuer))])}): ` +
                `traffic through the gateway needs no token, so the JWT requirement is optional. Fix: require the JWT on the gateway route ` +
                `(a RequestAuthentication and a requestPrincipals rule on the gateway), or drop the plain gateway caller`,
        });
    });
    return warnings;
}

/** The workload ports a relationship's rules cover (what `compileAllowPolicies` emits for it). */
function relationshipWorkloadPorts(rel: MeshRelationship, target: MeshService): string[] {
    const selected = rel.ports === undefined ? target.ports : target.ports.filter((p) => rel.ports?.includes(p.port));
    const httpOnly = rel.methods !== undefined || rel.paths !== undefined || rel.hosts !== undefined || rel.grpcMethods !== undefined || rel.from.endUsers !== undefined;
    return workloadPorts(httpOnly ? selected.filter((p) => p.protocol !== "tcp") : selected);
}

/** Every compile-time warning of a validated MeshPolicy config, in input order. */
export function meshPolicyConfigWarnings(config: MeshPolicyConfig): MeshPolicyWarning[] {
    return jwtOptionalGatewayWarnings(config);
}

/**
 * The warnings of a MeshPolicy input (validated first: throws MeshguardValidationError like
 * `compileMeshPolicy` on invalid input). Pure; the MeshPolicy component logs them.
 */
export function meshPolicyWarnings(input: MeshPolicyInput, subject = "MeshPolicy input"): MeshPolicyWarning[] {
    return meshPolicyConfigWarnings(parseMeshPolicy(input, subject));
}
