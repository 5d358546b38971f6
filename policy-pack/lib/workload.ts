import { WorkloadType } from "./kinds";
import { asList, asRecord, asStringMap, materialize, valueAt } from "./object";
import { cachedReading, readingKey } from "./reading-cache";

/** The pod template of a workload as far as mesh policies care: where it is, labels, annotations. */
export interface PodTemplate {
    /** Path of the template in the resource (`spec.template`, `spec.jobTemplate.spec.template`, "" for a Pod). */
    readonly path: string;
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
    /** The pod spec, still behind the SDK proxy: read only the fields you need. */
    readonly spec: Record<string, unknown>;
}

/** The pod template, read once per request for all the policies that look at it (reading-cache.ts). */
export function readPodTemplate(props: Record<string, unknown>, workload: WorkloadType): PodTemplate {
    return cachedReading(readingKey(props, undefined, ["pod template", workload.kind]), () => readUncached(props, workload));
}

function readUncached(props: Record<string, unknown>, workload: WorkloadType): PodTemplate {
    const template = workload.template.length === 0 ? props : asRecord(valueAt(props, workload.template));
    const metadata = asRecord(materialize(template["metadata"]));
    return {
        path: workload.template.join("."),
        labels: asStringMap(metadata["labels"]),
        annotations: asStringMap(metadata["annotations"]),
        spec: asRecord(template["spec"]),
    };
}

/** `spec.template.metadata.labels["x"]` for a template path and a field under it. */
export function templateField(template: PodTemplate, field: string): string {
    return template.path === "" ? field : `${template.path}.${field}`;
}

/** A container of the pod spec, with the list it came from and its index. */
export interface PodContainer {
    readonly list: "containers" | "initContainers" | "ephemeralContainers";
    readonly index: number;
    readonly container: Record<string, unknown>;
}

/**
 * The containers of a pod spec, init and ephemeral ones included. Several checks of one request
 * list them from the same spec: behind the SDK's proxy the list is kept in the per-request reading
 * cache (reading-cache.ts); a plain object is read every time.
 */
export function podContainers(spec: Record<string, unknown>): readonly PodContainer[] {
    return cachedReading(readingKey(spec, undefined, ["podContainers"]), () => readContainers(spec));
}

function readContainers(spec: Record<string, unknown>): readonly PodContainer[] {
    const out: PodContainer[] = [];
    for (const list of ["containers", "initContainers", "ephemeralContainers"] as const) {
        asList(spec[list]).forEach((container, index) => out.push({ list, index, container: asRecord(container) }));
    }
    return out;
}
