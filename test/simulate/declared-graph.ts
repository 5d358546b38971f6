// A declared service graph (what a MeshPolicy says), random generators for it, and the oracle:
// the declared semantics, written independently of Istio's matching code. Shared by the property
// tests that compile a graph and compare the simulator's verdicts with the oracle's.
import fc from "fast-check";
import { RequestSource, SimWorkload } from "../../components/simulate";

export type Protocol = "http" | "http2" | "grpc" | "tcp";
export interface Port { port: number; protocol: Protocol; targetPort?: number }
export interface Service { id: string; namespace: string; serviceAccount: string; ports: Port[] }
export interface EndUsers { issuer: string; jwksUri: string; audiences?: string[]; subjects?: string[]; claims?: Record<string, string[]> }
export interface Caller { service?: string; namespace?: string; ingressGateway?: true; endUsers?: EndUsers }
export interface Relationship { from: Caller; to: string; ports?: number[]; methods?: string[]; paths?: string[] }
export interface DenyRule { to?: string; toNamespace?: string; unlessFrom: Caller[]; ports?: number[] }
export interface Graph { services: Service[]; allow: Relationship[]; deny: DenyRule[] }

export const NAMESPACES = ["ns-a", "ns-b", "ns-c"];
export const PORTS = [8080, 8443, 9000, 9090];
export const METHODS = ["GET", "POST", "DELETE"];
export const PATHS = ["/api/*", "/health", "*.json", "/v1/{*}/items", "/files/{**}"];
export const ISSUERS = ["https://idp-one.example", "https://idp-two.example"];
export const AUDIENCES = ["aud-1", "aud-2"];
export const GATEWAY = { namespace: "istio-ingress", name: "istio-ingressgateway", serviceAccount: "istio-ingressgateway" };
export const OUTSIDER = { namespace: "ns-outside", name: "outsider", serviceAccount: "outsider" };

export const isHttp = (p: Port) => p.protocol !== "tcp";
export const target = (p: Port) => p.targetPort ?? p.port;

export const portArb = (index: number) =>
    fc.record({ protocol: fc.constantFrom<Protocol>("http", "http2", "grpc", "tcp"), remap: fc.boolean() }).map(({ protocol, remap }): Port =>
        remap ? { port: PORTS[index], protocol, targetPort: PORTS[index] + 10000 } : { port: PORTS[index], protocol },
    );

export const serviceArb = (i: number) =>
    fc
        .record({
            namespace: fc.constantFrom(...NAMESPACES),
            portIndexes: fc.uniqueArray(fc.integer({ min: 0, max: PORTS.length - 1 }), { minLength: 1, maxLength: 3 }),
        })
        .chain(({ namespace, portIndexes }) =>
            fc.tuple(...portIndexes.map(portArb)).map((ports): Service => ({ id: `s${i}`, namespace, serviceAccount: `s${i}`, ports })),
        );

export const endUsersArb = fc
    .record({
        issuer: fc.constantFrom(...ISSUERS),
        audiences: fc.option(fc.uniqueArray(fc.constantFrom(...AUDIENCES), { minLength: 1 }), { nil: undefined }),
        subjects: fc.option(fc.uniqueArray(fc.constantFrom("alice", "bob"), { minLength: 1 }), { nil: undefined }),
        claims: fc.option(fc.record({ role: fc.uniqueArray(fc.constantFrom("admin", "reader"), { minLength: 1 }) }), { nil: undefined }),
    })
    .map((u): EndUsers => {
        const out: EndUsers = { issuer: u.issuer, jwksUri: `${u.issuer}/jwks` };
        if (u.audiences) out.audiences = u.audiences;
        if (u.subjects) out.subjects = u.subjects;
        if (u.claims) out.claims = u.claims;
        return out;
    });

