/**
 * Deterministic synthetic MeshPolicy inputs for the benchmark and the scale guard.
 *
 * N services over ceil(N/20) namespaces and 5·N relationships, from a seeded PRNG (the same N and
 * seed always give the same mesh). Ports mix HTTP, gRPC and TCP (databases are TCP-only); callers
 * mix declared services (half of them with methods/paths), whole namespaces, the ingress gateway
 * and, for about 1 service in 50, JWT end users. About 1 service in 100 also gets an explicit deny
 * rule, and every service an ISTIO_MUTUAL DestinationRule.
 */
import { MeshPolicyInput } from "../components/model/mesh-policy";

type Relationship = NonNullable<MeshPolicyInput["allow"]>[number];
type DenyRule = NonNullable<MeshPolicyInput["deny"]>[number];
type Service = MeshPolicyInput["services"][number];
type Port = Service["ports"][number];

export const SERVICES_PER_NAMESPACE = 20;
export const RELATIONSHIPS_PER_SERVICE = 5;
export const DEFAULT_SEED = 42;

/** mulberry32: a small, fast, deterministic PRNG. Returns integers in [0, n). */
export function seededRandom(seed: number): (n: number) => number {
    let state = seed | 0;
    return (n: number) => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) % n;
    };
}

/** Port layouts, by service index modulo 10: mostly HTTP, some HTTP+TCP, gRPC, TCP-only databases. */
function portsOf(index: number): Port[] {
    switch (index % 10) {
        case 6:
        case 7:
            return [
                { port: 8080, protocol: "http", name: "http" },
                { port: 9000, protocol: "tcp", name: "metrics-tcp" },
            ];
        case 8:
            return [{ port: 9090, protocol: "grpc", name: "grpc" }];
        case 9:
            return [{ port: 5432, protocol: "tcp", name: "postgres", targetPort: 15432 }];
        default:
            return [{ port: 80, protocol: "http", name: "http", targetPort: 8080 }];
    }
}

const isHttp = (p: Port) => p.protocol !== "tcp";

export function namespaceCount(services: number): number {
    return Math.ceil(services / SERVICES_PER_NAMESPACE);
}

export const JWT_ISSUER = "https://accounts.example.com";

/** The synthetic mesh of `serviceCount` services (see the file comment). */
export function syntheticMesh(serviceCount: number, seed: number = DEFAULT_SEED): MeshPolicyInput {
    if (!Number.isInteger(serviceCount) || serviceCount < 2) throw new RangeError("a synthetic mesh needs at least 2 services");
    const random = seededRandom(seed);
    const namespaces = namespaceCount(serviceCount);
    const services: Service[] = Array.from({ length: serviceCount }, (_, i) => ({
        id: `svc-${i}`,
        namespace: `team-${Math.floor(i / SERVICES_PER_NAMESPACE)}`,
        serviceAccount: `svc-${i}-sa`,
        ports: portsOf(i),
    }));
    const pickOther = (not: number) => {
        const k = random(serviceCount - 1);
        return k >= not ? k + 1 : k;
    };
    const allow: Relationship[] = [];
    for (let r = 0; r < serviceCount * RELATIONSHIPS_PER_SERVICE; r++) {
        const t = random(serviceCount);
        const target = services[t];
        const ports = target.ports as Port[];
        const http = ports.filter(isHttp);
        const tcp = ports.filter((p) => !isHttp(p));
        const draw = random(100);
        if (http.length > 0 && draw < 4) {
            allow.push({ from: { ingressGateway: true }, to: target.id, methods: ["GET", "HEAD"], paths: ["/", "/static/*"] });
        } else if (draw < 20) {
            const ns = `team-${random(namespaces)}`;
            allow.push(tcp.length > 0 && draw % 2 === 0 ? { from: { namespace: ns }, to: target.id, ports: [tcp[0].port] } : { from: { namespace: ns }, to: target.id });
        } else if (target.ports[0].protocol === "grpc" && draw < 60) {
            allow.push({ from: { service: services[pickOther(t)].id }, to: target.id, grpcMethods: [`bench.v1.Service${random(4)}/Get`, "bench.v1.Health/Check"] });
        } else if (http.length > 0 && draw < 60) {
            const methods = draw % 3 === 0 ? ["GET"] : ["GET", "POST"];
            allow.push({ from: { service: services[pickOther(t)].id }, to: target.id, ports: [http[0].port], methods, paths: [`/api/v${random(3)}/*`, "/healthz"] });
        } else {
            allow.push({ from: { service: services[pickOther(t)].id }, to: target.id });
        }
    }
    // A few JWT end-user relationships: about 1 service in 50 (HTTP ones) serves end users.
    for (let i = 1; i < serviceCount; i += 50) {
        const target = services[i];
        if (!(target.ports as Port[]).some(isHttp)) continue;
        allow.push({
            from: { endUsers: { issuer: JWT_ISSUER, jwksUri: `${JWT_ISSUER}/.well-known/jwks.json`, audiences: ["bench"], claims: { groups: [`team-${random(namespaces)}`] } } },
            to: target.id,
            methods: ["GET"],
            paths: ["/me/{*}"],
        });
    }
    // Explicit deny rules: about 1 service in 100 only accepts callers of its own namespace.
    const deny: DenyRule[] = [];
    for (let i = 3; i < serviceCount; i += 100) {
        deny.push({ to: services[i].id, unlessFrom: [{ namespace: services[i].namespace }, { ingressGateway: true }] });
    }
    return { services, allow, deny, destinationRules: true };
}

