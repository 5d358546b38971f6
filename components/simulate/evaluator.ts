import { DEFAULT_INGRESS_GATEWAY, DEFAULT_ROOT_NAMESPACE, DEFAULT_TRUST_DOMAIN } from "../constants";
import { MeshguardValidationError } from "../errors";
import { AuthzAttributes, evaluateRule, GATEWAY_NAME_LABEL, PeerIdentity, RequestAuthIdentity, WAYPOINT_HBONE_PORT, WaypointIndex, workloadEnrolment } from "../istio";
import { ztunnelPolicies } from "./ambient";
import { AmbientRouter, servicePortOf } from "./ambient-route";
import { authorize, AuthzOutcome, authzReason, firstMatch, policyRef } from "./authorize";
import { DestinationPolicies, destinationPolicies, resolveMtls } from "./destination";
import { PolicyInventory } from "./inventory";
import { NetworkEndpoint, NetworkPolicyLayer } from "./network-policy";
import {
    Decision,
    DecisionLayer,
    DecisionStage,
    DryRunOutcome,
    EnforcementHop,
    EnforcementPoint,
    MtlsMode,
    NetworkLayerReport,
    PolicyRef,
    RequestSource,
    SimProtocol,
    SimRequest,
    SimWorkload,
    Verdict,
} from "./types";
import { workloadsFromManifests } from "./workloads";
import { decideExternal, ExternalDecision, OutboundTrafficPolicyMode, ServiceEntryIndex, SimExternalRequest } from "./external";

export interface SimulatorInput {
    /** Istio objects (any served version) and, optionally, Deployments/StatefulSets/DaemonSets/Pods/Services. */
    readonly manifests: readonly unknown[];
    /** Workloads; added to (and overriding by namespace/name) the ones found in `manifests`. */
    readonly workloads?: readonly SimWorkload[];
    /** meshConfig.rootNamespace; default istio-system. */
    readonly rootNamespace?: string;
    /** meshConfig.trustDomain; default cluster.local. */
    readonly trustDomain?: string;
    /** meshConfig.outboundTrafficPolicy.mode, for off-cluster destinations; default Istio's ALLOW_ANY. */
    readonly outboundTrafficPolicy?: OutboundTrafficPolicyMode;
}

/** A caller as the destination's proxy sees it before authorization. */
export interface ResolvedSource {
    readonly label: string;
    readonly inMesh: boolean;
    readonly identity?: PeerIdentity;
    readonly ip?: string;
    /**
     * The proxy that sends the caller's traffic: its sidecar, its node's ztunnel (ambient), an
     * ingress gateway, or none (plaintext). Decides whether a destination's waypoint is on the way.
     */
    readonly proxy: "sidecar" | "ztunnel" | "gateway" | "none";
}

/** What an ambient destination's enforcement points decided. */
interface AmbientOutcome {
    readonly verdict: Verdict;
    readonly stage: DecisionStage;
    readonly reason: string;
    readonly policy?: PolicyRef;
    readonly mtls: Decision["mtls"];
    readonly peer?: PeerIdentity;
    readonly requestAuth?: RequestAuthIdentity;
    readonly dryRun: DryRunOutcome[];
    readonly enforcedBy: EnforcementPoint;
    readonly hops: EnforcementHop[];
}

/**
 * Istio's authorization decision for sidecar workloads, evaluated offline: mTLS
 * (PeerAuthentication) → JWT (RequestAuthentication) → CUSTOM → DENY → "no ALLOW policy: allow"
 * → any ALLOW matches: allow → deny.
 */
export class AuthorizationSimulator {
    readonly rootNamespace: string;
    readonly trustDomain: string;
    readonly inventory: PolicyInventory;
    /** Kubernetes NetworkPolicies (L3/L4), decided before Istio sees anything. */
    readonly network: NetworkPolicyLayer;
    private readonly workloadsByKey = new Map<string, SimWorkload>();
    private readonly destinations = new Map<string, DestinationPolicies>();
    private readonly serviceEntries: ServiceEntryIndex;
    readonly outboundTrafficPolicy: OutboundTrafficPolicyMode;
    /** Waypoints and the labels routing through them (components/istio/waypoints). */
    readonly waypoints: WaypointIndex;
    private readonly ztunnel = new Map<string, ReturnType<typeof ztunnelPolicies>>();
    /** Routing to ambient destinations: Services, waypoints, the policies each waypoint applies. */
    private readonly router: AmbientRouter;