export function graphArb(): fc.Arbitrary<Graph> {
    return fc.integer({ min: 1, max: 5 }).chain((n) =>
        fc.tuple(...Array.from({ length: n }, (_, i) => serviceArb(i))).chain((services) => {
            const ids = services.map((s) => s.id);
            const callerArb: fc.Arbitrary<Caller> = fc.oneof(
                fc.constantFrom(...ids).map((service): Caller => ({ service })),
                fc.constantFrom(...NAMESPACES).map((namespace): Caller => ({ namespace })),
                fc.constant<Caller>({ ingressGateway: true }),
                endUsersArb.map((endUsers): Caller => ({ endUsers })),
            );
            const relArb = fc
                .record({
                    from: callerArb,
                    to: fc.constantFrom(...ids),
                    portPick: fc.option(fc.uniqueArray(fc.nat(2), { minLength: 1 }), { nil: undefined }),
                    methods: fc.option(fc.uniqueArray(fc.constantFrom(...METHODS), { minLength: 1 }), { nil: undefined }),
                    paths: fc.option(fc.uniqueArray(fc.constantFrom(...PATHS), { minLength: 1, maxLength: 2 }), { nil: undefined }),
                })
                .map(({ from, to, portPick, methods, paths }) => relationship(services, from, to, portPick, methods, paths));
            const denyArb = fc
                .record({
                    to: fc.option(fc.constantFrom(...ids), { nil: undefined }),
                    toNamespace: fc.constantFrom(...new Set(services.map((s) => s.namespace))),
                    unlessFrom: fc.uniqueArray(
                        fc.oneof(
                            fc.constantFrom(...ids).map((service): Caller => ({ service })),
                            fc.constantFrom(...NAMESPACES).map((namespace): Caller => ({ namespace })),
                            fc.constant<Caller>({ ingressGateway: true }),
                        ),
                        { minLength: 1, maxLength: 2, selector: (c) => JSON.stringify(c) },
                    ),
                    portPick: fc.option(fc.nat(2), { nil: undefined }),
                })
                .map(({ to, toNamespace, unlessFrom, portPick }): DenyRule => {
                    if (to === undefined) return { toNamespace, unlessFrom };
                    const svc = services.find((s) => s.id === to) as Service;
                    return portPick === undefined ? { to, unlessFrom } : { to, unlessFrom, ports: [svc.ports[portPick % svc.ports.length].port] };
                });
            return fc.record({
                services: fc.constant(services),
                allow: fc.array(relArb, { maxLength: 8 }),
                deny: fc.array(denyArb, { maxLength: 2 }),
            });
        }),
    );
}

/** A valid relationship: HTTP fields and JWT callers only on HTTP ports (else dropped). */
export function relationship(services: Service[], from: Caller, to: string, portPick?: number[], methods?: string[], paths?: string[]): Relationship {
    const svc = services.find((s) => s.id === to) as Service;
    const httpPorts = svc.ports.filter(isHttp);
    const wantsHttp = methods !== undefined || paths !== undefined || from.endUsers !== undefined;
    if (wantsHttp && httpPorts.length === 0) return { from: from.endUsers !== undefined ? { ingressGateway: true } : from, to };
    const pool = wantsHttp ? httpPorts : svc.ports;
    const rel: Relationship = { from, to };
    if (portPick !== undefined) rel.ports = [...new Set(portPick.map((i) => pool[i % pool.length].port))];
    if (wantsHttp && methods !== undefined) rel.methods = methods;
    if (wantsHttp && paths !== undefined) rel.paths = paths;
    return rel;
}

// ---- the oracle: the declared semantics, written independently of Istio's matching code ----

export interface Probe { caller: string; from: RequestSource; callee: Service; port: Port; method?: string; path?: string; jwt?: Record<string, unknown> }
export interface CallerId { namespace: string; serviceAccount: string; gateway: boolean }

export function pathMatches(pattern: string, path: string): boolean {
    if (pattern.includes("{")) {
        const want = pattern.split("/");
        const have = path.split("/");
        // Envoy's `**` matches any rest, possibly empty: "/files/{**}" matches "/files/".
        if (want[want.length - 1] === "{**}") return have.length >= want.length && want.slice(0, -1).every((w, i) => w === "{*}" ? have[i] !== "" : w === have[i]);
        return want.length === have.length && want.every((w, i) => (w === "{*}" ? have[i] !== "" : w === have[i]));
    }
    if (pattern.endsWith("*")) return path.startsWith(pattern.slice(0, -1));
    if (pattern.startsWith("*")) return path.endsWith(pattern.slice(1));
    return path === pattern;
}

export function callerMatches(c: Caller, id: CallerId | undefined, services: Service[]): boolean {
    if (id === undefined) return false;
    if (c.service !== undefined) {
        const s = services.find((x) => x.id === c.service) as Service;
        return s.namespace === id.namespace && s.serviceAccount === id.serviceAccount && !id.gateway;
    }
    if (c.namespace !== undefined) return id.namespace === c.namespace;
    return c.ingressGateway === true && id.gateway;
}

