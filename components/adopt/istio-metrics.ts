import { PrometheusInputError, PrometheusSample } from "./prometheus";

/**
 * Istio's standard metric labels (https://istio.io/latest/docs/reference/config/metrics/), read
 * from `istio_requests_total` and `istio_tcp_connections_opened_total` series. Every proxy on
 * the path reports a request once: `reporter="source"` from the caller's sidecar (or a gateway),
 * `reporter="destination"` from the callee's sidecar. Peers without a sidecar, and identities
 * that were not carried (no mTLS), are written as "unknown".
 */

/** Labels a series must carry: the queries of docs/adoption.md group by them. */
export const REQUIRED_LABELS = [
    "reporter",
    "source_workload",
    "source_workload_namespace",
    "source_principal",
    "destination_workload",
    "destination_workload_namespace",
    "destination_principal",
    "request_protocol",
] as const;

/**
 * Labels read when present: `destination_port` is not a default Istio label (add it with a
 * Telemetry tagOverride, docs/adoption.md); `response_code` is absent from TCP metrics.
 */
export const OPTIONAL_LABELS = ["destination_port", "destination_service_name", "destination_service_namespace", "response_code", "connection_security_policy"] as const;

/** Istio writes "unknown" for a peer or attribute it could not learn. */
export const UNKNOWN = "unknown";

export type ObservedProtocol = "http" | "grpc" | "tcp";

/** One side of an observed call, as the reporting proxy saw it. */
export interface ObservedPeer {
    readonly namespace: string;
    readonly workload: string;
    /** `spiffe://<trust-domain>/ns/<ns>/sa/<sa>`, or "unknown" without mTLS identity. */
    readonly principal: string;
}

/** One series, read as a call between two workloads. */
export interface ObservedCall {
    readonly origin: string;
    readonly reporter: "source" | "destination";
    readonly from: ObservedPeer;
    readonly to: ObservedPeer;
    /** Kubernetes Service the request was addressed to, when Istio knew it. */
    readonly serviceName?: string;
    /** The workload port (`destination_port`); undefined when the series does not carry it. */
    readonly port?: number;
    /** Undefined for a `request_protocol` meshguard cannot map (reported, never guessed). */
    readonly protocol?: ObservedProtocol;
    readonly rawProtocol: string;
    /** HTTP status; undefined for TCP connections. */
    readonly responseCode?: string;
    /** Requests (HTTP/gRPC) or connections opened (TCP) in the window. */
    readonly count: number;
}

function label(sample: PrometheusSample, name: string): string | undefined {
    const value = sample.labels[name];
    return value === undefined || value === "" ? undefined : value;
}

/**
 * The calls of Prometheus series carrying Istio's standard labels. Throws PrometheusInputError
 * naming the series when a required label is missing or a label has an impossible value (the
 * query did not group by it, or the file holds another metric).
 */
export function observedCalls(samples: readonly PrometheusSample[]): ObservedCall[] {
    return samples.map((sample): ObservedCall => {
        const missing = REQUIRED_LABELS.filter((name) => label(sample, name) === undefined);
        if (missing.length > 0) {
            throw new PrometheusInputError(
                `${sample.origin}.metric: missing Istio label${missing.length > 1 ? "s" : ""} ${missing.join(", ")}. Fix: group the query by the labels listed in docs/adoption.md (sum by (...))`,
            );
        }
        const get = (name: (typeof REQUIRED_LABELS)[number]) => label(sample, name) as string;
        const reporter = get("reporter");
        if (reporter !== "source" && reporter !== "destination") {
            throw new PrometheusInputError(`${sample.origin}.metric.reporter: expected "source" or "destination", found ${JSON.stringify(reporter.slice(0, 40))}`);
        }
        const portText = label(sample, "destination_port");
        let port: number | undefined;
        if (portText !== undefined && portText !== UNKNOWN) {
            port = Number(portText);
            if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) {
                throw new PrometheusInputError(`${sample.origin}.metric.destination_port: ${JSON.stringify(portText.slice(0, 40))} is not a port number 1-65535`);
            }
        }
        const rawProtocol = get("request_protocol");
        const protocol = rawProtocol === "http" || rawProtocol === "grpc" || rawProtocol === "tcp" ? rawProtocol : undefined;
        const responseCode = protocol === "tcp" ? undefined : label(sample, "response_code");
        return {
            origin: sample.origin,
            reporter,
            from: { namespace: get("source_workload_namespace"), workload: get("source_workload"), principal: get("source_principal") },
            to: { namespace: get("destination_workload_namespace"), workload: get("destination_workload"), principal: get("destination_principal") },
            serviceName: label(sample, "destination_service_name"),
            port,
            protocol,
            rawProtocol,
            responseCode,
            count: sample.value,
        };
    });
}

/** The identity in an Istio principal `spiffe://<td>/ns/<ns>/sa/<sa>` (Istio's SPIFFE id format, pkg/spiffe). */
export function parsePrincipal(principal: string): { trustDomain: string; namespace: string; serviceAccount: string } | undefined {
    const match = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(principal);
    return match === null ? undefined : { trustDomain: match[1], namespace: match[2], serviceAccount: match[3] };
}

/**
 * A request that got a response the caller can use: 1xx-3xx. 4xx/5xx are errors, and "0" (no
 * response: reset, timeout) is too. A request series without response_code is not counted as a
 * success either (fail closed: success must be observed).
 */
export function isSuccess(call: ObservedCall): boolean {
    if (call.protocol === "tcp") return true;
    return call.responseCode !== undefined && /^[123]\d\d$/.test(call.responseCode);
}
