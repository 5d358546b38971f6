/**
 * The MeshPolicy component against the SDK floor, under Pulumi's mock runtime (in process, no
 * engine): the time from constructing the component until every registration has reached the
 * mock monitor, against registering the same number of plain `CustomResource`s, with names and
 * specs computed beforehand, under a plain parent component.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childResourceName } from "../../components/compile/naming";
import { K8sManifest } from "../../components/manifest";
import { MeshPolicy } from "../../components/mesh-policy";
import { MeshPolicyInput } from "../../components/model/mesh-policy";
import { OfflineRecorder } from "../../components/offline/recorder";
import { gc, Sample, timeOnce } from "./stats";

const recorder = new OfflineRecorder();
const COMPONENT_NAME = "bench";

/** Waits until every registration started so far has reached the (mock) engine. */
async function settle(): Promise<void> {
    const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    if (runtime.waitForRPCs) await runtime.waitForRPCs();
}

/** A fresh mock runtime per measurement: the mock monitor keeps every resource it saw. */
async function freshRuntime(): Promise<void> {
    await settle();
    await recorder.install({ project: "meshguard-bench", stack: "bench", preview: true });
}

/** A plain component holding the floor's CustomResources, registered like MeshPolicy. */
class FloorParent extends pulumi.ComponentResource {
    constructor(name: string, resources: readonly PrecomputedResource[]) {
        super("meshguard:bench:Floor", name, {}, {});
        for (const r of resources) new k8s.apiextensions.CustomResource(r.name, r.args, { parent: this });
        this.registerOutputs({});
    }
}

export interface PrecomputedResource {
    name: string;
    args: k8s.apiextensions.CustomResourceArgs;
}

/** Names and specs of the floor's CustomResources, computed outside the timed region. */
export function precompute(manifests: readonly K8sManifest[]): PrecomputedResource[] {
    return manifests.map((m) => ({
        name: childResourceName(COMPONENT_NAME, m.metadata.namespace, m.metadata.name),
        args: { apiVersion: m.apiVersion, kind: m.kind, metadata: m.metadata, spec: m.spec },
    }));
}

export interface Registration {
    sample: Sample;
    /** Registrations the mock monitor received (the parent included). */
    registered: number;
    /**
     * Heap the run retains once every registration settled (after a full GC, against the heap
     * before it, the component still held as a program holds it): the floor's is the mock
     * runtime's share, the component's beyond the floor's is meshguard's.
     */
    retainedBytes: number;
}

/** Heap in use after a full GC (the bench runs with --expose-gc). */
function heapAfterGc(): number {
    gc();
    return process.memoryUsage().heapUsed;
}

/** Registers the precomputed CustomResources under a plain parent and waits for all of them. */
export async function registerFloor(resources: readonly PrecomputedResource[]): Promise<Registration> {
    await freshRuntime();
    const before = heapAfterGc();
    const { sample, result: parent } = await timeOnce(async () => {
        const parent = new FloorParent(COMPONENT_NAME, resources);
        await settle();
        return parent;
    });
    const retainedBytes = heapAfterGc() - before;
    return { sample, registered: recorder.resources.length, retainedBytes: parent === undefined ? Number.NaN : retainedBytes };
}

/** Drops what the last run registered (recorder and mock monitor), so later phases start from a small heap. */
export async function releaseRegistrations(): Promise<void> {
    await freshRuntime();
    recorder.reset();
}

/** Constructs the MeshPolicy component (validation and compile included) and waits for every registration. */
export async function registerComponent(input: MeshPolicyInput): Promise<Registration> {
    await freshRuntime();
    const before = heapAfterGc();
    const { sample, result: component } = await timeOnce(async () => {
        const component = new MeshPolicy(COMPONENT_NAME, input);
        await settle();
        return component;
    });
    const retainedBytes = heapAfterGc() - before;
    // The component is read after the measurement, so that it is held during it (as in a program).
    return { sample, registered: recorder.resources.length, retainedBytes: component.manifests.length >= 0 ? retainedBytes : Number.NaN };
}