export function tokenMatches(u: EndUsers, jwt: Record<string, unknown> | undefined): boolean {
    if (jwt === undefined || jwt["iss"] !== u.issuer) return false;
    if (u.subjects !== undefined && !u.subjects.includes(jwt["sub"] as string)) return false;
    if (u.audiences !== undefined && !u.audiences.includes(jwt["aud"] as string)) return false;
    return Object.entries(u.claims ?? {}).every(([k, values]) => values.includes(jwt[k] as string));
}

/**
 * A destination with JWT relationships validates every token it receives (RequestAuthentication):
 * a token is rejected (401), whoever sends it, when its issuer is not declared for the
 * destination, or when every relationship of that issuer restricts audiences and the token has
 * none of them. A relationship without audiences accepts any audience of its issuer.
 */
export function jwtRejected(rels: Relationship[], jwt: Record<string, unknown>): boolean {
    const users = rels.flatMap((r) => (r.from.endUsers ? [r.from.endUsers] : []));
    if (users.length === 0) return false;
    const ofIssuer = users.filter((u) => u.issuer === jwt["iss"]);
    if (ofIssuer.length === 0) return true;
    return ofIssuer.every((u) => u.audiences !== undefined && !u.audiences.includes(jwt["aud"] as string));
}

export function expected(g: Graph, probe: Probe, id: CallerId | undefined): boolean {
    if (id === undefined) return false; // STRICT mTLS refuses plaintext callers
    const http = isHttp(probe.port);
    const rels = g.allow.filter((r) => r.to === probe.callee.id);
    if (http && probe.jwt !== undefined && jwtRejected(rels, probe.jwt)) return false;
    const denied = g.deny.some((d) => {
        const applies = d.to !== undefined ? d.to === probe.callee.id : d.toNamespace === probe.callee.namespace;
        const onPort = d.ports === undefined || d.to === undefined || probe.callee.ports.some((p) => d.ports?.includes(p.port) && target(p) === target(probe.port));
        return applies && onPort && !d.unlessFrom.some((c) => callerMatches(c, id, g.services));
    });
    if (denied) return false;
    return rels.some((r) => {
        const ports = r.ports === undefined ? probe.callee.ports : probe.callee.ports.filter((p) => r.ports?.includes(p.port));
        if (!ports.some((p) => target(p) === target(probe.port))) return false;
        const httpOnly = r.methods !== undefined || r.paths !== undefined || r.from.endUsers !== undefined;
        if (httpOnly && !http) return false;
        if (r.methods !== undefined && !r.methods.includes(probe.method as string)) return false;
        if (r.paths !== undefined && !r.paths.some((p) => pathMatches(p, probe.path as string))) return false;
        return r.from.endUsers !== undefined ? tokenMatches(r.from.endUsers, http ? probe.jwt : undefined) : callerMatches(r.from, id, g.services);
    });
}

// ---- probes ----

export const PROBE_PATHS = ["/api/x", "/api", "/health", "/data/file.json", "/v1/abc/items", "/v1/a/b/items", "/files/a/b", "/files/", "/files", "/other"];

export function tokens(g: Graph): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [{ iss: "https://unknown.example", sub: "alice", aud: "aud-1", role: "admin" }];
    for (const r of g.allow) {
        const u = r.from.endUsers;
        if (u === undefined) continue;
        const good = { iss: u.issuer, sub: u.subjects?.[0] ?? "carol", aud: u.audiences?.[0] ?? "aud-unlisted", role: u.claims?.role[0] ?? "nobody" };
        out.push(good, { ...good, sub: "mallory" }, { ...good, aud: "aud-other" }, { ...good, role: "intruder" });
    }
    return out;
}

export function workloads(g: Graph): SimWorkload[] {
    return [
        ...g.services.map((s) => ({
            namespace: s.namespace,
            name: s.id,
            serviceAccount: s.serviceAccount,
            labels: { app: s.id },
            ports: s.ports.map((p) => ({ port: target(p), protocol: isHttp(p) ? ("http" as const) : ("tcp" as const) })),
        })),
        { ...GATEWAY, labels: { istio: "ingressgateway" } },
        { ...OUTSIDER, labels: { app: "outsider" } },
    ];
}
