import { jsonErrorOffset } from "./json-position";

/**
 * Reading a saved Prometheus HTTP API answer (`/api/v1/query` or `/api/v1/query_range`), strictly:
 * `{ status: "success", data: { resultType: "vector" | "matrix", result: [...] } }`.
 * Format: https://prometheus.io/docs/prometheus/latest/querying/api/#expression-query-result-formats
 * Anything else (an error answer, a scalar, a sample without labels or value) is refused with the
 * file and the position, never read partially.
 */

/** One series of the answer: its labels and how much traffic it counted in the window. */
export interface PrometheusSample {
    /** Where it came from: `FILE: data.result[3]`. */
    readonly origin: string;
    readonly labels: Readonly<Record<string, string>>;
    /**
     * The counted value: the sample of a vector; the largest point of a matrix series (with
     * `increase(...)` each point is the traffic of one window, so the largest is a lower bound).
     */
    readonly value: number;
}

/** A file that is not a usable Prometheus answer. The message names the file and the position. */
export class PrometheusInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PrometheusInputError";
    }
}

const MAX_QUOTED = 60;

function quote(text: string): string {
    return JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
}

function describe(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "string") return `the string ${quote(value)}`;
    return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): string {
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    return `line ${line}, column ${column}`;
}

function parseJson(text: string, file: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        const offset = jsonErrorOffset(text);
        const where = text.trim() === "" ? "empty file" : offset >= text.length ? `${lineColumn(text, text.length)} (end of file)` : lineColumn(text, offset);
        const found = offset >= text.length ? "the text ends too early" : `unexpected ${JSON.stringify(text.slice(offset, offset + 12))}`;
        const reason = text.trim() === "" ? "no JSON value" : found;
        throw new PrometheusInputError(`${file}: ${where}: invalid JSON: ${reason}. Fix: save the body of the Prometheus answer as it is (curl -s ... > ${file})`);
    }
}

function sampleValue(point: unknown, at: string): number {
    if (!Array.isArray(point) || point.length !== 2 || typeof point[0] !== "number" || typeof point[1] !== "string") {
        throw new PrometheusInputError(`${at}: expected a [timestamp, "value"] pair, found ${describe(point)}`);
    }
    const value = Number(point[1]);
    if (point[1].trim() === "" || !Number.isFinite(value) || value < 0) {
        throw new PrometheusInputError(`${at}: value ${quote(point[1])} is not a finite count ≥ 0 (NaN and Inf cannot say whether traffic happened). Fix: query increase(...) over a window with data`);
    }
    return value;
}

function sampleLabels(metric: unknown, at: string): Record<string, string> {
    if (metric === null || typeof metric !== "object" || Array.isArray(metric)) {
        throw new PrometheusInputError(`${at}.metric: expected the series labels (an object), found ${describe(metric)}`);
    }
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(metric)) {
        if (typeof value !== "string") throw new PrometheusInputError(`${at}.metric.${key}: a label value must be a string, found ${describe(value)}`);
        labels[key] = value;
    }
    return labels;
}

/**
 * The series of one saved answer. `file` names the input in every message.
 * Throws PrometheusInputError for invalid JSON (with line and column), an error answer, a result
 * type other than vector/matrix, or a malformed series.
 */
export function parsePrometheusResponse(text: string, file: string): PrometheusSample[] {
    const body = parseJson(text, file);
    if (body === null || typeof body !== "object" || Array.isArray(body) || !("status" in body)) {
        throw new PrometheusInputError(`${file}: not a Prometheus API answer (expected an object with "status" and "data", found ${describe(body)}). Fix: save the answer of /api/v1/query, see docs/adoption.md`);
    }
    const answer = body as Record<string, unknown>;
    if (answer["status"] === "error") {
        const type = typeof answer["errorType"] === "string" ? ` (${answer["errorType"]})` : "";
        const error = typeof answer["error"] === "string" ? `: ${quote(answer["error"])}` : "";
        throw new PrometheusInputError(`${file}: Prometheus answered with an error${type}${error}. Fix: correct the query and save a successful answer`);
    }
    if (answer["status"] !== "success") {
        throw new PrometheusInputError(`${file}: status: expected "success" or "error", found ${describe(answer["status"])}`);
    }
    const data = answer["data"];
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
        throw new PrometheusInputError(`${file}: data: expected an object with resultType and result, found ${describe(data)}`);
    }
    const { resultType, result } = data as Record<string, unknown>;
    if (resultType !== "vector" && resultType !== "matrix") {
        throw new PrometheusInputError(`${file}: data.resultType: expected "vector" or "matrix", found ${describe(resultType)}. Fix: query a metric with its labels, e.g. sum by (...) (increase(istio_requests_total[7d]))`);
    }
    if (!Array.isArray(result)) throw new PrometheusInputError(`${file}: data.result: expected a list of series, found ${describe(result)}`);
    return result.map((series: unknown, i): PrometheusSample => {
        const at = `${file}: data.result[${i}]`;
        if (series === null || typeof series !== "object" || Array.isArray(series)) {
            throw new PrometheusInputError(`${at}: expected a series object, found ${describe(series)}`);
        }
        const s = series as Record<string, unknown>;
        const labels = sampleLabels(s["metric"], at);
        if (resultType === "vector") return { origin: at, labels, value: sampleValue(s["value"], `${at}.value`) };
        const values = s["values"];
        if (!Array.isArray(values)) throw new PrometheusInputError(`${at}.values: expected a list of [timestamp, "value"] pairs, found ${describe(values)}`);
        const points = values.map((p, k) => sampleValue(p, `${at}.values[${k}]`));
        return { origin: at, labels, value: points.length === 0 ? 0 : Math.max(...points) };
    });
}
