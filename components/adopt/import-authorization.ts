import { dryRunState } from "../istio";
import { asList, asRecord, asStringMap, namespaceOf } from "../kube";
import { HTTP_METHODS, MeshCaller, MeshDenyCaller, MeshDenyRule, MeshEndUsers, MeshRelationship } from "../model";
import { quoted } from "../validation/quote";
import { ImportContext, principalCaller, Problem, selectedServices, servicePortsOf } from "./import-context";
import { ImportedService } from "./import-services";

/**
 * One AuthorizationPolicy → MeshPolicy relationships, deny rules or a namespace's default deny,
 * where the translation is exact; otherwise the problems that keep it as is. A policy is
 * translated whole or not at all: a partly translated policy would change what its other rules
 * mean next to the kept original.
 */

/** Issuers a RequestAuthentication declares for a service (only exactly translatable ones). */
export type JwtIssuers = ReadonlyMap<string, ReadonlyMap<string, { readonly jwksUri: string; readonly audiences?: readonly string[] }>>;

export interface AuthorizationTranslation {
    readonly allow: MeshRelationship[];
    readonly deny: MeshDenyRule[];
    /** The namespace this allow-nothing policy makes default deny. */
    readonly defaultDeny?: string;
    /** `serviceId\u0000issuer` pairs whose RequestAuthentication the relationships rely on. */
    readonly issuers: string[];
    readonly problems: Problem[];
    readonly notes: Problem[];
}

const SOURCE_REASONS: Readonly<Record<string, string>> = {
    notPrincipals: "notPrincipals (negative match) in an ALLOW rule is not expressible: a MeshPolicy lists its callers",
    notNamespaces: "notNamespaces (negative match) in an ALLOW rule is not expressible: a MeshPolicy lists its callers",
    notRequestPrincipals: "notRequestPrincipals is not expressible",
    ipBlocks: "ipBlocks (caller IP ranges) is not expressible: a MeshPolicy authorizes identities",
    notIpBlocks: "notIpBlocks (caller IP ranges) is not expressible: a MeshPolicy authorizes identities",
    remoteIpBlocks: "remoteIpBlocks (client IP ranges) is not expressible: a MeshPolicy authorizes identities",
    notRemoteIpBlocks: "notRemoteIpBlocks (client IP ranges) is not expressible: a MeshPolicy authorizes identities",
    serviceAccounts: "serviceAccounts is not translated (write the callers as principals)",
    notServiceAccounts: "notServiceAccounts (negative match) is not expressible",
};

const OPERATION_REASONS: Readonly<Record<string, string>> = {
    notPaths: "notPaths (negative match) is not expressible: a MeshPolicy allows listed paths only",
    notMethods: "notMethods (negative match) is not expressible: a MeshPolicy allows listed methods only",
    notPorts: "notPorts (negative match) is not expressible: a MeshPolicy allows listed ports only",
    notHosts: "notHosts (negative match) is not expressible: a MeshPolicy allows listed hosts only",
};

const strings = (v: unknown): string[] => asList(v).filter((x): x is string => typeof x === "string");
const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const METHODS: readonly string[] = HTTP_METHODS;

