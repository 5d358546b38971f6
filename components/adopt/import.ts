import { DEFAULT_CLUSTER_DOMAIN, DEFAULT_INGRESS_GATEWAY, DEFAULT_ROOT_NAMESPACE, DEFAULT_TRUST_DOMAIN } from "../constants";
import { compileMeshPolicy } from "../compile";
import { MeshguardValidationError } from "../errors";
import { istioKindOf } from "../istio";
import { typeOfObject } from "../kube";
import { MeshDenyRule, MeshPolicyInput, MeshRelationship, MeshService, parseMeshPolicy } from "../model";
import { isWidening } from "./diff-format";
import { translateDestinationRule, translatePeerAuthentication, translateRequestAuthentication } from "./import-authentication";
import { JwtIssuers, translateAuthorizationPolicy } from "./import-authorization";
import { ImportContext, objectLabel, Problem } from "./import-context";
import { ImportFinding } from "./import-findings";
import { importServices, ImportedService } from "./import-services";
import { diffMeshObjects, MeshDiff, weakensMtls } from "./mesh-diff";

/**
 * `meshguard import`: existing Istio security objects → the MeshPolicy input that expresses them,
 * where it can, and a proof by simulation. Every object is translated whole or kept as is
 * (reported with the field that cannot be expressed); the original objects and the compiled
 * input, with the kept objects applied unchanged next to it, are probed over the same workloads
 * (components/adopt/mesh-diff.ts) and every difference is reported.
 */

export interface ImportOptions {
    readonly trustDomain?: string;
    readonly rootNamespace?: string;
    readonly ingressGateway?: { readonly namespace: string; readonly serviceAccount: string };
}

/** The input cannot be imported at all (exit 2): not Istio, or no service to declare. */
export class ImportInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ImportInputError";
    }
}

/**
 * equivalent: identical reachability and mTLS, nothing kept; broader: something newly allowed or
 * an mTLS mode weakened (never silent); narrower: newly denied or mTLS strengthened; partial: same
 * reachability only because objects stay as they are.
 */
export type ImportVerdict = "equivalent" | "broader" | "narrower" | "partial";

