import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { manifestWorkloads, workloadEnrolment } from "../../components/istio";
import { buildMeshGraph, KubeObject } from "../../components/render";
import { AuthorizationSimulator } from "../../components/simulate";
import { runCli } from "../cli/run-cli";
import { k8s, policyNamed, runResourcePolicy, runStackPolicy } from "../policy/harness";

/**
 * Mesh membership is decided once (components/istio/enrolment): the simulator, the renderer, the
 * policy pack and `meshguard explain` must classify every workload the same way. Shared by the
 * generated-stack suite and the examples suite.
 */

interface Membership {
    readonly key: string;
    readonly inMesh: boolean;
}

const byKey = (list: readonly Membership[]) => [...list].sort((a, b) => a.key.localeCompare(b.key));

function expected(objects: readonly KubeObject[]): Membership[] {
    return byKey(manifestWorkloads(objects).map((w) => ({ key: `${w.namespace}/${w.name}`, inMesh: w.enrolment.inMesh })));
}

function simulator(objects: readonly KubeObject[]): Membership[] {
    return byKey(new AuthorizationSimulator({ manifests: objects }).workloads.map((w) => ({ key: `${w.namespace}/${w.name}`, inMesh: w.inMesh !== false })));
}

function renderer(objects: readonly KubeObject[]): Membership[] {
    const graph = buildMeshGraph(objects);
    const outside = new Set(graph.outsideMesh.map((o) => o.workload));
    const workloads = graph.nodes.filter((n) => n.kind === "workload").map((n) => `${n.namespace}/${n.label.replace(/ \(no sidecar\)$/, "")}`);
    return byKey(workloads.map((key) => ({ key, inMesh: !outside.has(key) })));
}

const SUBJECT = /\b(?:Pod|ReplicationController|Deployment|StatefulSet|DaemonSet|ReplicaSet|Job|CronJob) ([a-z0-9-]+\/[a-z0-9-]+)\b/g;

/**
 * The pack's verdict: namespace-sidecar-injection names the workloads its namespace keeps out,
 * workload-no-injection-opt-out the ones that opt out themselves. The resource policy cannot see
 * the namespace, so it also flags a sidecar opt-out of a pod ambient enrols (`ambientOptOut`):
 * conservative, and the only difference the test allows.
 */
async function pack(objects: readonly KubeObject[]): Promise<{ outside: Set<string>; optOutFlagged: Set<string> }> {
    const resources = objects.map((o) => k8s(o));
    const outside = new Set<string>();
    const stack = await runStackPolicy(policyNamed<StackValidationPolicy>("namespace-sidecar-injection"), resources);
    for (const v of stack.violations) for (const m of v.message.matchAll(SUBJECT)) outside.add(m[1]);
    const optOutFlagged = new Set<string>();
    const optOut = policyNamed<ResourceValidationPolicy>("workload-no-injection-opt-out");
    for (const [i, object] of objects.entries()) {
        const run = await runResourcePolicy(optOut, resources[i]);
        if (run.violations.some((v) => v.enforcementLevel === "mandatory" && v.message.includes("outside the mesh"))) {
            optOutFlagged.add(`${object.metadata?.namespace}/${object.metadata?.name}`);
        }
    }
    return { outside, optOutFlagged };
}

export async function explainPlaintext(file: string, key: string, cwd: string): Promise<{ code: number; first: string }> {
    const run = await runCli(["explain", file, "--to", key, "--plaintext"], cwd);
    return { code: run.code, first: run.stdout.split("\n")[0] };
}

export async function assertAgreement(objects: readonly KubeObject[], dir: string, runExplain: boolean): Promise<void> {
    const truth = expected(objects);
    assert.deepStrictEqual(simulator(objects), truth, "simulator");
    assert.deepStrictEqual(renderer(objects), truth, "renderer");
    const verdict = await pack(objects);
    const workloads = manifestWorkloads(objects);
    for (const w of workloads) {
        const key = `${w.namespace}/${w.name}`;
        // What the resource policy sees: the pod alone, its namespace taken as labelled for injection.
        const podAlone = workloadEnrolment({ name: w.namespace }, { labels: w.podLabels, annotations: w.podAnnotations, hostNetwork: w.hostNetwork });
        const ambientOptOut = w.enrolment.dataplane === "ambient" && !podAlone.inMesh;
        assert.strictEqual(verdict.outside.has(key) || verdict.optOutFlagged.has(key), !w.enrolment.inMesh || ambientOptOut, `pack on ${key}: ${w.enrolment.reason}`);
    }
    if (!runExplain) return;
    const file = path.join(dir, "stack.yaml");
    fs.writeFileSync(file, objects.map((o) => stringify(o)).join("---\n"));
    for (const w of workloads) {
        const key = `${w.namespace}/${w.name}`;
        const got = await explainPlaintext(file, key, dir);
        if (w.enrolment.inMesh) {
            assert.deepStrictEqual(got, { code: 1, first: `DENIED: STRICT mTLS on ${key} port 8080 rejects the plaintext connection of a plaintext caller outside the mesh.` }, key);
        } else {
            assert.deepStrictEqual(got, { code: 0, first: `ALLOWED: ${key} is outside the mesh (no sidecar): nothing enforces mTLS or authorization on it, so the request reaches it as sent (why: ${w.enrolment.reason}).` }, key);
        }
    }
}