export function translateAuthorizationPolicy(ctx: ImportContext, object: unknown, issuers: JwtIssuers): AuthorizationTranslation {
    const out: AuthorizationTranslation = { allow: [], deny: [], issuers: [], problems: [], notes: [] };
    const record = asRecord(object);
    const spec = asRecord(record["spec"]);
    const namespace = namespaceOf(object);
    const problems = out.problems;
    if (dryRunState(asStringMap(asRecord(record["metadata"])["annotations"])) === "dry-run") {
        problems.push({ field: 'metadata.annotations["istio.io/dry-run"]', problem: "a dry-run policy (evaluated, not enforced) is kept as is: MeshPolicy's dryRun puts all of its policies in dry run, not one" });
        return out;
    }
    const action = typeof spec["action"] === "string" ? spec["action"] : "ALLOW";
    if (action === "CUSTOM" || action === "AUDIT") {
        problems.push({ field: "spec.action", problem: `${action} is not expressible (a MeshPolicy emits ALLOW and DENY policies only)` });
        return out;
    }
    if (spec["targetRef"] !== undefined || spec["targetRefs"] !== undefined) {
        problems.push({ field: spec["targetRef"] !== undefined ? "spec.targetRef" : "spec.targetRefs", problem: "a policy attached to a gateway or waypoint is not expressible (a MeshPolicy selects workloads)" });
        return out;
    }
    // istiod looks a workload's policies up in its own namespace AND the root namespace, selector
    // or not (pilot/pkg/model/authorization.go ListAuthorizationPolicies): a root-namespace policy
    // is mesh-wide, which no MeshPolicy field expresses.
    if (namespace === ctx.rootNamespace) {
        problems.push({ field: "metadata.namespace", problem: `in the root namespace ${ctx.rootNamespace} it applies mesh-wide: not expressible (a MeshPolicy's policies apply in its services' namespaces)` });
        return out;
    }
    const rules = asList(spec["rules"]);
    if (action === "ALLOW" && rules.length === 0) {
        if (spec["selector"] !== undefined) {
            problems.push({ field: "spec.selector", problem: "an allow-nothing policy for chosen workloads is not expressible (defaultDeny applies to whole namespaces)" });
        } else if (!ctx.services.some((s) => s.service.namespace === namespace)) {
            problems.push({ field: "metadata.namespace", problem: `namespace ${namespace} has no declared service: defaultDeny covers the namespaces of the services` });
        } else {
            return { ...out, defaultDeny: namespace };
        }
        return out;
    }
    if (action === "DENY") {
        translateDeny(ctx, namespace, spec, rules, out);
    } else {
        translateAllow(ctx, namespace, spec, rules, issuers, out);
    }
    return out;
}

/** A caller of an ALLOW rule before its target is known: end users need the target's RequestAuthentication. */
type PendingCaller = { caller: MeshCaller } | { requestPrincipals: string[]; field: string };

function translateAllow(ctx: ImportContext, namespace: string, spec: Record<string, unknown>, rules: unknown[], issuers: JwtIssuers, out: AuthorizationTranslation): void {
    const problems = out.problems;
    const targets = selectedServices(ctx, namespace, spec["selector"], problems);
    rules.forEach((ruleValue, i) => {
        const rule = asRecord(ruleValue);
        const at = `spec.rules[${i}]`;
        if (Object.keys(rule).length === 0) {
            problems.push({ field: at, problem: "an empty rule (rules: [{}]) allows every request: not expressible (a MeshPolicy names its callers)" });
            return;
        }
        if (rule["from"] === undefined) {
            problems.push({ field: `${at}.from`, problem: "a rule without from allows any caller (plaintext and outside the mesh too): not expressible (a MeshPolicy names its callers)" });
            return;
        }
        const callers = allowCallers(ctx, rule["from"], at, problems);
        const before = problems.length;
        const when = endUserConditions(rule["when"], at, problems);
        if (when !== undefined && problems.length === before && callers.some((c) => "caller" in c)) {
            problems.push({ field: `${at}.when`, problem: "conditions on callers other than end users (requestPrincipals) are not expressible" });
        }
        const operations = rule["to"] === undefined ? [{}] : asList(rule["to"]).map((t) => asRecord(asRecord(t)["operation"]));
        operations.forEach((operation, k) => {
            const opAt = `${at}.to[${k}].operation`;
            for (const key of Object.keys(operation)) {
                if (OPERATION_REASONS[key] !== undefined) problems.push({ field: `${opAt}.${key}`, problem: OPERATION_REASONS[key] });
            }
            const methods = strings(operation["methods"]);
            for (const m of methods) if (!METHODS.includes(m)) problems.push({ field: `${opAt}.methods`, problem: `${quoted(m)} is not an HTTP method a MeshPolicy can name (${METHODS.join(", ")})` });
        });
        if (problems.length > 0) return;
        for (const target of targets) {
            operations.forEach((operation, k) => {
                const ports = operation["ports"] === undefined ? undefined : servicePortsOf(target, strings(operation["ports"]), `${at}.to[${k}].operation.ports`, problems, out.notes);
                if (operation["ports"] !== undefined && ports === undefined) return;
                const narrowing: Partial<MeshRelationship> = {};
                if (ports !== undefined) narrowing.ports = ports;
                for (const key of ["methods", "paths", "hosts"] as const) {
                    if (operation[key] !== undefined) narrowing[key] = sortedUnique(strings(operation[key]));
                }
                for (const pending of callers) {
                    if ("caller" in pending) {
                        out.allow.push({ from: pending.caller, to: target.service.id, ...narrowing });
                        continue;
                    }
                    for (const users of endUsersOf(target, pending, when, issuers, problems)) {
                        out.allow.push({ from: { endUsers: users }, to: target.service.id, ...narrowing });
                        out.issuers.push(`${target.service.id}\u0000${users.issuer}`);
                    }
                }
            });
        }
    });
}

