import { K8sManifest } from "../manifest";
import { MeshPolicyConfig, MeshPolicyInput, MeshRelationship, MeshService, parseMeshPolicy } from "../model/mesh-policy";
import { listed } from "../validation/quote";
import { workloadPorts } from "./authz-rules";
import { externalEgressWarnings } from "./external-egress";

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
    return [...jwtOptionalGatewayWarnings(config), ...externalEgressWarnings(config)];
}

/**
 * The warnings of a MeshPolicy input (validated first: throws MeshguardValidationError like
 * `compileMeshPolicy` on invalid input). Pure; the MeshPolicy component logs them.
 */
export function meshPolicyWarnings(input: MeshPolicyInput, subject = "MeshPolicy input"): MeshPolicyWarning[] {
    return meshPolicyConfigWarnings(parseMeshPolicy(input, subject));
}

/** A pair of rules of one ALLOW AuthorizationPolicy: the gateway passes without the token the other rule requires. */
export interface JwtOptionalRulePair {
    /** Index in spec.rules of the rule admitting the gateway principal without a token. */
    readonly gatewayRule: number;
    /** Index in spec.rules of the rule requiring a request principal (a JWT). */
    readonly jwtRule: number;
    /** Workload ports both rules cover, or ["*"] when both cover every port. */
    readonly ports: readonly string[];
}

interface RuleShape {
    from?: { source?: Record<string, unknown> }[];
    to?: { operation?: { ports?: string[] } }[];
    when?: { key?: string }[];
}

/**
 * The same finding on Istio objects, for tools that only see manifests (the policy pack): in the
 * `spec` of an ALLOW AuthorizationPolicy, the rules that admit `gatewayPrincipal` (exactly, in
 * `principals`) with no JWT requirement, paired with the rules in which some caller needs one
 * (a source with `requestPrincipals`, or a `request.auth.*` condition) on a common port — the
 * same rule when both callers were merged into it. Pure; returns [] for other actions.
 */
export function jwtOptionalGatewayRules(spec: unknown, gatewayPrincipal: string): JwtOptionalRulePair[] {
    if (typeof spec !== "object" || spec === null) return [];
    const { action, rules } = spec as { action?: unknown; rules?: unknown };
    if ((action !== undefined && action !== "ALLOW") || !Array.isArray(rules)) return [];
    const shapes: (RuleShape | undefined)[] = rules.map((r: unknown) => (typeof r === "object" && r !== null ? (r as RuleShape) : undefined));
    const pairs: JwtOptionalRulePair[] = [];
    shapes.forEach((gateway, gatewayRule) => {
        if (gateway === undefined || !admitsWithoutToken(gateway, gatewayPrincipal)) return;
        shapes.forEach((jwt, jwtRule) => {
            // jwtRule === gatewayRule too: merged rules list the gateway and JWT callers as sources of one rule.
            if (jwt === undefined || !requiresToken(jwt)) return;
            const ports = commonPorts(rulePorts(gateway), rulePorts(jwt));
            if (ports.length > 0) pairs.push({ gatewayRule, jwtRule, ports });
        });
    });
    return pairs;
}

const hasAuthCondition = (rule: RuleShape) => (rule.when ?? []).some((c) => typeof c?.key === "string" && c.key.startsWith("request.auth."));

function admitsWithoutToken(rule: RuleShape, principal: string): boolean {
    if (hasAuthCondition(rule)) return false;
    return (rule.from ?? []).some((f) => {
        const source = f?.source ?? {};
        const principals = source.principals;
        return Array.isArray(principals) && principals.includes(principal) && source.requestPrincipals === undefined && source.notRequestPrincipals === undefined;
    });
}

/** Some source of the rule (or its conditions) asks for a validated JWT. */
function requiresToken(rule: RuleShape): boolean {
    return hasAuthCondition(rule) || (rule.from ?? []).some((f) => Array.isArray(f?.source?.requestPrincipals));
}

/** The ports a rule covers; undefined means every port. */
function rulePorts(rule: RuleShape): Set<string> | undefined {
    if (rule.to === undefined || rule.to.length === 0) return undefined;
    const ports = new Set<string>();
    for (const to of rule.to) {
        const listed = to?.operation?.ports;
        if (!Array.isArray(listed)) return undefined;
        listed.forEach((p) => ports.add(String(p)));
    }
    return ports;
}

function commonPorts(a: Set<string> | undefined, b: Set<string> | undefined): string[] {
    if (a === undefined && b === undefined) return ["*"];
    const sorted = (s: Iterable<string>) => [...s].sort((x, y) => Number(x) - Number(y) || (x < y ? -1 : x > y ? 1 : 0));
    if (a === undefined) return sorted(b as Set<string>);
    if (b === undefined) return sorted(a);
    return sorted([...a].filter((p) => b.has(p)));
}
