import { UnknownValueError } from "@pulumi/policy";
import { asList, asRecord, materialize } from "./object";
import { StackWorkload } from "./stack";
import { podContainers } from "./workload";

/**
 * What a workload runs as and listens on, for comparing AuthorizationPolicy intent with the
 * deployment. The one place the intent policies read workloads: point it at the shared Kubernetes
 * reader when there is one.
 */
export interface WorkloadIdentity {
    readonly workload: StackWorkload;
    /** The pod's service account; undefined when not known at preview. */
    readonly serviceAccount: string | undefined;
    /** Declared `containerPort`s of every container (init and sidecar containers included); undefined when not known at preview. */
    readonly ports: ReadonlySet<number> | undefined;
}

/** Reads a workload's service account and container ports; a value unknown at preview is undefined, never a guess. */
export function readWorkloadIdentity(workload: StackWorkload): WorkloadIdentity {
    return { workload, serviceAccount: known(() => serviceAccountOf(workload.template.spec)), ports: known(() => containerPorts(workload.template.spec)) };
}

function known<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (err) {
        if (err instanceof UnknownValueError) return undefined;
        throw err;
    }
}

/** `serviceAccountName`, else the deprecated `serviceAccount` alias, else Kubernetes' `default`. */
function serviceAccountOf(spec: Record<string, unknown>): string {
    for (const field of ["serviceAccountName", "serviceAccount"]) {
        const value = materialize(spec[field]);
        if (typeof value === "string" && value !== "") return value;
    }
    return "default";
}

function containerPorts(spec: Record<string, unknown>): Set<number> {
    const ports = new Set<number>();
    for (const { container } of podContainers(spec)) {
        for (const port of asList(materialize(container["ports"]))) {
            const number = asRecord(port)["containerPort"];
            if (typeof number === "number") ports.add(number);
        }
    }
    return ports;
}
