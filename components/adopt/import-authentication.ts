import { asList, asRecord, namespaceOf } from "../kube";
import { ImportContext, Problem, selectedServices } from "./import-context";

/**
 * PeerAuthentication, RequestAuthentication and DestinationRule → the MeshPolicy switches that
 * emit them (mtls: STRICT, end users' issuers, destinationRules), where the translation is exact.
 */

/** A namespace-wide STRICT PeerAuthentication → its namespace (mtls: STRICT); anything else stays. */
export function translatePeerAuthentication(ctx: ImportContext, object: unknown): { strictNamespace?: string; problems: Problem[] } {
    const spec = asRecord(asRecord(object)["spec"]);
    const namespace = namespaceOf(object);
    const mode = asRecord(spec["mtls"])["mode"];
    const problems: Problem[] = [];
    if (namespace === ctx.rootNamespace) {
        problems.push({ field: "metadata.namespace", problem: `in the root namespace ${ctx.rootNamespace} it applies mesh-wide: kept as is (IstioMesh emits the mesh-wide PeerAuthentication)` });
    } else if (spec["selector"] !== undefined) {
        problems.push({ field: "spec.selector", problem: "a PeerAuthentication for chosen workloads is not expressible (mtls: STRICT applies to whole namespaces)" });
    } else if (spec["portLevelMtls"] !== undefined) {
        problems.push({ field: "spec.portLevelMtls", problem: "per-port mTLS is not expressible" });
    } else if (mode !== "STRICT") {
        problems.push({ field: "spec.mtls.mode", problem: `${mode === undefined ? "UNSET" : String(mode)} is not expressible (a MeshPolicy sets STRICT or inherits)` });
    } else if (!ctx.services.some((s) => s.service.namespace === namespace)) {
        problems.push({ field: "metadata.namespace", problem: `namespace ${namespace} has no declared service: mtls: STRICT covers the namespaces of the services` });
    } else {
        return { strictNamespace: namespace, problems };
    }
    return { problems };
}

/** What a translatable RequestAuthentication gives its services: one jwksUri (and audiences) per issuer. */
export interface JwtIssuersOf {
    readonly services: readonly string[];
    readonly issuers: ReadonlyMap<string, { readonly jwksUri: string; readonly audiences?: readonly string[] }>;
    readonly problems: Problem[];
}

const JWT_RULE_FIELDS = new Set(["issuer", "jwksUri", "audiences"]);

export function translateRequestAuthentication(ctx: ImportContext, object: unknown): JwtIssuersOf {
    const spec = asRecord(asRecord(object)["spec"]);
    const namespace = namespaceOf(object);
    const problems: Problem[] = [];
    const issuers = new Map<string, { jwksUri: string; audiences?: string[] }>();
    if (spec["targetRef"] !== undefined || spec["targetRefs"] !== undefined) problems.push({ field: spec["targetRef"] !== undefined ? "spec.targetRef" : "spec.targetRefs", problem: "a RequestAuthentication attached to a gateway or waypoint is not expressible" });
    else if (namespace === ctx.rootNamespace) problems.push({ field: "metadata.namespace", problem: `in the root namespace ${ctx.rootNamespace} it applies mesh-wide: not expressible` });
    else if (spec["selector"] === undefined) problems.push({ field: "spec.selector", problem: "a namespace-wide RequestAuthentication is not expressible (a MeshPolicy validates tokens per destination service)" });
    const services = problems.length > 0 ? [] : selectedServices(ctx, namespace, spec["selector"], problems);
    asList(spec["jwtRules"]).forEach((value, i) => {
        const rule = asRecord(value);
        for (const key of Object.keys(rule)) {
            if (!JWT_RULE_FIELDS.has(key)) problems.push({ field: `spec.jwtRules[${i}].${key}`, problem: `${key} is not expressible (a MeshPolicy's end users have an issuer, a jwksUri and audiences)` });
        }
        if (typeof rule["jwksUri"] !== "string") {
            if (rule["jwks"] === undefined) problems.push({ field: `spec.jwtRules[${i}].jwksUri`, problem: "no jwksUri: not expressible (a MeshPolicy's end users name their key set by URI)" });
            return;
        }
        const audiences = asList(rule["audiences"]).filter((a): a is string => typeof a === "string");
        issuers.set(String(rule["issuer"]), rule["audiences"] === undefined ? { jwksUri: rule["jwksUri"] } : { jwksUri: rule["jwksUri"], audiences });
    });
    return { services: services.map((s) => s.service.id), issuers, problems };
}

/** `host` → the declared service it names (short, namespaced or fully qualified). */
function hostService(ctx: ImportContext, host: string, namespace: string, clusterDomain: string): string | undefined {
    return ctx.services.find((s) => {
        const { id, namespace: ns } = s.service;
        return (host === id && ns === namespace) || [`${id}.${ns}`, `${id}.${ns}.svc`, `${id}.${ns}.svc.${clusterDomain}`].includes(host);
    })?.service.id;
}

function hasTls(spec: Record<string, unknown>): boolean {
    const policies = [asRecord(spec["trafficPolicy"]), ...asList(asRecord(spec["trafficPolicy"])["portLevelSettings"]).map(asRecord), ...asList(spec["subsets"]).map((s) => asRecord(asRecord(s)["trafficPolicy"]))];
    const nested = asList(spec["subsets"]).flatMap((s) => asList(asRecord(asRecord(s)["trafficPolicy"])["portLevelSettings"]).map(asRecord));
    return [...policies, ...nested].some((p) => p["tls"] !== undefined);
}

/**
 * A DestinationRule whose whole spec is `host` + `trafficPolicy.tls.mode: ISTIO_MUTUAL` for a
 * declared service → destinationRules: true. One without any TLS setting is traffic management,
 * not security: left as is, noted. Any other TLS setting stays as is, reported.
 */
export function translateDestinationRule(ctx: ImportContext, object: unknown, clusterDomain: string): { service?: string; problems: Problem[]; note?: Problem } {
    const spec = asRecord(asRecord(object)["spec"]);
    const host = String(spec["host"]);
    if (!hasTls(spec)) return { problems: [], note: { field: "spec", problem: "no TLS setting (traffic management, not security): left as is" } };
    const plain = Object.keys(spec).sort().join(",") === "host,trafficPolicy" && Object.keys(asRecord(spec["trafficPolicy"])).join(",") === "tls" && JSON.stringify(asRecord(spec["trafficPolicy"])["tls"]) === JSON.stringify({ mode: "ISTIO_MUTUAL" });
    if (!plain) return { problems: [{ field: "spec.trafficPolicy", problem: "only a DestinationRule that sets tls.mode ISTIO_MUTUAL and nothing else is expressible (destinationRules: true)" }] };
    const service = hostService(ctx, host, namespaceOf(object), clusterDomain);
    if (service === undefined) return { problems: [{ field: "spec.host", problem: `${host} is no declared service` }] };
    return { service, problems: [] };
}
