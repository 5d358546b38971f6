import { DEFAULT_ROOT_NAMESPACE } from "../constants";
import {
    CompiledAuthorizationSpec,
    compileAuthorizationSpec,
    dryRunState,
    istioKindOf,
    namespaceEnrolment,
    namespaceLabels,
    plaintextOnlyRules,
    readPolicyTargets,
    selectorMatches,
    WaypointIndex,
    waypointKey,
} from "../istio";
import { annotationsOf, asList, asRecord, asStringMap, KubeObject, nameOf, namespaceOf, recordAt, stringsAt, typeOfObject } from "../kube";
import { plaintextPeers } from "./out-of-mesh";
import { findWorkloads, WorkloadInfo } from "./workloads";
import { externalAccess } from "./external-hosts";

/** What a node of the access graph stands for. */
export type MeshNodeKind = "workload" | "service-account" | "selector" | "namespace" | "mesh" | "gateway" | "target" | "end-users" | "peers" | "anyone" | "ip" | "outside-mesh" | "external";

export interface MeshGraphNode {
    readonly id: string;
    readonly kind: MeshNodeKind;
    readonly label: string;
    /** The namespace box the node is drawn in (none for callers outside any namespace). */
    readonly namespace?: string;
}

export interface MeshGraphEdge {
    readonly from: string;
    readonly to: string;
    readonly action: "ALLOW" | "DENY" | "AUDIT" | "CUSTOM";
    /** One line per distinct rule operation, e.g. "GET, POST /api/*". */
    readonly labels: readonly string[];
}

/** Who may call whom, as the AuthorizationPolicy objects say. */
export interface MeshGraph {
    readonly nodes: readonly MeshGraphNode[];
    readonly edges: readonly MeshGraphEdge[];
    /** Who may reach which external host (ServiceEntries and egress NetworkPolicies), not AuthorizationPolicies. */
    readonly egress: readonly MeshGraphEdge[];
    /** Namespaces with a namespace-wide ALLOW policy that has no rules (allow-nothing). */
    readonly defaultDenyNamespaces: readonly string[];
    /** An allow-nothing policy in the root namespace makes every workload of the mesh default-deny. */
    readonly meshDefaultDeny: boolean;
    readonly policyCount: number;
    /** Workloads whose pods run without a sidecar: no policy is enforced on them. */
    readonly outsideMesh: readonly { readonly workload: string; readonly reason: string }[];
    /** Policies the simulator's reading rejects (malformed shapes): not drawn. */
    readonly unreadable: readonly string[];
    /**
     * Each namespace's data plane ("ambient, waypoint W", "ambient", "sidecar", "no mesh"), from
     * the Namespace objects and waypoints among the objects: set only when some namespace is ambient.
     */
    readonly dataplanes?: Readonly<Record<string, string>>;
}

export interface MeshGraphOptions {
    /** Istio's root namespace: a policy there without a selector covers the whole mesh. */
    readonly rootNamespace?: string;
}

