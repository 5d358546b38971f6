import { ValidationIssue } from "../errors";
import type { MeshCaller, MeshDenyCaller, MeshPolicyConfig, MeshRelationship, MeshService } from "./mesh-policy-schema";
import { listed, MAX_LISTED_ITEMS } from "../validation/quote";
import { checkExternalReferences } from "./external";
import { formatPath } from "../validation/validate";
import { checkOutOfMeshRelationships } from "./out-of-mesh";
import { checkDryRunServices } from "./staged-enforcement";
import { checkAmbientReferences } from "./ambient";

/**
 * Checks between parts of a structurally valid MeshPolicy input. Each issue names the field at
 * fault and what is allowed instead; the order follows the input.
 */
export function checkMeshPolicyReferences(config: MeshPolicyConfig): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const add = (path: PropertyKey[], message: string) => issues.push({ path: formatPath(path), message });
    const services = checkServices(config, add);
    config.allow.forEach((rel, i) => checkRelationship(rel, ["allow", i], services, add));
    checkJwtIssuers(config, add);
    checkOutOfMeshRelationships(config, add);
    const namespaces = namespacesOf(services);
    config.deny.forEach((rule, i) => {
        const path = ["deny", i];
        const target = rule.to === undefined ? undefined : lookup(rule.to, [...path, "to"], services, add);
        if (rule.toNamespace !== undefined && !namespaces.includes(rule.toNamespace)) {
            add([...path, "toNamespace"], `no declared service lives in namespace "${rule.toNamespace}" (declared namespaces: ${listed(namespaces)})`);
        }
        if (rule.ports !== undefined && rule.toNamespace !== undefined) {
            add([...path, "ports"], "ports can only be used with `to` (a service); a namespace-wide deny covers every port");
        }
        if (target !== undefined) rule.ports?.forEach((p, k) => checkDeclaredPort(target, p, [...path, "ports", k], add));
        rule.unlessFrom.forEach((caller, k) => checkCallerService(caller, [...path, "unlessFrom", k], services, add));
    });
    issues.push(...checkExternalReferences(config));
    issues.push(...checkDryRunServices(config));
    issues.push(...checkAmbientReferences(config, services));
    return issues;
}

type Add = (path: PropertyKey[], message: string) => void;

function checkServices(config: MeshPolicyConfig, add: Add): Map<string, MeshService> {
    const byId = new Map<string, MeshService>();
    const byAccount = new Map<string, MeshService>();
    config.services.forEach((service, i) => {
        const path = ["services", i];
        if (byId.has(service.id)) {
            add([...path, "id"], `duplicate service id "${service.id}" (ids must be unique)`);
            return;
        }
        byId.set(service.id, service);
        // In the root namespace a policy without selector is mesh-wide and a selector matches
        // workloads of every namespace: per-service policies there would reach far beyond it.
        if (service.namespace === config.rootNamespace) {
            add([...path, "namespace"], `${service.namespace} is Istio's root namespace, where policies apply to the whole mesh: declare services of other namespaces only`);
        }
        // The namespace-wide allow-nothing policy and any selector there would also select the
        // ingress gateway's pods: its traffic would be decided by policies written for a service.
        if (service.namespace === config.ingressGateway.namespace) {
            add(
                [...path, "namespace"],
                `${service.namespace} is the ingress gateway's namespace (ingressGateway.namespace): meshguard's namespace-wide policies there would also select the gateway pods. Fix: run the service in its own namespace`,
            );
        }
        const account = `${service.namespace}/${service.serviceAccount}`;
        const sharing = byAccount.get(account);
        if (sharing !== undefined && !config.allowSharedServiceAccounts) {
            add(
                [...path, "serviceAccount"],
                `service "${service.id}" shares service account ${account} with service "${sharing.id}": their identities are indistinguishable (give each its own service account, or set allowSharedServiceAccounts: true)`,
            );
        }
        byAccount.set(account, service);
        const ports = new Map<number, number>();
        const targets = new Map<number, string>();
        service.ports.forEach((p, k) => {
            if (ports.has(p.port)) add([...path, "ports", k, "port"], `duplicate port ${p.port} (also ports[${ports.get(p.port)}])`);
            ports.set(p.port, k);
            const target = p.targetPort ?? p.port;
            const cls = p.protocol === "tcp" ? "tcp" : "http";
            const other = targets.get(target);
            if (other !== undefined && other !== cls) {
                add([...path, "ports", k, "targetPort"], `workload port ${target} is declared both as tcp and as an HTTP protocol`);
            }
            targets.set(target, cls);
        });
    });
    checkOverlappingSelectors(config, add);
    return byId;
}