    constructor(input: SimulatorInput) {
        this.serviceEntries = new ServiceEntryIndex(input.manifests);
        this.outboundTrafficPolicy = input.outboundTrafficPolicy ?? "ALLOW_ANY";
        this.rootNamespace = input.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
        this.trustDomain = input.trustDomain ?? DEFAULT_TRUST_DOMAIN;
        this.inventory = new PolicyInventory(input.manifests);
        this.network = new NetworkPolicyLayer(input.manifests);
        this.waypoints = new WaypointIndex(input.manifests);
        this.router = new AmbientRouter(input.manifests, this.waypoints, this.inventory, this.rootNamespace);
        for (const w of [...workloadsFromManifests(input.manifests), ...(input.workloads ?? [])]) {
            this.workloadsByKey.set(`${w.namespace}/${w.name}`, w);
        }
    }

    get workloads(): SimWorkload[] {
        return [...this.workloadsByKey.values()];
    }

    workload(key: string, field = "to"): SimWorkload {
        const w = this.workloadsByKey.get(key);
        if (w === undefined) {
            const known = [...this.workloadsByKey.keys()].slice(0, 20).join(", ");
            throw new MeshguardValidationError("simulated request", [
                { path: field, message: `no workload "${key}" (expected namespace/name of one of: ${known === "" ? "no workloads given" : known})` },
            ]);
        }
        return w;
    }

    /** The policies that apply to a workload (cached). */
    policiesFor(w: SimWorkload): DestinationPolicies {
        const key = `${w.namespace}/${w.name}`;
        let found = this.destinations.get(key);
        if (found === undefined) {
            found = destinationPolicies(this.inventory, w, this.rootNamespace);
            this.destinations.set(key, found);
        }
        return found;
    }

    resolveSource(from: RequestSource): ResolvedSource {
        if ("plaintext" in from) return { label: "a plaintext caller outside the mesh", inMesh: false, proxy: "none" };
        if ("serviceAccount" in from) {
            const [namespace, serviceAccount, extra] = from.serviceAccount.split("/");
            if (!namespace || !serviceAccount || extra !== undefined) {
                throw new MeshguardValidationError("simulated request", [
                    { path: "from.serviceAccount", message: `must be "namespace/serviceAccount" (got ${JSON.stringify(from.serviceAccount)})` },
                ]);
            }
            const known = this.workloads.filter((w) => w.namespace === namespace && (w.serviceAccount ?? "default") === serviceAccount);
            const proxy = isIngressGateway(namespace, serviceAccount, {})
                ? "gateway"
                : known.length === 1
                  ? this.proxyOf(known[0])
                  : this.namespaceDataplane(namespace) === "ambient"
                    ? "ztunnel"
                    : "sidecar";
            return { label: `service account ${from.serviceAccount}`, inMesh: true, identity: this.identity(namespace, serviceAccount), proxy };
        }
        const w = this.workload(from.workload, "from.workload");
        const inMesh = w.inMesh !== false;
        return {
            label: `workload ${w.namespace}/${w.name}${inMesh ? "" : " (no sidecar)"}`,
            inMesh,
            identity: this.identity(w.namespace, w.serviceAccount ?? "default"),
            ip: w.ip,
            proxy: this.proxyOf(w),
        };
    }

    /**
     * A workload's data plane: as declared, else its namespace's labels when the Namespace is
     * among the objects (ambient enrolment, components/istio/enrolment), else sidecar.
     */
    dataplaneOf(w: SimWorkload): "sidecar" | "ambient" {
        if (w.dataplane !== undefined) return w.dataplane;
        const labels = this.waypoints.namespaceLabels(w.namespace);
        if (labels === undefined) return "sidecar";
        return workloadEnrolment({ name: w.namespace, labels }, { labels: w.labels ?? {}, annotations: {} }).dataplane === "ambient" ? "ambient" : "sidecar";
    }