export interface MeshImport {
    readonly input: MeshPolicyInput;
    /** Objects translated, with what they became. */
    readonly imported: readonly { readonly object: string; readonly became: string }[];
    /** Kept objects (kept: true) and notes. */
    readonly findings: readonly ImportFinding[];
    readonly diff: MeshDiff;
    readonly verdict: ImportVerdict;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function importMeshPolicy(objects: readonly unknown[], options: ImportOptions = {}): MeshImport {
    const trustDomain = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    const rootNamespace = options.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
    const ingressGateway = options.ingressGateway ?? DEFAULT_INGRESS_GATEWAY;
    const security = objects.filter((o) => {
        const type = typeOfObject(o);
        return type !== undefined && istioKindOf(type.apiVersion, type.kind) !== undefined;
    });
    if (security.length === 0) {
        throw new ImportInputError("no Istio security object (AuthorizationPolicy, PeerAuthentication, RequestAuthentication, DestinationRule) among the input: nothing to import. Fix: give the files or directories that hold the mesh's policies");
    }
    const reserved = new Map([[rootNamespace, "the root namespace"]]);
    if (!reserved.has(ingressGateway.namespace)) reserved.set(ingressGateway.namespace, "the ingress gateway's namespace (--ingress-gateway)");
    const read = importServices(objects, { reserved });
    const findings: ImportFinding[] = [...read.findings];
    const base = (services: readonly ImportedService[]): MeshPolicyInput => ({
        services: services.map((s) => s.service),
        ...(trustDomain !== DEFAULT_TRUST_DOMAIN ? { trustDomain } : {}),
        ...(options.ingressGateway !== undefined ? { ingressGateway: { namespace: ingressGateway.namespace, serviceAccount: ingressGateway.serviceAccount } } : {}),
        ...(rootNamespace !== DEFAULT_ROOT_NAMESPACE ? { rootNamespace } : {}),
        ...(sharesAccounts(services) ? { allowSharedServiceAccounts: true } : {}),
        networkPolicies: false,
    });
    const services = declarableServices(read.services, base, findings);
    const ctx: ImportContext = { trustDomain, rootNamespace, ingressGateway, services, workloads: read.workloads };
    const skeleton = base(services);

    const imported = new Map<unknown, string>();
    const keep = (object: unknown, problems: readonly Problem[]) => problems.forEach((p) => findings.push({ object: objectLabel(object), field: p.field, problem: p.problem, kept: true }));
    const note = (object: unknown, p: Problem) => findings.push({ object: objectLabel(object), field: p.field, problem: p.problem, kept: false });
    const kindOf = (o: unknown) => istioKindOf(String((o as { apiVersion: unknown }).apiVersion), String((o as { kind: unknown }).kind));

    // RequestAuthentications first: end users' relationships need their issuers.
    const issuers = new Map<string, Map<string, { jwksUri: string; audiences?: readonly string[] }>>();
    const jwt: { object: unknown; pairs: string[] }[] = [];
    for (const object of security.filter((o) => kindOf(o) === "RequestAuthentication")) {
        const t = translateRequestAuthentication(ctx, object);
        if (t.problems.length > 0) {
            keep(object, t.problems);
            continue;
        }
        for (const id of t.services) {
            const map = issuers.get(id) ?? new Map();
            for (const [issuer, rule] of t.issuers) map.set(issuer, rule);
            issuers.set(id, map);
        }
        jwt.push({ object, pairs: t.services.flatMap((id) => [...t.issuers.keys()].map((iss) => `${id}\u0000${iss}`)) });
    }

    const allow: MeshRelationship[] = [];
    const deny: MeshDenyRule[] = [];
    const defaultDeny = new Set<string>();
    const usedIssuers = new Set<string>();
    for (const object of security.filter((o) => kindOf(o) === "AuthorizationPolicy")) {
        const t = translateAuthorizationPolicy(ctx, object, issuers as JwtIssuers);
        const problems = t.problems.length > 0 ? t.problems : declarationProblems({ ...skeleton, allow: t.allow, deny: t.deny });
        if (problems.length > 0) {
            keep(object, problems);
            continue;
        }
        t.notes.forEach((n) => note(object, n));
        allow.push(...t.allow);
        deny.push(...t.deny);
        t.issuers.forEach((i) => usedIssuers.add(i));
        if (t.defaultDeny !== undefined) defaultDeny.add(t.defaultDeny);
        imported.set(object, t.defaultDeny !== undefined ? `defaultDeny (namespace ${t.defaultDeny})` : [t.allow.length > 0 ? plural(t.allow.length, "relationship") : "", t.deny.length > 0 ? plural(t.deny.length, "deny rule") : ""].filter((x) => x !== "").join(", "));
    }
    for (const { object, pairs } of jwt) {
        const unused = pairs.filter((p) => !usedIssuers.has(p));
        if (unused.length === 0) {
            imported.set(object, "end users' issuers");
            continue;
        }
        keep(object, unused.map((p) => {
            const [service, issuer] = p.split("\u0000");
            return { field: "spec.jwtRules", problem: `issuer ${issuer} is required by no translated ALLOW rule of service ${service} (a MeshPolicy validates the tokens of its end users only)` };
        }));
    }

    const strict = new Set<string>();
    for (const object of security.filter((o) => kindOf(o) === "PeerAuthentication")) {
        const t = translatePeerAuthentication(ctx, object);
        if (t.strictNamespace === undefined) keep(object, t.problems);
        else {
            strict.add(t.strictNamespace);
            imported.set(object, `mtls: STRICT (namespace ${t.strictNamespace})`);
        }
    }
    let destinationRules = false;
    for (const object of security.filter((o) => kindOf(o) === "DestinationRule")) {
        const t = translateDestinationRule(ctx, object, DEFAULT_CLUSTER_DOMAIN);
        if (t.note !== undefined) note(object, t.note);
        else if (t.service === undefined) keep(object, t.problems);
        else {
            destinationRules = true;
            imported.set(object, `destinationRules: true (${t.service})`);
        }
    }

    const { networkPolicies, ...identity } = skeleton;
    const input: MeshPolicyInput = {
        ...identity,
        allow: uniqueSorted(allow),
        ...(deny.length > 0 ? { deny: uniqueSorted(deny) } : {}),
        defaultDeny: defaultDeny.size > 0,
        mtls: strict.size > 0 ? "STRICT" : "inherit",
        ...(destinationRules ? { destinationRules: true } : {}),
        networkPolicies,
    };
    parseMeshPolicy(input, "imported MeshPolicy input (meshguard bug: please report)");
    const after = [...objects.filter((o) => !imported.has(o)), ...compileMeshPolicy(input)];
    const diff = diffMeshObjects(objects, after, { rootNamespace, trustDomain });
    const verdict: ImportVerdict = isWidening(diff)
        ? "broader"
        : diff.denied.length > 0 || diff.mtls.some((m) => !weakensMtls(m))
          ? "narrower"
          : findings.some((f) => f.kept)
            ? "partial"
            : "equivalent";
    return {
        input,
        imported: [...imported.entries()].map(([o, became]) => ({ object: objectLabel(o), became })),
        findings,
        diff,
        verdict,
    };
}

function sharesAccounts(services: readonly ImportedService[]): boolean {
    const accounts = services.map((s) => `${s.service.namespace}/${s.service.serviceAccount}`);
    return new Set(accounts).size !== accounts.length;
}

/** Validation issues of a would-be input, as problems of the object that contributed them. */
function declarationProblems(input: MeshPolicyInput): Problem[] {
    try {
        parseMeshPolicy(input);
        return [];
    } catch (err) {
        if (!(err instanceof MeshguardValidationError)) throw err;
        return err.issues.map((i) => ({ field: "spec", problem: `a MeshPolicy cannot declare it: ${i.path}: ${i.message}` }));
    }
}

/**
 * The services a MeshPolicy accepts together: a Service the input validation rejects (a selector
 * overlapping another's, for instance) is left out and reported, then the rest is checked again.
 */
function declarableServices(services: readonly ImportedService[], base: (s: readonly ImportedService[]) => MeshPolicyInput, findings: ImportFinding[]): ImportedService[] {
    let current = [...services];
    while (current.length > 0) {
        let issues: readonly { path: string; message: string }[];
        try {
            parseMeshPolicy(base(current));
            return current;
        } catch (err) {
            if (!(err instanceof MeshguardValidationError)) throw err;
            issues = err.issues;
        }
        const rejected = new Map<number, string>();
        for (const issue of issues) {
            const match = /^services\[(\d+)\]/.exec(issue.path);
            if (match === null) throw new ImportInputError(`the services read from the input cannot be declared: ${issue.path}: ${issue.message}`);
            rejected.set(Number(match[1]), `${issue.path.slice(match[0].length).replace(/^\./, "") || "service"}: ${issue.message}`);
        }
        for (const [index, why] of rejected) {
            const s: MeshService = current[index].service;
            findings.push({ object: `Service ${s.namespace}/${s.id}`, field: "spec", problem: `not declared: ${why}`, kept: false });
        }
        current = current.filter((_, i) => !rejected.has(i));
    }
    throw new ImportInputError("no Service among the input selects a workload of the input: a MeshPolicy declares services. Fix: give the Services and the Deployments (or Pods) next to the policies");
}

function uniqueSorted<T>(items: readonly T[]): T[] {
    const byKey = new Map(items.map((i) => [JSON.stringify(i), i]));
    return [...byKey.keys()].sort(compare).map((k) => byKey.get(k) as T);
}