/**
 * Istio selects a policy's workloads with matchLabels, which cannot exclude a label (istio
 * pilot/pkg/model/policyattachment.go `isSelected`: `selector == nil ||
 * labels.Instance(matchLabels).SubsetOf(workloadLabels)`; pkg/config/labels/instance.go: an empty
 * set is a subset of everything, so `matchLabels: {}` selects every pod like no selector): a pod
 * carrying the labels of two selectors is selected by both services' policies, and the ALLOW
 * policy of one then admits its callers to the other (policies of a workload are ORed). Two
 * matchLabels selectors can select one pod exactly when they agree on every key they share (the
 * pod carries the union of both), so such pairs in one namespace are refused.
 * Cost: pairs of services of one namespace, with early exit on the first differing shared key.
 */
function checkOverlappingSelectors(config: MeshPolicyConfig, add: Add): void {
    const byNamespace = new Map<string, Selected[]>();
    const ids = new Set<string>();
    config.services.forEach((service, index) => {
        if (ids.has(service.id)) return; // a duplicate id is already reported
        ids.add(service.id);
        const list = byNamespace.get(service.namespace) ?? [];
        list.push({ service, index, labels: service.selector ?? { app: service.id } });
        byNamespace.set(service.namespace, list);
    });
    for (const all of byNamespace.values()) {
        for (const list of bucketsThatCanOverlap(all)) reportFirstOverlaps(list, add);
    }
}

type Selected = { service: MeshService; index: number; labels: Record<string, string> };

/**
 * Only selectors that agree on a key every selector of the namespace sets can overlap: grouping
 * by that key's value keeps the usual case (every service `{ app: <id> }`) linear; without such
 * a key, the whole namespace is one group.
 */
function bucketsThatCanOverlap(list: Selected[]): Selected[][] {
    const first = list[0];
    const shared = first === undefined ? undefined : Object.keys(first.labels).find((k) => list.every((s) => Object.prototype.hasOwnProperty.call(s.labels, k)));
    if (shared === undefined) return [list];
    const groups = new Map<string, Selected[]>();
    for (const s of list) {
        const group = groups.get(s.labels[shared]) ?? [];
        group.push(s);
        groups.set(s.labels[shared], group);
    }
    return [...groups.values()];
}

/** For each service (in input order), the first earlier service of `list` whose selector can select one pod with it. */
function reportFirstOverlaps(list: Selected[], add: Add): void {
    for (let j = 1; j < list.length; j++) {
        const later = list[j];
        let clash: Selected | undefined;
        for (let i = 0; i < j && clash === undefined; i++) if (selectorsCanSelectOnePod(list[i].labels, later.labels)) clash = list[i];
        if (clash === undefined) continue;
        add(["services", later.index, later.service.selector === undefined ? "id" : "selector"], overlapMessage(clash, later));
    }
}

/** Two matchLabels selectors can both match one pod iff no shared key has different values. */
export function selectorsCanSelectOnePod(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
    for (const key of Object.keys(a)) {
        if (Object.prototype.hasOwnProperty.call(b, key) && b[key] !== a[key]) return false;
    }
    return true;
}

function overlapMessage(earlier: Selected, later: Selected): string {
    const describe = (s: Selected) =>
        `service "${s.service.id}" (${s.service.selector === undefined ? `services[${s.index}].id, default selector` : `services[${s.index}].selector`} ${labelsText(s.labels)})`;
    const same = JSON.stringify(sortedLabels(earlier.labels)) === JSON.stringify(sortedLabels(later.labels));
    const how = same ? "selects the same workloads as" : "can select the same pods as";
    return (
        `${describe(later)} ${how} ${describe(earlier)} in namespace ${later.service.namespace}: a pod carrying both label sets gets both services' policies, so each service's callers could reach the other. ` +
        `Fix: give them disjoint labels (a key both selectors set with different values, e.g. component: ${later.service.id} and component: ${earlier.service.id})`
    );
}

function labelsText(labels: Record<string, string>): string {
    const entries = sortedEntries(labels);
    const shown = JSON.stringify(sortedLabels(Object.fromEntries(entries.slice(0, MAX_LISTED_ITEMS))));
    return entries.length > MAX_LISTED_ITEMS ? `${shown.slice(0, -1)},… (${entries.length} labels)}` : shown;
}

function sortedLabels(labels: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of sortedEntries(labels)) out[k] = v;
    return out;
}