/** Principal `<trust-domain>/ns/<namespace>/sa/<service-account>` (no `spiffe://`, Istio docs). */
const PRINCIPAL = /^[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/;
/** Service accounts named like a gateway (the gateway chart names its account after the release). */
const GATEWAY_ACCOUNT = /gateway/i;

/**
 * Builds the access graph of every AuthorizationPolicy among `objects`. Destinations are the
 * workloads a policy selects (matched against the workloads among the objects, or shown as the
 * selector when none matches), its namespace, or the whole mesh; callers come from each rule's
 * sources (principals and service accounts resolve to the workloads running as them).
 */
export function buildMeshGraph(objects: readonly KubeObject[], options: MeshGraphOptions = {}): MeshGraph {
    const rootNamespace = options.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
    const waypoints = new WaypointIndex(objects);
    const builder = new GraphBuilder(findWorkloads(objects), waypoints, serviceSelectors(objects));
    for (const workload of builder.workloads) builder.workloadNode(workload);
    const policies = objects.filter((o) => istioKindOf(o.apiVersion, o.kind) === "AuthorizationPolicy");
    const defaultDeny: string[] = [];
    const unreadable: string[] = [];
    for (const policy of policies) {
        const namespace = namespaceOf(policy);
        const subject = `AuthorizationPolicy "${namespace}/${policy.metadata?.name ?? ""}"`;
        // The same reading of the policy as the simulator (components/istio compileAuthorizationSpec).
        let compiled: CompiledAuthorizationSpec;
        try {
            compiled = compileAuthorizationSpec(policy["spec"], subject);
        } catch (err) {
            unreadable.push((err as Error).message);
            continue;
        }
        const spec = asRecord(policy["spec"]);
        const action = compiled.action;
        const rules = asList(spec["rules"]);
        // istiod evaluates a dry-run policy without enforcing it: it denies nothing and allows nothing.
        // An unparsable value is enforced by istiod (components/istio/dry-run.ts).
        const dryRun = dryRunState(annotationsOf(policy)) === "dry-run";
        if (compiled.rules.length === 0) {
            if (action === "ALLOW" && !dryRun && compiled.matchLabels === undefined && !compiled.targeted && !defaultDeny.includes(namespace)) {
                defaultDeny.push(namespace);
            }
            continue;
        }
        const destinations = builder.destinations(namespace, spec, compiled, rootNamespace);
        const plaintext = action === "ALLOW" ? plaintextOnlyRules(policy["spec"]) : new Set<number>();
        for (const [index, rule] of rules.entries()) {
            if (plaintext.has(index)) {
                builder.plaintextEdges(objects, namespace, compiled.matchLabels ?? {}, rule, destinations, dryRun);
                continue;
            }
            const callers = builder.callers(rule);
            const label = ruleLabels(rule, compiled).map((l) => (dryRun ? `dry run, not enforced: ${l}` : l));
            for (const caller of callers) {
                for (const destination of destinations) {
                    builder.edge(caller.node, destination, action, label.map((l) => caller.qualifier ? `${caller.qualifier}: ${l}` : l));
                }
            }
        }
    }
    // External hosts (ServiceEntries) and who may reach them: drawn outside every namespace box.
    const egress: MeshGraphEdge[] = [];
    for (const access of externalAccess(objects, builder.workloads)) {
        const from = access.workload === undefined ? builder.namespaceNode(access.namespace) : builder.workloadNode(access.workload);
        const to = builder.externalNode(access.host);
        const labels = access.labels.map((l) => `egress ${l}${access.sidecarOnly ? " (sidecar only, no NetworkPolicy)" : ""}`);
        const existing = egress.findIndex((e) => e.from === from && e.to === to);
        if (existing < 0) egress.push({ from, to, action: "ALLOW", labels: unique(labels) });
        else egress[existing] = { ...egress[existing], labels: unique([...egress[existing].labels, ...labels]) };
    }
    return {
        nodes: builder.nodes,
        edges: builder.edges,
        egress,
        defaultDenyNamespaces: defaultDeny.filter((ns) => ns !== rootNamespace),
        meshDefaultDeny: defaultDeny.includes(rootNamespace),
        policyCount: policies.length,
        outsideMesh: builder.workloads.filter((w) => !w.inMesh).map((w) => ({ workload: `${w.namespace}/${w.name}`, reason: w.meshReason })),
        unreadable,
        ...dataplanes(objects, waypoints),
    };
}

/** The data plane of every Namespace among the objects, when one of them is ambient (components/istio/enrolment). */
function dataplanes(objects: readonly KubeObject[], waypoints: WaypointIndex): { dataplanes?: Record<string, string> } {
    const out: Record<string, string> = {};
    let ambient = false;
    for (const [namespace, labels] of namespaceLabels(objects)) {
        const mode = namespaceEnrolment(labels).mode;
        if (mode !== "ambient") {
            out[namespace] = mode === "sidecar" ? "sidecar" : "no mesh";
            continue;
        }
        ambient = true;
        const waypoint = waypoints.forService({ namespace, labels: {} }).waypoint;
        out[namespace] = waypoint === undefined ? "ambient" : `ambient, waypoint ${waypoint.namespace === namespace ? waypoint.name : waypointKey(waypoint.namespace, waypoint.name)}`;
    }
    return ambient ? { dataplanes: out } : {};
}

/** `namespace/name` of every Service among the objects → its selector. */
function serviceSelectors(objects: readonly KubeObject[]): Map<string, Record<string, string>> {
    const out = new Map<string, Record<string, string>>();
    for (const o of objects) {
        const type = typeOfObject(o);
        const name = nameOf(o);
        if (type?.apiVersion === "v1" && type.kind === "Service" && name !== undefined) out.set(`${namespaceOf(o)}/${name}`, asStringMap(asRecord(o["spec"])["selector"]));
    }
    return out;
}

interface Caller {
    readonly node: string;
    /** Extra conditions on the caller, such as a required JWT or an excluded namespace. */
    readonly qualifier?: string;
}

class GraphBuilder {
    readonly nodes: MeshGraphNode[] = [];
    readonly edges: MeshGraphEdge[] = [];
    private readonly byKey = new Map<string, MeshGraphNode>();
    private readonly usedIds = new Set<string>();

    constructor(
        readonly workloads: readonly WorkloadInfo[],
        private readonly waypoints: WaypointIndex,
        private readonly services: ReadonlyMap<string, Record<string, string>>,
    ) {}

    workloadNode(w: WorkloadInfo): string {
        return this.node(`workload:${w.namespace}/${w.name}`, "workload", w.inMesh ? w.name : `${w.name} (no sidecar)`, w.namespace);
    }

    namespaceNode(namespace: string): string {
        return this.node(`namespace:${namespace}`, "namespace", "any workload", namespace);
    }

    externalNode(host: string): string {
        return this.node(`external:${host}`, "external", `external host ${host}`);
    }

    /** The nodes a policy applies to. */
    destinations(namespace: string, spec: Record<string, unknown>, compiled: CompiledAuthorizationSpec, rootNamespace: string): string[] {
        // The one reading of targetRef(s) (components/istio/target-refs.ts).
        const refs = readPolicyTargets(spec).refs;
        if (refs.length > 0) {
            return refs.flatMap((ref) => {
                const { kind, name } = ref;
                if (ref.target === "Gateway") {
                    const waypoint = this.waypoints.waypoints.has(waypointKey(namespace, name));
                    return [this.node(`gateway:${namespace}/${name}`, "gateway", `${waypoint ? "waypoint" : "gateway"} ${name}`, namespace)];
                }
                // A Service's policy (enforced by its waypoint) reaches the workloads the Service selects.
                const selector = ref.target === "Service" ? this.services.get(`${namespace}/${name}`) : undefined;
                const selected = selector === undefined || Object.keys(selector).length === 0 ? [] : this.workloads.filter((w) => w.namespace === namespace && selectorMatches(selector, w.podLabels));
                if (selected.length > 0) return selected.map((w) => this.workloadNode(w));
                return [this.node(`target:${namespace}/${kind}/${name}`, "target", `${kind} ${name}`, namespace)];
            });
        }
        const matchLabels = compiled.matchLabels ?? {};
        const acrossMesh = namespace === rootNamespace;
        if (Object.keys(matchLabels).length === 0) {
            return [acrossMesh
                ? this.node("mesh", "mesh", "every workload in the mesh")
                : this.node(`namespace:${namespace}`, "namespace", "any workload", namespace)];
        }
        const selected = this.workloads.filter((w) => (acrossMesh || w.namespace === namespace) && selectorMatches(matchLabels, w.podLabels));
        if (selected.length > 0) return selected.map((w) => this.workloadNode(w));
        const selector = Object.entries(matchLabels).map(([k, v]) => `${k}=${v}`).join(", ");
        if (matchLabels["istio"] === "ingressgateway") {
            return [this.node(`gateway:${namespace}/${selector}`, "gateway", "ingress gateway", namespace)];
        }
        return [this.node(`selector:${namespace}/${selector}`, "selector", acrossMesh ? `${selector} (any namespace)` : selector, acrossMesh ? undefined : namespace)];
    }

    /**
     * A rule admitting only plaintext callers on named ports: its callers are the out-of-mesh pods
     * the NetworkPolicies admit to those ports (out-of-mesh.ts), each edge labelled with its ports.
     */
    plaintextEdges(objects: readonly KubeObject[], namespace: string, matchLabels: Record<string, string>, rule: unknown, destinations: readonly string[], dryRun: boolean): void {
        const ports = asList(asRecord(rule)["to"]).flatMap((to) => stringsAt(recordAt(to, ["operation"]) ?? {}, "ports") ?? []);
        const selected = this.workloads.filter((w) => w.namespace === namespace && selectorMatches(matchLabels, w.podLabels));
        const labelsOfPods = selected.length > 0 ? selected.map((w) => w.podLabels) : [matchLabels];
        const prefix = dryRun ? "dry run, not enforced: " : "";
        for (const podLabels of labelsOfPods) {
            const peers = plaintextPeers(objects, this.workloads, namespace, podLabels, ports);
            const callers = peers.map((p) => ({
                node: p.workload !== undefined ? this.workloadNode(p.workload) : this.outsideNode(p.namespace, p.selector),
                label: `${prefix}plaintext: port ${p.ports.join(", ")}`,
            }));
            if (callers.length === 0) callers.push({ node: this.anyone(), label: `${prefix}plaintext, no NetworkPolicy names the callers: port ${ports.join(", ")}` });
            for (const caller of callers) for (const destination of destinations) this.edge(caller.node, destination, "ALLOW", [caller.label]);
        }
    }

    private outsideNode(namespace: string, selector: Readonly<Record<string, string>> | undefined): string {
        const pods = selector === undefined ? "every pod" : Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(", ");
        return this.node(`outside:${namespace}/${pods}`, "outside-mesh", `${pods} (outside the mesh)`, namespace);
    }

    /** The callers of one rule: one per value of the source's primary identity field. */
    callers(rule: unknown): Caller[] {
        const from = asList(asRecord(rule)["from"]);
        if (from.length === 0) return [{ node: this.anyone() }];
        return from.flatMap((entry) => this.sourceCallers(recordAt(entry, ["source"]) ?? {}));
    }

    private sourceCallers(source: Record<string, unknown>): Caller[] {
        const field = (name: string) => stringsAt(source, name) ?? [];
        const identities: [string, (value: string) => string[]][] = [
            ["principals", (v) => this.principalNodes(v)],
            ["serviceAccounts", (v) => this.serviceAccountNodes(v)],
            ["namespaces", (v) => [v === "*" ? this.peers() : this.node(`namespace:${v}`, "namespace", "any workload", v)]],
            ["requestPrincipals", (v) => [this.endUsers(v)]],
            ["ipBlocks", (v) => [this.node(`ip:${v}`, "ip", `IP ${v}`)]],
            ["remoteIpBlocks", (v) => [this.node(`ip:${v}`, "ip", `remote IP ${v}`)]],
        ];
        const primary = identities.find(([name]) => field(name).length > 0);
        const qualifiers: string[] = [];
        for (const [name] of identities) {
            if (name !== primary?.[0] && field(name).length > 0) qualifiers.push(`${QUALIFIER_TEXT[name]} ${field(name).join(" or ")}`);
            const negated = field(`not${name[0].toUpperCase()}${name.slice(1)}`);
            if (negated.length > 0) qualifiers.push(`${QUALIFIER_TEXT[name]} not ${negated.join(" or ")}`);
        }
        const qualifier = qualifiers.length > 0 ? qualifiers.join(", ") : undefined;
        if (!primary) return [{ node: this.anyone(), qualifier }];
        return field(primary[0]).flatMap((value) => primary[1](value).map((node) => ({ node, qualifier })));
    }

    private principalNodes(principal: string): string[] {
        if (principal === "*") return [this.peers()];
        const match = PRINCIPAL.exec(principal);
        if (!match) return [this.node(`principal:${principal}`, "service-account", `principal ${principal}`)];
        return this.identityNodes(match[1], match[2]);
    }

    /** `serviceAccounts` entries are `<namespace>/<name>`. */
    private serviceAccountNodes(entry: string): string[] {
        const slash = entry.indexOf("/");
        return slash < 0
            ? [this.node(`principal:${entry}`, "service-account", `service account ${entry}`)]
            : this.identityNodes(entry.slice(0, slash), entry.slice(slash + 1));
    }

    /** The workloads running as the account (each may call), else the gateway or the account itself. */
    private identityNodes(namespace: string, account: string): string[] {
        const running = this.workloads.filter((w) => w.namespace === namespace && w.serviceAccount === account);
        if (running.length > 0) return running.map((w) => this.workloadNode(w));
        // A waypoint's identity (components/istio/waypoints.ts): the node its targetRef policies use.
        const waypoint = [...this.waypoints.waypoints.values()].find((w) => w.namespace === namespace && w.serviceAccount === account);
        if (waypoint !== undefined) return [this.node(`gateway:${namespace}/${waypoint.name}`, "gateway", `waypoint ${waypoint.name}`, namespace)];
        if (GATEWAY_ACCOUNT.test(account)) return [this.node(`gateway:${namespace}/${account}`, "gateway", `ingress gateway (${account})`, namespace)];
        return [this.node(`sa:${namespace}/${account}`, "service-account", `service account ${account}`, namespace)];
    }

    private endUsers(requestPrincipal: string): string {
        if (requestPrincipal === "*") return this.node("end-users:*", "end-users", "end users with a valid JWT");
        const slash = requestPrincipal.lastIndexOf("/");
        const issuer = slash < 0 ? requestPrincipal : requestPrincipal.slice(0, slash);
        const subject = slash < 0 ? "*" : requestPrincipal.slice(slash + 1);
        const label = subject === "*" ? `end users of ${issuer}` : `end user ${subject} of ${issuer}`;
        return this.node(`end-users:${requestPrincipal}`, "end-users", label);
    }

    private anyone(): string {
        return this.node("anyone", "anyone", "any caller");
    }

    private peers(): string {
        return this.node("peers", "peers", "any mTLS workload");
    }

    edge(from: string, to: string, action: MeshGraphEdge["action"], labels: string[]): void {
        const existing = this.edges.findIndex((e) => e.from === from && e.to === to && e.action === action);
        if (existing < 0) {
            this.edges.push({ from, to, action, labels: unique(labels) });
        } else {
            this.edges[existing] = { ...this.edges[existing], labels: unique([...this.edges[existing].labels, ...labels]) };
        }
    }

    private node(key: string, kind: MeshNodeKind, label: string, namespace?: string): string {
        const found = this.byKey.get(key);
        if (found) return found.id;
        const base = key.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "") || "node";
        let id = base;
        for (let n = 2; this.usedIds.has(id); n++) id = `${base}_${n}`;
        this.usedIds.add(id);
        const node: MeshGraphNode = namespace === undefined ? { id, kind, label } : { id, kind, label, namespace };
        this.nodes.push(node);
        this.byKey.set(key, node);
        return id;
    }
}