    private namespaceDataplane(namespace: string): "sidecar" | "ambient" {
        const labels = this.waypoints.namespaceLabels(namespace);
        return labels !== undefined && workloadEnrolment({ name: namespace, labels }, { labels: {}, annotations: {} }).dataplane === "ambient" ? "ambient" : "sidecar";
    }

    private proxyOf(w: SimWorkload): ResolvedSource["proxy"] {
        if (w.inMesh === false) return "none";
        if (isIngressGateway(w.namespace, w.serviceAccount ?? "default", w.labels ?? {})) return "gateway";
        return this.dataplaneOf(w) === "ambient" ? "ztunnel" : "sidecar";
    }

    identity(namespace: string, serviceAccount: string): PeerIdentity {
        const principal = `${this.trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
        return { principal, trustDomain: this.trustDomain, namespace, serviceAccount };
    }

    /** Decides one request and explains why (trace, dry-run outcomes, warnings). */
    decide(request: SimRequest): Decision {
        return this.run(request, []);
    }

    /** A request from a pod of the cluster to an address outside it (components/simulate/external.ts). */
    decideExternal(request: SimExternalRequest): ExternalDecision {
        const source = (from: RequestSource): SimWorkload => {
            if ("workload" in from) return this.workload(from.workload, "from.workload");
            const sa = "serviceAccount" in from ? from.serviceAccount : "";
            const matches = this.workloads.filter((w) => `${w.namespace}/${w.serviceAccount ?? "default"}` === sa);
            if (matches.length === 1) return matches[0];
            throw new MeshguardValidationError("simulated request", [
                { path: "from", message: "an off-cluster destination needs a pod of the cluster as the source: a workload, or a service account of exactly one known workload" },
            ]);
        };
        return decideExternal({ network: this.network, serviceEntries: this.serviceEntries, outboundTrafficPolicy: this.outboundTrafficPolicy, source, endpoint: podEndpoint }, request);
    }

    /** The same decision without the trace and dry-run evaluation (faster). */
    verdict(request: SimRequest): Decision {
        return this.run(request, undefined);
    }

    private run(request: SimRequest, trace: string[] | undefined): Decision {
        const dest = this.workload(request.to);
        const source = this.resolveSource(request.from);
        const port = request.port ?? dest.ports?.[0]?.port ?? 80;
        const protocol: SimProtocol = request.protocol ?? dest.ports?.find((p) => p.port === port)?.protocol ?? "http";
        const policies = this.policiesFor(dest);
        const destLabel = `${dest.namespace}/${dest.name}`;
        // A sidecar ignores targetRef policies (warned); an ambient destination's waypoint applies them.
        const targeted = this.dataplaneOf(dest) === "ambient" && dest.inMesh !== false ? [] : policies.targetedWarnings ?? [];
        const warnings = trace === undefined ? [] : [...policies.warnings, ...targeted];
        const result: { mtls: Decision["mtls"]; peer?: PeerIdentity; requestAuth?: RequestAuthIdentity; dryRun: DryRunOutcome[] } = {
            mtls: { mode: "DISABLE", used: false },
            dryRun: [],
        };
        let network: NetworkLayerReport | undefined;
        const finish = (verdict: Verdict, stage: DecisionStage, reason: string, policy?: PolicyRef): Decision => {
            trace?.push(reason);
            const { mtls, peer, requestAuth, dryRun } = result;
            const [peerPrincipal, requestPrincipal] = [peer?.principal, requestAuth?.principal];
            const layer: DecisionLayer = stage === "network-policy" ? "network-policy" : "istio";
            const base = { verdict, layer, stage, reason, policy, mtls, peerPrincipal, requestPrincipal, dryRun, trace: trace ?? [], warnings };
            return network === undefined ? base : { ...base, network };
        };

        const action = protocol === "http" ? ` ${request.method ?? "GET"} ${request.path ?? "/"}` : "";
        trace?.push(`${source.label} → ${destLabel} port ${port}/${protocol}${action}.`);
        if (this.network.count > 0) {
            network = this.networkLayer(request, dest, port);
            if (network.verdict !== "allowed") return finish(network.verdict, "network-policy", network.reason, network.policy);
        }
        if (dest.inMesh === false) {
            const why = dest.meshReason === undefined ? "" : `: ${dest.meshReason}`;
            return finish("allowed", "no-sidecar", `${destLabel} is outside the mesh (no sidecar): nothing enforces mTLS or authorization on it, so the request reaches it as sent (why${why === "" ? ": declared inMesh: false" : why}).`);
        }
        if (this.dataplaneOf(dest) === "ambient") {
            const a = this.ambient(request, dest, source, port, protocol, trace, warnings);
            Object.assign(result, { mtls: a.mtls, peer: a.peer, requestAuth: a.requestAuth, dryRun: a.dryRun });
            return { ...finish(a.verdict, a.stage, a.reason, a.policy), enforcedBy: a.enforcedBy, hops: a.hops };
        }
        const conn = connection(policies, source, port);
        result.mtls = { mode: conn.mode, from: conn.from, used: conn.usesMtls };
        const modeSource =
            conn.from === undefined ? "no PeerAuthentication applies: Istio's default" : `PeerAuthentication ${conn.from.namespace}/${conn.from.name}${conn.portLevel ? ", port-level" : ""}`;
        trace?.push(`mTLS mode for port ${port} is ${conn.mode} (${modeSource}); the connection is ${conn.usesMtls ? "mTLS" : "plaintext"}.`);
        if (conn.refused) {
            return finish("denied", "mtls", `STRICT mTLS on ${destLabel} port ${port} rejects the plaintext connection of ${source.label}.`, conn.from);
        }
        result.peer = conn.peer;
        if (!conn.usesMtls) trace?.push("Without mTLS the caller has no principal or namespace: principals/namespaces never match it.");

        if (request.jwt !== undefined && protocol === "tcp") {
            warnings.push("a JWT was given for TCP traffic; tokens are HTTP headers, so it is ignored");
        } else if (request.jwt !== undefined) {
            const jwt = this.validateJwt(request.jwt, policies);
            if (jwt.rejected !== undefined) return finish("denied", "jwt", jwt.rejected, jwt.policy);
            result.requestAuth = jwt.identity;
            trace?.push(jwt.note);
        }

        const attrs = requestAttributes(dest, source, conn.peer, result.requestAuth, port, protocol, request);
        if (trace !== undefined) result.dryRun = traceRules(policies, attrs, trace);
        const outcome = authorize(policies, attrs);
        return finish(outcome.verdict, outcome.stage, authzReason(outcome, destLabel, policies), outcome.policy && policyRef(outcome.policy, outcome.rule));
    }

    /** The verdict of an ambient destination for a reachability probe (no JWT, no trace). */
    ambientVerdict(dest: SimWorkload, source: ResolvedSource, request: Omit<SimRequest, "from" | "to"> & { port: number; protocol: SimProtocol }): { verdict: Verdict; policy?: PolicyRef } {
        const a = this.ambient(request, dest, source, request.port, request.protocol, undefined, []);
        return { verdict: a.verdict, policy: a.policy };
    }

    /**
     * An ambient destination: the waypoint on the way (when the traffic goes through one) decides
     * with the caller's identity and the whole request, then the destination's ztunnel decides on
     * L4 with the identity of whoever reaches it (the waypoint, or the caller).
     */
    private ambient(request: Omit<SimRequest, "from" | "to">, dest: SimWorkload, source: ResolvedSource, port: number, protocol: SimProtocol, trace: string[] | undefined, warnings: string[]): AmbientOutcome {
        const destLabel = `${dest.namespace}/${dest.name}`;
        const route = this.router.route(request, dest, source);
        trace?.push(route.why);
        if (route.problem !== undefined && trace !== undefined) warnings.push(route.problem);
        const hops: EnforcementHop[] = [];
        const dryRun: DryRunOutcome[] = [];
        let requestAuth: RequestAuthIdentity | undefined;
        let arriving = source.inMesh ? source.identity : undefined;
        const done = (verdict: Verdict, stage: DecisionStage, reason: string, hop: EnforcementPoint, mtls: Decision["mtls"], peer: PeerIdentity | undefined, policy?: PolicyRef): AmbientOutcome => {
            hops.push({ ...hop, verdict, reason, ...(policy === undefined ? {} : { policy }) });
            return { verdict, stage, reason, policy, mtls, peer, requestAuth, dryRun, enforcedBy: hop, hops };
        };
        if (route.waypoint !== undefined) {
            const w = route.waypoint;
            const point: EnforcementPoint = { proxy: "waypoint", name: `waypoint ${w.namespace}/${w.name}`, identity: arriving?.principal };
            const policies = this.router.policiesAt(w, route.service);
            if (trace !== undefined) warnings.push(...policies.warnings);
            // The caller's ztunnel (or the ingress gateway) reaches the waypoint over HBONE: always mTLS.
            const mtls: Decision["mtls"] = { mode: "STRICT", used: true };
            if (request.jwt !== undefined && protocol === "http") {
                const jwt = this.validateJwt(request.jwt, policies);
                if (jwt.rejected !== undefined) return done("denied", "jwt", `${point.name}: ${jwt.rejected}`, point, mtls, arriving, jwt.policy);
                requestAuth = jwt.identity;
                trace?.push(`${point.name}: ${jwt.note}`);
            }
            // The waypoint's chains are keyed by the Service port (listener_waypoint.go), so its policies' ports are Service ports.
            const servicePort = servicePortOf(route.service, dest, port);
            if (servicePort !== port) trace?.push(`${point.name} sees Service port ${servicePort} (container port ${port}).`);
            const attrs = requestAttributes(dest, source, arriving, requestAuth, servicePort, protocol, request);
            if (trace !== undefined) dryRun.push(...traceRules(policies, attrs, trace, `${point.name}: `));
            const outcome = authorize(policies, attrs);
            const reason = `${point.name}: ${authzReason(outcome, `Service ${route.service.namespace}/${route.service.name}`, policies)}`;
            if (outcome.verdict !== "allowed") return done(outcome.verdict, outcome.stage, reason, point, mtls, arriving, outcomeRef(outcome));
            hops.push({ ...point, verdict: "allowed", reason, ...(outcome.policy === undefined ? {} : { policy: policyRef(outcome.policy, outcome.rule) }) });
            trace?.push(reason);
            arriving = this.identity(w.namespace, w.serviceAccount);
            trace?.push(`${point.name} forwards the request to ${destLabel} over HBONE as ${arriving.principal}.`);
        } else if (request.jwt !== undefined) {
            trace?.push("No waypoint is on the way: ztunnel reads no HTTP, so the JWT is neither validated nor used.");
        }
        const point: EnforcementPoint = { proxy: "ztunnel", name: `ztunnel of ${destLabel}`, identity: undefined };
        const selected = this.policiesFor(dest);
        const z = this.ztunnelFor(dest);
        if (trace !== undefined) trace.push(...z.notes);
        const resolved = resolveMtls(selected.peer, port);
        // ztunnel tells only STRICT from not STRICT: DISABLE works as PERMISSIVE.
        const mode: MtlsMode = resolved.mode === "DISABLE" ? "PERMISSIVE" : resolved.mode;
        if (resolved.mode === "DISABLE") trace?.push(`PeerAuthentication mode DISABLE on port ${port} is ignored in ambient mode: ztunnel treats it as PERMISSIVE.`);
        const used = route.waypoint !== undefined || source.inMesh;
        const mtls: Decision["mtls"] = { mode, from: resolved.from, used };
        const peer = used ? arriving : undefined;
        const seen: EnforcementPoint = { ...point, identity: peer?.principal };
        trace?.push(`mTLS mode for port ${port} at ${point.name} is ${mode}; the connection is ${used ? "mTLS (HBONE)" : "plaintext"}${peer === undefined ? "" : ` from ${peer.principal}`}.`);
        if (mode === "STRICT" && !used) return done("denied", "mtls", `STRICT mTLS on ${destLabel} port ${port} rejects the plaintext connection of ${source.label}.`, seen, mtls, undefined, resolved.from);
        const l4 = { ...request, sourceIp: route.waypoint === undefined ? request.sourceIp : undefined };
        const attrs = requestAttributes(dest, route.waypoint === undefined ? source : { ...source, ip: undefined }, peer, undefined, port, "tcp", l4);
        if (trace !== undefined) traceRules(z.policies, attrs, trace, `${point.name}: `);
        const outcome = authorize(z.policies, attrs);
        return done(outcome.verdict, outcome.stage, `${point.name}: ${authzReason(outcome, destLabel, z.policies)}`, seen, mtls, peer, outcomeRef(outcome));
    }

    /**
     * The policies the waypoint of an ambient destination's Service applies (undefined: no
     * waypoint, or not an ambient destination), as an ambient caller reaches it.
     */
    waypointPoliciesFor(dest: SimWorkload): DestinationPolicies | undefined {
        if (dest.inMesh === false || this.dataplaneOf(dest) !== "ambient") return undefined;
        const route = this.router.route({}, dest, { label: "", inMesh: true, proxy: "ztunnel" });
        return route.waypoint === undefined ? undefined : this.router.policiesAt(route.waypoint, route.service);
    }

    /**
     * The ALLOW policies each enforcement point on the way to an ambient destination applies, and
     * the caller identity it sees (Service-addressed traffic): for reachability's per-pair gate.
     */
    ambientStages(dest: SimWorkload, source: ResolvedSource): { readonly allow: DestinationPolicies["allow"]; readonly peer?: PeerIdentity; readonly ip?: string }[] {
        const route = this.router.route({}, dest, source);
        const ztunnelAllow = this.ztunnelFor(dest).policies.allow;
        const peer = source.inMesh ? source.identity : undefined;
        if (route.waypoint === undefined) return [{ allow: ztunnelAllow, peer, ip: source.ip }];
        const w = route.waypoint;
        return [
            { allow: this.router.policiesAt(w, route.service).allow, peer, ip: source.ip },
            { allow: ztunnelAllow, peer: this.identity(w.namespace, w.serviceAccount) },
        ];
    }

    private ztunnelFor(dest: SimWorkload): ReturnType<typeof ztunnelPolicies> {
        const key = `${dest.namespace}/${dest.name}`;
        let found = this.ztunnel.get(key);
        if (found === undefined) {
            found = ztunnelPolicies(this.policiesFor(dest));
            this.ztunnel.set(key, found);
        }
        return found;
    }

    /** The NetworkPolicy layer's outcome for the request's connection (TCP: HTTP rides on TCP). */
    private networkLayer(request: SimRequest, dest: SimWorkload, port: number): NetworkLayerReport {
        const destination = podEndpoint(dest);
        const source = this.networkSource(request);
        if (source === undefined) {
            if (this.network.isolating(destination, "ingress").length === 0) {
                return { verdict: "allowed", reason: `no NetworkPolicy isolates ${destination.label} for ingress.` };
            }
            const sa = "serviceAccount" in request.from ? request.from.serviceAccount : "";
            return {
                verdict: "unknown",
                direction: "ingress",
                reason: `NetworkPolicies select pods by labels, and service account ${sa} does not name exactly one known workload, so whether ${destination.label} admits it cannot be decided (give the caller as a workload).`,
            };
        }
        return this.networkVerdict(source, this.resolveSource(request.from), dest, port, request);
    }

    /**
     * The NetworkPolicy layer for the connections a request makes. Sidecar to sidecar, and any
     * plaintext caller: one connection to the application port. With an ambient end the mesh
     * tunnels over HBONE to the pod's port 15008 (ztunnel, and sidecars, accept HBONE there), so
     * NetworkPolicies see 15008; through a waypoint, caller → waypoint pods and waypoint pods →
     * destination, both on 15008. The first connection denied decides.
     */
    networkVerdict(source: NetworkEndpoint, caller: ResolvedSource, dest: SimWorkload, port: number, request: Omit<SimRequest, "from" | "to"> = {}): NetworkLayerReport {
        const destination = podEndpoint(dest);
        const ambientDest = dest.inMesh !== false && this.dataplaneOf(dest) === "ambient";
        const hbone = caller.inMesh && (ambientDest || caller.proxy === "ztunnel");
        const hops: [NetworkEndpoint, NetworkEndpoint, number][] = [];
        const route = ambientDest && caller.inMesh ? this.router.route(request, dest, caller) : undefined;
        if (route?.waypoint !== undefined) {
            const w = route.waypoint;
            const pods: NetworkEndpoint = { label: `waypoint ${w.namespace}/${w.name}`, namespace: w.namespace, labels: { [GATEWAY_NAME_LABEL]: w.name }, namedPorts: {} };
            hops.push([source, pods, WAYPOINT_HBONE_PORT], [pods, destination, WAYPOINT_HBONE_PORT]);
        } else {
            hops.push([source, destination, hbone ? WAYPOINT_HBONE_PORT : port]);
        }
        let last: NetworkLayerReport | undefined;
        for (const [from, to, onPort] of hops) {
            const outcome = this.network.decide(from, to, onPort, "TCP");
            const via = hbone ? ` (HBONE, port ${WAYPOINT_HBONE_PORT})` : "";
            last = { verdict: outcome.verdict, direction: outcome.direction, policy: outcome.policy, reason: hops.length > 1 || hbone ? `${from.label} → ${to.label}${via}: ${outcome.reason}` : outcome.reason };
            if (outcome.verdict !== "allowed") return last;
        }
        return last as NetworkLayerReport;
    }

    private networkSource(request: SimRequest): NetworkEndpoint | undefined {
        const from = request.from;
        if ("workload" in from) {
            const w = this.workload(from.workload, "from.workload");
            return podEndpoint(request.sourceIp === undefined ? w : { ...w, ip: request.sourceIp });
        }
        if ("plaintext" in from) return { label: request.sourceIp ?? "an off-cluster caller", ip: request.sourceIp };
        const [namespace, serviceAccount] = from.serviceAccount.split("/");
        const matches = this.workloads.filter((w) => w.namespace === namespace && (w.serviceAccount ?? "default") === serviceAccount);
        return matches.length === 1 ? podEndpoint(matches[0]) : undefined;
    }

    private validateJwt(
        claims: Readonly<Record<string, unknown>>,
        policies: DestinationPolicies,
    ): { identity?: RequestAuthIdentity; rejected?: string; note: string; policy?: PolicyRef } {
        const ras = policies.requestAuthentications;
        if (ras.length === 0) {
            return { note: "No RequestAuthentication selects the destination, so the JWT is not validated and carries no identity." };
        }
        const iss = claims["iss"];
        const names = ras.map((r) => `${r.namespace}/${r.name}`).join(", ");
        if (typeof iss !== "string") {
            return { rejected: `The JWT has no "iss" claim; RequestAuthentication (${names}) rejects it with 401.`, note: "" };
        }
        for (const ra of ras) {
            for (const rule of ra.jwtRules) {
                if (rule.issuer !== iss) continue;
                const raRef: PolicyRef = { kind: "RequestAuthentication", namespace: ra.namespace, name: ra.name };
                const aud = claims["aud"];
                const audiences = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === "string") : [];
                if (rule.audiences.length > 0 && !audiences.some((a) => rule.audiences.includes(a))) {
                    return {
                        rejected: `RequestAuthentication ${ra.namespace}/${ra.name} accepts issuer ${iss} only for audiences ${rule.audiences.join(", ")}; the token's audience does not match, so it is rejected with 401.`,
                        note: "",
                        policy: raRef,
                    };
                }
                const sub = typeof claims["sub"] === "string" ? claims["sub"] : "";
                return {
                    identity: { principal: `${iss}/${sub}`, claims },
                    note: `RequestAuthentication ${ra.namespace}/${ra.name} validates the JWT: request principal ${iss}/${sub}.`,
                };
            }
        }
        return { rejected: `No RequestAuthentication selecting the destination (${names}) accepts issuer ${iss}, so the JWT is rejected with 401.`, note: "" };
    }
}

