import { asList, asRecord, asStringMap, nonEmptyString } from "./records";
import { labelsOf, nameOf, namespaceOf, typeOfObject } from "./object";

/**
 * Core v1 Services among some objects, read once for the simulator (protocol selection, waypoint
 * routing) and for `meshguard import`. A Service's selector selects pods carrying every label of
 * it; an empty or absent selector selects none (its endpoints are managed by hand), which is how
 * the endpoints controller treats it (kubernetes pkg/controller/endpoint: Services without a
 * selector are skipped).
 */
export interface ServicePortRecord {
    /** Position in `spec.ports`, for messages that name the field. */
    readonly index: number;
    readonly port: number;
    /** Absent (or not a number or name, which the API server refuses): the same number as `port`. */
    readonly targetPort?: number | string;
    readonly name?: string;
    readonly appProtocol?: string;
    /** The entry as written, for readers that must report a field of the wrong type. */
    readonly raw: Readonly<Record<string, unknown>>;
}

export interface ServiceRecord {
    readonly namespace: string;
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly selector: Readonly<Record<string, string>>;
    /** Entries whose `port` is a number (the API server requires one). */
    readonly ports: readonly ServicePortRecord[];
}

export function readServices(objects: readonly unknown[]): ServiceRecord[] {
    const out: ServiceRecord[] = [];
    for (const object of objects) {
        const type = typeOfObject(object);
        const name = nameOf(object);
        if (type?.apiVersion !== "v1" || type.kind !== "Service" || name === undefined) continue;
        const spec = asRecord(asRecord(object)["spec"]);
        const ports: ServicePortRecord[] = [];
        asList(spec["ports"]).forEach((entry, index) => {
            const sp = asRecord(entry);
            const port = sp["port"];
            if (typeof port !== "number") return;
            const target = sp["targetPort"];
            const portName = nonEmptyString(sp["name"]);
            const appProtocol = nonEmptyString(sp["appProtocol"]);
            ports.push({
                index,
                port,
                ...(typeof target === "number" || typeof target === "string" ? { targetPort: target } : {}),
                ...(portName === undefined ? {} : { name: portName }),
                ...(appProtocol === undefined ? {} : { appProtocol }),
                raw: sp,
            });
        });
        out.push({ namespace: namespaceOf(object), name, labels: labelsOf(object), selector: asStringMap(spec["selector"]), ports });
    }
    return out;
}

/** Whether the Service selects pods carrying `labels` (never with an empty selector). */
export function serviceSelects(service: ServiceRecord, labels: Readonly<Record<string, string>>): boolean {
    const entries = Object.entries(service.selector);
    return entries.length > 0 && entries.every(([k, v]) => Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === v);
}
