import { K8sManifest } from "../manifest";
import type { IstioCondition, IstioOperation } from "../istio/schema/authorization-policy";
import { MeshCaller, MeshPolicyConfig, MeshRelationship, MeshService, MeshServicePort, meshServiceSelector } from "../model/mesh-policy";
import { authorizationPolicy, CallerField, gatewayPrincipal, mergeRules, RuleDraft, servicePrincipal, sortedUnique, workloadPorts } from "./authz-rules";
import { stableName } from "./naming";

/** metadata.name of the ALLOW policy of a service. */
export function allowPolicyName(service: MeshService): string {
    return stableName([service.id, "allow"]);
}

/**
 * One ALLOW AuthorizationPolicy per destination workload listing all of its callers (Istio
 * scales with the number of policies per proxy, so one policy per destination, not per pair).
 * Every operation lists its ports explicitly: only declared ports are ever allowed.
 */
export function compileAllowPolicies(config: MeshPolicyConfig, services: ReadonlyMap<string, MeshService>): K8sManifest[] {
    const drafts = new Map<string, RuleDraft[]>();
    for (const rel of config.allow) {
        const target = services.get(rel.to) as MeshService;
        const caller = callerOf(config, rel.from, services);
        const list = drafts.get(target.id) ?? [];
        for (const operation of operationsOf(rel, target)) {
            list.push({ ...caller, operation });
        }
        drafts.set(target.id, list);
    }
    return [...drafts.entries()].map(([id, list]) => {
        const service = services.get(id) as MeshService;
        return authorizationPolicy(config, allowPolicyName(service), service.namespace, {
            selector: { matchLabels: meshServiceSelector(service) },
            action: "ALLOW",
            rules: mergeRules(list),
        });
    });
}

export function callerOf(config: MeshPolicyConfig, from: MeshCaller, services: ReadonlyMap<string, MeshService>): { field: CallerField; values: string[]; when?: IstioCondition[] } {
    if (from.service !== undefined) return { field: "principals", values: [servicePrincipal(config, services.get(from.service) as MeshService)] };
    if (from.namespace !== undefined) return { field: "namespaces", values: [from.namespace] };
    if (from.ingressGateway !== undefined) return { field: "principals", values: [gatewayPrincipal(config)] };
    const users = from.endUsers;
    if (users === undefined) throw new Error("unreachable: a validated caller has exactly one kind");
    // requestPrincipals are `<iss>/<sub>`; `<iss>/*` is a prefix match: any subject of that issuer.
    const values = (users.subjects ?? ["*"]).map((sub) => `${users.issuer}/${sub}`);
    const when: IstioCondition[] = [];
    if (users.audiences !== undefined) when.push({ key: "request.auth.audiences", values: sortedUnique(users.audiences) });
    for (const claim of Object.keys(users.claims ?? {}).sort()) {
        when.push({ key: `request.auth.claims[${claim}]`, values: sortedUnique((users.claims ?? {})[claim]) });
    }
    return when.length > 0 ? { field: "requestPrincipals", values, when } : { field: "requestPrincipals", values };
}

/**
 * The operations a relationship allows. HTTP attributes never match TCP traffic, so a
 * relationship with methods/paths/hosts/gRPC methods or JWT callers covers only the HTTP ports
 * it targets; without them, HTTP and TCP ports go to separate operations (hence separate rules).
 */
export function operationsOf(rel: MeshRelationship, target: MeshService, portsOf: (ports: readonly MeshServicePort[]) => string[] = workloadPorts): IstioOperation[] {
    const selected = rel.ports === undefined ? target.ports : target.ports.filter((p) => rel.ports?.includes(p.port));
    const httpOnly = rel.methods !== undefined || rel.paths !== undefined || rel.hosts !== undefined || rel.grpcMethods !== undefined || rel.from.endUsers !== undefined;
    if (!httpOnly) {
        const http = selected.filter((p) => p.protocol !== "tcp");
        const tcp = selected.filter((p) => p.protocol === "tcp");
        return [http, tcp].filter((ports) => ports.length > 0).map((ports) => ({ ports: portsOf(ports) }));
    }
    const grpc = rel.grpcMethods !== undefined;
    const eligible = selected.filter((p) => (grpc ? p.protocol === "grpc" || p.protocol === "http2" : p.protocol !== "tcp"));
    const operation: IstioOperation = { ports: portsOf(eligible) };
    if (rel.hosts !== undefined) operation.hosts = sortedUnique(rel.hosts);
    if (grpc) {
        operation.methods = ["POST"];
        operation.paths = sortedUnique((rel.grpcMethods ?? []).map((m) => `/${m}`));
    } else {
        if (rel.methods !== undefined) operation.methods = sortedUnique(rel.methods);
        if (rel.paths !== undefined) operation.paths = sortedUnique(rel.paths);
    }
    return [operation];
}