/** How the caller's connection reaches the destination port: mTLS mode, identity, or refusal. */
export interface Connection {
    readonly mode: MtlsMode;
    readonly from?: PolicyRef;
    readonly portLevel: boolean;
    readonly usesMtls: boolean;
    /** STRICT refuses the plaintext connection before any authorization. */
    readonly refused: boolean;
    /** The caller's identity as the destination sees it (only with mTLS). */
    readonly peer?: PeerIdentity;
}

/** A workload as the NetworkPolicy layer sees it: namespace, pod labels, IP and named ports. */
export function podEndpoint(w: SimWorkload): NetworkEndpoint {
    const named: Record<string, number> = {};
    for (const p of w.ports ?? []) if (p.name !== undefined) named[p.name] = p.port;
    return { label: `${w.namespace}/${w.name}`, namespace: w.namespace, labels: w.labels ?? {}, ip: w.ip, namedPorts: named };
}

/** Mesh callers send mTLS unless the destination port's mode is DISABLE (auto-mTLS). */
export function connection(policies: DestinationPolicies, source: ResolvedSource, port: number): Connection {
    const mode = resolveMtls(policies.peer, port);
    const usesMtls = source.inMesh && mode.mode !== "DISABLE";
    return { mode: mode.mode, from: mode.from, portLevel: mode.portLevel, usesMtls, refused: mode.mode === "STRICT" && !usesMtls, peer: usesMtls ? source.identity : undefined };
}