/** Object counts of a layout, by kind (AuthorizationPolicy split into ALLOW, DENY and allow-nothing). */
export interface LayoutCounts {
    allowPolicies: number;
    denyPolicies: number;
    allowNothing: number;
    peerAuthentications: number;
    requestAuthentications: number;
    destinationRules: number;
    /** default-deny NetworkPolicies: one per namespace per restricted direction. */
    networkPolicyDefaults: number;
    /** Ingress NetworkPolicies (one per destination) and egress ones (one per caller group). */
    networkPolicies: number;
    total: number;
}

function withTotal(counts: Omit<LayoutCounts, "total">): LayoutCounts {
    const total =
        counts.allowPolicies +
        counts.denyPolicies +
        counts.allowNothing +
        counts.peerAuthentications +
        counts.requestAuthentications +
        counts.destinationRules +
        counts.networkPolicyDefaults +
        counts.networkPolicies;
    return { ...counts, total };
}

/**
 * The fewest objects that can enforce an input, derived from the input alone: one ALLOW policy
 * per destination workload that has callers (Istio merges all ALLOW policies of a workload, so
 * one holds every caller); one DENY policy per protected service (and one per namespace with
 * namespace-wide deny rules); one allow-nothing policy and one STRICT PeerAuthentication per
 * namespace of the declared services (when defaultDeny/mtls ask for them); one
 * RequestAuthentication per destination with JWT callers (a workload should have one); one
 * DestinationRule per service host when destinationRules is on.
 */
export function minimumLayout(input: MeshPolicyInput): LayoutCounts {
    const namespaceSet = new Set(input.services.map((s) => s.namespace));
    const namespaces = namespaceSet.size;
    const allow = input.allow ?? [];
    const deny = input.deny ?? [];
    const np = input.networkPolicies;
    const ingress = np !== false && (np?.ingress ?? true);
    const egress = np !== false && (np?.egress ?? false);
    // Egress: every service, plus namespace callers and the gateway when their namespace is declared.
    const gatewayNamespace = input.ingressGateway?.namespace ?? "istio-ingress";
    const callerGroups = new Set(
        allow.flatMap((r) => {
            if (r.from.namespace !== undefined) return namespaceSet.has(r.from.namespace) ? [`ns:${r.from.namespace}`] : [];
            if (r.from.service !== undefined) return [];
            return namespaceSet.has(gatewayNamespace) ? ["gateway"] : [];
        }),
    ).size;
    return withTotal({
        networkPolicyDefaults: namespaces * (Number(ingress) + Number(egress)),
        networkPolicies: (ingress ? new Set(allow.map((r) => r.to)).size : 0) + (egress ? input.services.length + callerGroups : 0),
        allowPolicies: new Set(allow.map((r) => r.to)).size,
        denyPolicies: new Set(deny.map((d) => (d.to !== undefined ? `svc:${d.to}` : `ns:${d.toNamespace}`))).size,
        allowNothing: input.defaultDeny === false ? 0 : namespaces,
        peerAuthentications: input.mtls === "inherit" ? 0 : namespaces,
        requestAuthentications: new Set(allow.filter((r) => r.from.endUsers !== undefined).map((r) => r.to)).size,
        destinationRules: input.destinationRules === true ? input.services.length : 0,
    });
}