function allowCallers(ctx: ImportContext, from: unknown, at: string, problems: Problem[]): PendingCaller[] {
    const callers: PendingCaller[] = [];
    asList(from).forEach((entry, j) => {
        const source = asRecord(asRecord(entry)["source"]);
        const srcAt = `${at}.from[${j}].source`;
        for (const key of Object.keys(source)) {
            if (SOURCE_REASONS[key] !== undefined) problems.push({ field: `${srcAt}.${key}`, problem: SOURCE_REASONS[key] });
        }
        const identities = ["principals", "namespaces", "requestPrincipals"].filter((k) => source[k] !== undefined);
        if (identities.length > 1) {
            problems.push({ field: srcAt, problem: `${identities.join(" and ")} in one source must all hold: not expressible (a MeshPolicy caller is one kind)` });
            return;
        }
        for (const value of strings(source["principals"])) {
            const caller = principalCaller(ctx, value, `${srcAt}.principals`, problems);
            if (caller !== undefined) callers.push({ caller });
        }
        for (const value of strings(source["namespaces"])) {
            if (value.includes("*")) problems.push({ field: `${srcAt}.namespaces`, problem: `${quoted(value)} is a pattern: a MeshPolicy names namespaces exactly` });
            else callers.push({ caller: { namespace: value } });
        }
        if (source["requestPrincipals"] !== undefined) callers.push({ requestPrincipals: strings(source["requestPrincipals"]), field: `${srcAt}.requestPrincipals` });
    });
    return callers;
}

interface EndUserConditions {
    audiences?: string[];
    claims?: Record<string, string[]>;
}

/** `when` conditions a MeshPolicy's end users express: token audiences and claims (values only). */
function endUserConditions(when: unknown, at: string, problems: Problem[]): EndUserConditions | undefined {
    if (when === undefined) return undefined;
    const out: EndUserConditions = {};
    asList(when).forEach((c, k) => {
        const condition = asRecord(c);
        const key = String(condition["key"]);
        const claim = /^request\.auth\.claims\[([^\][]+)\]$/.exec(key);
        if (condition["notValues"] !== undefined) {
            problems.push({ field: `${at}.when[${k}].notValues`, problem: `notValues (negative match) of ${quoted(key)} is not expressible` });
        } else if (key === "request.auth.audiences") {
            out.audiences = sortedUnique(strings(condition["values"]));
        } else if (claim !== null) {
            out.claims = { ...out.claims, [claim[1]]: sortedUnique(strings(condition["values"])) };
        } else {
            problems.push({ field: `${at}.when[${k}]`, problem: `the condition ${quoted(key)} is not expressible (a MeshPolicy states token audiences and claims only)` });
        }
    });
    return out;
}