/** What the destination's authorization filters see of a request. */
export function requestAttributes(
    dest: SimWorkload,
    source: ResolvedSource,
    peer: PeerIdentity | undefined,
    requestAuth: RequestAuthIdentity | undefined,
    port: number,
    protocol: SimProtocol,
    request: Omit<SimRequest, "from" | "to">,
): AuthzAttributes {
    const http = protocol === "http";
    return {
        protocol,
        port,
        peer,
        requestAuth,
        method: http ? request.method ?? "GET" : undefined,
        path: http ? request.path ?? "/" : undefined,
        host: http ? request.host ?? `${dest.name}.${dest.namespace}.svc.cluster.local` : undefined,
        headers: http ? request.headers ?? {} : undefined,
        sourceIp: request.sourceIp ?? source.ip,
        remoteIp: request.remoteIp,
        destinationIp: dest.ip,
    };
}

/** One-shot convenience: build a simulator for `input` and decide `request`. */
export function simulateRequest(input: SimulatorInput, request: SimRequest): Decision {
    return new AuthorizationSimulator(input).decide(request);
}

/** Dry-run outcomes and a trace line per rule evaluated (shared by sidecars and waypoints). */
function traceRules(policies: DestinationPolicies, attrs: AuthzAttributes, trace: string[], prefix = ""): DryRunOutcome[] {
    const dryRun = policies.dryRun.map((p) => {
        const m = firstMatch(p, attrs);
        return { policy: policyRef(p, m.rule), matched: m.result };
    });
    for (const p of [...policies.custom, ...policies.deny, ...policies.audit, ...policies.allow]) {
        for (const rule of p.spec.rules) trace.push(`${prefix}${p.spec.action} ${p.namespace}/${p.name} rule ${rule.index}: ${evaluateRule(rule, attrs).detail}.`);
        if (p.spec.rules.length === 0) trace.push(`${prefix}${p.spec.action} ${p.namespace}/${p.name} has no rules: it matches nothing.`);
    }
    return dryRun;
}

function outcomeRef(o: AuthzOutcome): PolicyRef | undefined {
    return o.policy && policyRef(o.policy, o.rule);
}

/**
 * The ingress gateway IstioMesh installs (its identity, components/constants.ts), or a pod of an
 * Istio ingress gateway (label istio=ingressgateway) or of a Gateway API gateway.
 */
function isIngressGateway(namespace: string, serviceAccount: string, labels: Readonly<Record<string, string>>): boolean {
    if (namespace === DEFAULT_INGRESS_GATEWAY.namespace && serviceAccount === DEFAULT_INGRESS_GATEWAY.serviceAccount) return true;
    return labels["istio"] === "ingressgateway" || labels[GATEWAY_NAME_LABEL] !== undefined;
}