/**
 * The naive layout: one AuthorizationPolicy per relationship and per deny rule (the same
 * namespace-level objects, DestinationRules and RequestAuthentications as the minimum). Every one
 * of those policies lands in the listeners of the proxies it selects.
 */
export function naiveLayout(input: MeshPolicyInput): LayoutCounts {
    const minimum = minimumLayout(input);
    // Naive NetworkPolicies: one ingress policy per relationship instead of one per destination.
    const np = input.networkPolicies;
    const ingress = np !== false && (np?.ingress ?? true);
    const destinations = new Set((input.allow ?? []).map((r) => r.to)).size;
    const networkPolicies = minimum.networkPolicies + (ingress ? (input.allow ?? []).length - destinations : 0);
    return withTotal({ ...minimum, allowPolicies: (input.allow ?? []).length, denyPolicies: (input.deny ?? []).length, networkPolicies });
}

/** Counts of compiled manifests, by the same categories. */
export function emittedLayout(manifests: readonly { kind: string; spec?: unknown; metadata: { name: string } }[]): LayoutCounts {
    const counts = { allowPolicies: 0, denyPolicies: 0, allowNothing: 0, peerAuthentications: 0, requestAuthentications: 0, destinationRules: 0, networkPolicyDefaults: 0, networkPolicies: 0 };
    for (const m of manifests) {
        const spec = (m.spec ?? {}) as Record<string, unknown>;
        if (m.kind === "AuthorizationPolicy") {
            if (spec["action"] === "DENY") counts.denyPolicies++;
            else if (spec["rules"] === undefined && spec["selector"] === undefined) counts.allowNothing++;
            else counts.allowPolicies++;
        } else if (m.kind === "PeerAuthentication") counts.peerAuthentications++;
        else if (m.kind === "RequestAuthentication") counts.requestAuthentications++;
        else if (m.kind === "DestinationRule") counts.destinationRules++;
        else if (m.kind === "NetworkPolicy") {
            if (spec["ingress"] === undefined && spec["egress"] === undefined) counts.networkPolicyDefaults++;
            else counts.networkPolicies++;
        }
        else throw new Error(`unexpected kind ${m.kind}`);
    }
    return withTotal(counts);
}

/**
 * A mesh built to expose pairwise loops: every service in ONE namespace, each called by the
 * previous service and by JWT end users (so there are as many RequestAuthentications and
 * token-requiring ALLOW policies as services), plus a namespace-wide deny rule. Any
 * "for each policy, scan every other policy/workload of the namespace" costs N² here.
 */
export function singleNamespaceMesh(serviceCount: number): MeshPolicyInput {
    const services: Service[] = Array.from({ length: serviceCount }, (_, i) => ({
        id: `svc-${i}`,
        namespace: "flat",
        serviceAccount: `svc-${i}-sa`,
        ports: [{ port: 8080, protocol: "http" }],
    }));
    const allow: Relationship[] = services.flatMap((s, i) => [
        { from: { service: services[(i + serviceCount - 1) % serviceCount].id }, to: s.id, methods: ["GET"], paths: [`/v${i % 7}/*`] },
        { from: { endUsers: { issuer: JWT_ISSUER, jwksUri: `${JWT_ISSUER}/.well-known/jwks.json` } }, to: s.id, paths: ["/me"] },
    ]);
    return { services, allow, deny: [{ toNamespace: "flat", unlessFrom: [{ namespace: "flat" }, { ingressGateway: true }] }] };
}