function sortedEntries(labels: Record<string, string>): [string, string][] {
    return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function namespacesOf(services: Map<string, MeshService>): string[] {
    return [...new Set([...services.values()].map((s) => s.namespace))].sort();
}

function lookup(id: string, path: PropertyKey[], services: Map<string, MeshService>, add: Add): MeshService | undefined {
    const service = services.get(id);
    if (service === undefined) add(path, `unknown service "${id}" (declared: ${listed([...services.keys()].sort())})`);
    return service;
}

function checkCallerService(caller: MeshCaller | MeshDenyCaller, path: PropertyKey[], services: Map<string, MeshService>, add: Add): void {
    if (caller.service !== undefined) lookup(caller.service, [...path, "service"], services, add);
}

function checkDeclaredPort(service: MeshService, port: number, path: PropertyKey[], add: Add): void {
    if (!service.ports.some((p) => p.port === port)) {
        add(path, `service "${service.id}" has no port ${port} (declared: ${listed(service.ports.map((p) => p.port))})`);
    }
}

const HTTP_FIELDS = ["methods", "paths", "hosts", "grpcMethods"] as const;

/**
 * HTTP-only attributes (methods, paths, hosts, JWT request principals) never match TCP traffic
 * (Istio authorization semantics): a relationship using them must target HTTP ports only.
 */
function checkRelationship(rel: MeshRelationship, path: PropertyKey[], services: Map<string, MeshService>, add: Add): void {
    checkCallerService(rel.from, [...path, "from"], services, add);
    const target = lookup(rel.to, [...path, "to"], services, add);
    if (rel.grpcMethods !== undefined && (rel.methods !== undefined || rel.paths !== undefined)) {
        add([...path, "grpcMethods"], "cannot be combined with methods or paths (a gRPC call is POST /package.Service/Method)");
    }
    if (target === undefined) return;
    rel.ports?.forEach((p, k) => checkDeclaredPort(target, p, [...path, "ports", k], add));
    const httpFields: string[] = HTTP_FIELDS.filter((f) => rel[f] !== undefined);
    if (rel.from.endUsers !== undefined) httpFields.push("JWT end users");
    if (httpFields.length === 0) return;
    const fieldList = httpFields.join(", ");
    const fieldPath = rel.from.endUsers !== undefined && httpFields.length === 1 ? ["from", "endUsers"] : [httpFields[0]];
    const grpcOnly = rel.grpcMethods !== undefined;
    const fits = (protocol: string) => (grpcOnly ? protocol === "grpc" || protocol === "http2" : protocol !== "tcp");
    const need = grpcOnly ? "grpc or http2 port" : "HTTP port (http, http2 or grpc)";
    const article = grpcOnly ? "a" : "an";
    if (rel.ports === undefined) {
        if (!target.ports.some((p) => fits(p.protocol))) {
            add([...path, ...fieldPath], `service "${target.id}" has no ${need}, and ${fieldList} only match HTTP traffic`);
        }
        return;
    }
    rel.ports.forEach((p, k) => {
        const declared = target.ports.find((d) => d.port === p);
        if (declared !== undefined && !fits(declared.protocol)) {
            add(
                [...path, "ports", k],
                `port ${p} of service "${target.id}" is ${declared.protocol}, and ${fieldList} only match traffic on ${article} ${need} (list this port in a separate relationship without HTTP fields)`,
            );
        }
    });
}

/** `spec.jwtRules` of a RequestAuthentication: maxItems 4096 in the Istio 1.30 CRD. */
export const MAX_JWT_RULES = 4096;

/**
 * One RequestAuthentication per destination holds one jwtRule per issuer: its key set must be
 * unique, and a destination may have at most MAX_JWT_RULES issuers.
 */
function checkJwtIssuers(config: MeshPolicyConfig, add: Add): void {
    const seen = new Map<string, { jwksUri: string; index: number }>();
    const issuersPerTarget = new Map<string, number>();
    config.allow.forEach((rel, i) => {
        const users = rel.from.endUsers;
        if (users === undefined) return;
        const key = `${rel.to}\u0000${users.issuer}`;
        const first = seen.get(key);
        if (first === undefined) {
            seen.set(key, { jwksUri: users.jwksUri, index: i });
            const count = (issuersPerTarget.get(rel.to) ?? 0) + 1;
            issuersPerTarget.set(rel.to, count);
            if (count === MAX_JWT_RULES + 1) {
                add(
                    ["allow", i, "from", "endUsers", "issuer"],
                    `is the ${count}th distinct issuer for service "${rel.to}"; its RequestAuthentication holds one jwtRule per issuer and Istio accepts at most ${MAX_JWT_RULES}. Fix: accept fewer issuers per service (e.g. federate them behind one issuer)`,
                );
            }
        } else if (first.jwksUri !== users.jwksUri) {
            add(
                ["allow", i, "from", "endUsers", "jwksUri"],
                `issuer ${listed([users.issuer])} is declared with another jwksUri in allow[${first.index}] for service "${rel.to}" (one issuer, one key set)`,
            );
        }
    });
}
