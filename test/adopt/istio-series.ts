// Builders of Prometheus answers carrying Istio's standard labels, for discover and check tests.
import { PrometheusSample } from "../../components/adopt";

export interface Peer { namespace: string; workload: string; principal: string }

export const principal = (namespace: string, serviceAccount: string, trustDomain = "cluster.local") => `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
export const peer = (namespace: string, workload: string, serviceAccount: string = workload, trustDomain?: string): Peer => ({ namespace, workload, principal: principal(namespace, serviceAccount, trustDomain) });

export interface SeriesSpec {
    reporter: "source" | "destination";
    from: Peer;
    to: Peer;
    port?: number;
    protocol?: string;
    code?: string;
    service?: string;
    value?: number;
}

/** The labels Istio's proxies write for one series (as the documented queries group them). */
export function seriesLabels(s: SeriesSpec): Record<string, string> {
    const protocol = s.protocol ?? "http";
    return {
        reporter: s.reporter,
        source_workload: s.from.workload,
        source_workload_namespace: s.from.namespace,
        source_principal: s.from.principal,
        destination_workload: s.to.workload,
        destination_workload_namespace: s.to.namespace,
        destination_principal: s.to.principal,
        destination_service_name: s.service ?? s.to.workload,
        destination_service_namespace: s.to.namespace,
        request_protocol: protocol,
        connection_security_policy: s.reporter === "destination" ? "mutual_tls" : "unknown",
        ...(s.port === undefined ? {} : { destination_port: String(s.port) }),
        ...(protocol === "tcp" ? {} : { response_code: s.code ?? "200" }),
    };
}

/** Both proxies' series of one call. */
export function bothReporters(s: Omit<SeriesSpec, "reporter">): SeriesSpec[] {
    return [{ ...s, reporter: "source" }, { ...s, reporter: "destination" }];
}

export function samples(specs: readonly SeriesSpec[]): PrometheusSample[] {
    return specs.map((s, i) => ({ origin: `test.json: data.result[${i}]`, labels: seriesLabels(s), value: s.value ?? 10 }));
}

/** A saved /api/v1/query answer (vector). */
export function vectorAnswer(specs: readonly SeriesSpec[]): string {
    return JSON.stringify({ status: "success", data: { resultType: "vector", result: specs.map((s) => ({ metric: seriesLabels(s), value: [1764676800, String(s.value ?? 10)] })) } });
}