const QUALIFIER_TEXT: Readonly<Record<string, string>> = {
    principals: "principal",
    serviceAccounts: "service account",
    namespaces: "namespace",
    requestPrincipals: "JWT principal",
    ipBlocks: "IP",
    remoteIpBlocks: "remote IP",
};

/** One label per `to` operation of the rule (or "any request"), followed by its `when` conditions. */
function ruleLabels(rule: unknown, compiled: CompiledAuthorizationSpec): string[] {
    const operations = asList(asRecord(rule)["to"]).map((to) => operationLabel(recordAt(to, ["operation"]) ?? {}));
    const conditions = asList(asRecord(rule)["when"]).map(conditionLabel);
    const prefix = compiled.action === "CUSTOM" ? `CUSTOM ${compiled.provider ?? ""} ` : "";
    const when = conditions.length > 0 ? ` when ${conditions.join(" and ")}` : "";
    return (operations.length > 0 ? operations : ["any request"]).map((op) => `${prefix}${op}${when}`);
}

function operationLabel(operation: Record<string, unknown>): string {
    const parts: string[] = [];
    const add = (field: string, render: (values: string[]) => string) => {
        const values = stringsAt(operation, field);
        if (values && values.length > 0) parts.push(render(values));
    };
    add("methods", (v) => v.join(", "));
    add("notMethods", (v) => `not ${v.join(", ")}`);
    add("paths", (v) => v.join(" "));
    add("notPaths", (v) => `not ${v.join(" ")}`);
    add("ports", (v) => `port ${v.join(", ")}`);
    add("notPorts", (v) => `not port ${v.join(", ")}`);
    add("hosts", (v) => `host ${v.join(", ")}`);
    add("notHosts", (v) => `not host ${v.join(", ")}`);
    return parts.length > 0 ? parts.join(" ") : "any request";
}

function conditionLabel(condition: unknown): string {
    const key = String(asRecord(condition)["key"] ?? "");
    const values = stringsAt(condition, "values");
    const notValues = stringsAt(condition, "notValues");
    const parts: string[] = [];
    if (values && values.length > 0) parts.push(`${key} = ${values.join(" or ")}`);
    if (notValues && notValues.length > 0) parts.push(`${key} != ${notValues.join(" or ")}`);
    return parts.join(" and ") || key;
}

function unique(values: string[]): string[] {
    return [...new Set(values)];
}