/** `<issuer>/<subject>` values → end users of the issuers the target's RequestAuthentication declares. */
function endUsersOf(target: ImportedService, pending: { requestPrincipals: string[]; field: string }, when: EndUserConditions | undefined, issuers: JwtIssuers, problems: Problem[]): MeshEndUsers[] {
    const known = issuers.get(target.service.id) ?? new Map();
    const subjects = new Map<string, Set<string> | "any">();
    for (const value of pending.requestPrincipals) {
        if (!value.includes("/")) {
            problems.push({ field: pending.field, problem: `${quoted(value)} accepts a token of any issuer: not expressible (a MeshPolicy's end users name their issuer)` });
            continue;
        }
        const issuer = [...known.keys()].filter((iss) => value.startsWith(`${iss}/`)).sort((a, b) => b.length - a.length)[0];
        if (issuer === undefined) {
            problems.push({ field: pending.field, problem: `${quoted(value)}: no translatable RequestAuthentication selecting ${target.service.namespace}/${target.service.id} declares its issuer` });
            continue;
        }
        const subject = value.slice(issuer.length + 1);
        const seen = subjects.get(issuer);
        if (subject === "*" || seen === "any") subjects.set(issuer, "any");
        else subjects.set(issuer, new Set([...(seen ?? []), subject]));
    }
    const users: MeshEndUsers[] = [];
    for (const [issuer, subs] of [...subjects.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const rule = known.get(issuer) as { jwksUri: string; audiences?: readonly string[] };
        // The RequestAuthentication rejects tokens of other audiences (401): a relationship keeps
        // that restriction as its own audiences, intersected with the rule's condition.
        const audiences = rule.audiences === undefined ? when?.audiences : when?.audiences === undefined ? [...rule.audiences] : when.audiences.filter((a) => rule.audiences?.includes(a));
        if (audiences !== undefined && audiences.length === 0) {
            problems.push({ field: pending.field, problem: `no audience both the condition and the RequestAuthentication of issuer ${quoted(issuer)} accept: the rule matches no token` });
            continue;
        }
        const user: MeshEndUsers = { issuer, jwksUri: rule.jwksUri };
        if (audiences !== undefined) user.audiences = sortedUnique(audiences);
        if (when?.claims !== undefined) user.claims = when.claims;
        if (subs !== "any") user.subjects = sortedUnique(subs);
        users.push(user);
    }
    return users;
}

function translateDeny(ctx: ImportContext, namespace: string, spec: Record<string, unknown>, rules: unknown[], out: AuthorizationTranslation): void {
    const problems = out.problems;
    const targets: (ImportedService | undefined)[] = spec["selector"] === undefined ? [undefined] : selectedServices(ctx, namespace, spec["selector"], problems);
    rules.forEach((ruleValue, i) => {
        const rule = asRecord(ruleValue);
        const at = `spec.rules[${i}]`;
        for (const key of Object.keys(rule)) {
            if (key !== "from" && key !== "to") problems.push({ field: `${at}.${key}`, problem: `${key} in a DENY rule is not expressible (a MeshPolicy deny rule exempts callers by identity, optionally on ports)` });
        }
        const from = asList(rule["from"]);
        if (from.length !== 1) {
            problems.push({ field: `${at}.from`, problem: from.length === 0 ? "a DENY rule without from denies every caller: not expressible (use defaultDeny and relationships)" : "several sources in a DENY rule are not expressible (a MeshPolicy deny rule has one list of exemptions)" });
            return;
        }
        const source = asRecord(asRecord(from[0])["source"]);
        const unlessFrom: MeshDenyCaller[] = [];
        for (const key of Object.keys(source)) {
            if (key !== "notPrincipals" && key !== "notNamespaces") problems.push({ field: `${at}.from[0].source.${key}`, problem: `${key} in a DENY rule is not expressible (a MeshPolicy deny rule denies every caller except notPrincipals/notNamespaces)` });
        }
        for (const value of strings(source["notPrincipals"])) {
            const caller = principalCaller(ctx, value, `${at}.from[0].source.notPrincipals`, problems);
            if (caller !== undefined) unlessFrom.push(caller as MeshDenyCaller);
        }
        for (const value of strings(source["notNamespaces"])) {
            if (value.includes("*")) problems.push({ field: `${at}.from[0].source.notNamespaces`, problem: `${quoted(value)} is a pattern: a MeshPolicy names namespaces exactly` });
            else unlessFrom.push({ namespace: value });
        }
        if (Object.keys(source).length === 0) problems.push({ field: `${at}.from[0].source`, problem: "a DENY rule with an empty source denies every caller: not expressible (use defaultDeny and relationships)" });
        const to = rule["to"] === undefined ? undefined : asList(rule["to"]);
        let containerPorts: string[] | undefined;
        if (to !== undefined) {
            const operation = asRecord(asRecord(to[0])["operation"]);
            if (to.length !== 1) problems.push({ field: `${at}.to`, problem: "several operations in a DENY rule are not expressible" });
            for (const key of Object.keys(operation)) {
                if (key !== "ports") problems.push({ field: `${at}.to[0].operation.${key}`, problem: `${key} in a DENY rule is not expressible (a MeshPolicy deny rule narrows by ports only)` });
            }
            containerPorts = strings(operation["ports"]);
        }
        if (problems.length > 0) return;
        for (const target of targets) {
            if (target === undefined) {
                if (containerPorts !== undefined) {
                    problems.push({ field: `${at}.to[0].operation.ports`, problem: "ports of a namespace-wide DENY rule are not expressible (a MeshPolicy deny rule for a namespace covers every port)" });
                    return;
                }
                out.deny.push({ toNamespace: namespace, unlessFrom });
                continue;
            }
            const ports = containerPorts === undefined ? undefined : servicePortsOf(target, containerPorts, `${at}.to[0].operation.ports`, problems, out.notes);
            if (containerPorts !== undefined && ports === undefined) return;
            out.deny.push(ports === undefined ? { to: target.service.id, unlessFrom } : { to: target.service.id, unlessFrom, ports });
        }
    });
}
