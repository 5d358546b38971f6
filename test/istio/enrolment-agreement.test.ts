import * as assert from "assert";
import fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { StackValidationPolicy } from "@pulumi/policy";
import { manifestWorkloads } from "../../components/istio";
import { WORKLOAD_KIND_NAMES } from "../../components/kube";
import { buildMeshGraph, KubeObject } from "../../components/render";
import { AuthorizationSimulator } from "../../components/simulate";
import { FIXTURES, reportedPolicies, runCli, tempDir } from "../cli/run-cli";
import { assertAgreement, explainPlaintext } from "./membership-agreement";
import { k8s, policyNamed, runStackPolicy } from "../policy/harness";
import { authorizationPolicy, namespace, peerAuthentication } from "../fixtures/objects";

/**
 * Mesh membership is decided once (components/istio/enrolment): the simulator, the renderer, the
 * policy pack and `meshguard explain` must classify every workload the same way.
 */

type Labels = Record<string, string>;

const API_VERSIONS: Readonly<Record<string, string>> = {
    Pod: "v1",
    ReplicationController: "v1",
    Deployment: "apps/v1",
    StatefulSet: "apps/v1",
    DaemonSet: "apps/v1",
    ReplicaSet: "apps/v1",
    Job: "batch/v1",
    CronJob: "batch/v1",
};

interface WorkloadShape {
    readonly kind: string;
    readonly labels: Labels;
    readonly annotations: Labels;
    readonly hostNetwork: boolean;
}

function workloadObject(kind: string, namespace: string, name: string, shape: WorkloadShape): KubeObject {
    const metadata = { labels: { app: name, ...shape.labels }, annotations: shape.annotations };
    const spec = { ...(shape.hostNetwork ? { hostNetwork: true } : {}), containers: [{ name: "app", image: "registry.example.com/app:1", ports: [{ containerPort: 8080 }] }] };
    const template = { metadata, spec };
    const base = { apiVersion: API_VERSIONS[kind], kind };
    if (kind === "Pod") return { ...base, metadata: { name, namespace, ...metadata }, spec };
    if (kind === "CronJob") return { ...base, metadata: { name, namespace }, spec: { schedule: "* * * * *", jobTemplate: { spec: { template } } } };
    return { ...base, metadata: { name, namespace }, spec: { selector: { matchLabels: { app: name } }, template } };
}

const namespaceObject = (name: string, labels: Labels): KubeObject => namespace(name, labels);

/** Mesh-wide STRICT and allow-nothing: a plaintext call to a mesh workload is refused, to one outside the mesh it is not. */
const MESH_POLICIES: readonly KubeObject[] = [
    peerAuthentication("istio-system", "default", { mtls: { mode: "STRICT" } }),
    authorizationPolicy("istio-system", "allow-nothing", {}),
];

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const compact = (entries: Record<string, string | undefined>): Labels =>
    Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined));

const namespaceLabelsArb = fc
    .record({
        injection: optional(fc.constantFrom("enabled", "disabled", "Enabled", "true")),
        revision: optional(fc.constantFrom("canary", "default", "")),
        dataplane: optional(fc.constantFrom("ambient", "none", "other", "Ambient")),
    })
    .map((l) => compact({ "istio-injection": l.injection, "istio.io/rev": l.revision, "istio.io/dataplane-mode": l.dataplane }));

const workloadArb: fc.Arbitrary<WorkloadShape> = fc.record({
    kind: fc.constantFrom(...WORKLOAD_KIND_NAMES),
    labels: fc
        .record({
            inject: optional(fc.constantFrom("true", "false", "True", "FALSE", "")),
            revision: optional(fc.constantFrom("canary", "")),
            dataplane: optional(fc.constantFrom("ambient", "none", "other")),
        })
        .map((l) => compact({ "sidecar.istio.io/inject": l.inject, "istio.io/rev": l.revision, "istio.io/dataplane-mode": l.dataplane })),
    annotations: optional(fc.constantFrom("true", "false", "False")).map((v) => compact({ "sidecar.istio.io/inject": v })),
    hostNetwork: fc.boolean(),
});

/** Namespaces (declared with labels, or not among the objects) and up to 3 workloads each. */
const stackArb: fc.Arbitrary<KubeObject[]> = fc
    .uniqueArray(
        fc.record({ name: fc.constantFrom("shop", "web", "data"), declared: fc.boolean(), labels: namespaceLabelsArb, workloads: fc.array(workloadArb, { maxLength: 3 }) }),
        { selector: (n) => n.name, minLength: 1, maxLength: 3 },
    )
    .map((namespaces) => [
        ...namespaces.filter((n) => n.declared).map((n) => namespaceObject(n.name, n.labels)),
        ...namespaces.flatMap((n) => n.workloads.map((w, i) => workloadObject(w.kind, n.name, `${w.kind.toLowerCase()}-${i}`, w))),
        ...MESH_POLICIES,
    ]);

describe("mesh membership: simulator, renderer, policy pack and explain agree", () => {
    let work: ReturnType<typeof tempDir>;
    beforeEach(() => { work = tempDir("enrolment"); });
    afterEach(() => work.cleanup());

    it("on generated stacks (every workload kind, namespace and pod labels, annotations, mixed case, unknown values)", async () => {
        let stacks = 0;
        const seen = { sidecar: 0, ambient: 0, none: 0 };
        await fc.assert(
            fc.asyncProperty(stackArb, async (objects) => {
                for (const w of manifestWorkloads(objects)) seen[w.enrolment.dataplane]++;
                await assertAgreement(objects, work.dir, stacks++ % 4 === 0);
            }),
            { numRuns: 300 },
        );
        // The generator reaches every data plane (the property is not vacuous).
        assert.ok(seen.sidecar > 50 && seen.ambient > 20 && seen.none > 50, JSON.stringify(seen));
    });

    it("on the test corpora (test/fixtures/manifests)", async () => {
        const { parseAllDocuments } = await import("yaml");
        for (const set of ["secure", "insecure"]) {
            const dir = path.join(FIXTURES, "manifests", set);
            const objects = fs
                .readdirSync(dir)
                .sort()
                .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), "utf8")).map((d) => d.toJS() as KubeObject))
                .flatMap((o) => (o.kind === "List" ? (o["items"] as KubeObject[]) : [o]))
                .filter((o) => o !== null && typeof o === "object");
            assert.ok(manifestWorkloads(objects).length > 0, set);
            await assertAgreement(objects, work.dir, false);
        }
    });

    it("issue 11's reproduction: a namespace without injection label is outside the mesh for explain and check", async () => {
        const file = path.join(work.dir, "ns.yaml");
        const objects: KubeObject[] = [
            namespaceObject("shop", {}),
            workloadObject("Deployment", "shop", "cart", { kind: "Deployment", labels: {}, annotations: {}, hostNetwork: false }),
            { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "allow-nothing", namespace: "shop" }, spec: {} },
            { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "shop" }, spec: { mtls: { mode: "STRICT" } } },
        ];
        fs.writeFileSync(file, objects.map((o) => stringify(o)).join("---\n"));
        assert.deepStrictEqual(await explainPlaintext(file, "shop/cart", work.dir), {
            code: 0,
            first: "ALLOWED: shop/cart is outside the mesh (no sidecar): nothing enforces mTLS or authorization on it, so the request reaches it as sent (why: namespace shop has no istio-injection, istio.io/rev or istio.io/dataplane-mode label and its pods do not opt in).",
        });
        const check = await runCli(["check", file], work.dir);
        assert.ok(reportedPolicies(check.stdout).includes("mandatory namespace-sidecar-injection"), check.stdout);
        await assertAgreement(objects, work.dir, true);
    });

    it("agrees on istio.io/dry-run values (Go ParseBool): an allow-nothing annotated \"1\" enforces nothing", async () => {
        for (const [value, enforced] of [["1", false], ["True", false], ["0", true], ["false", true]] as const) {
            const objects: KubeObject[] = [
                namespaceObject("shop", { "istio-injection": "enabled" }),
                workloadObject("Deployment", "shop", "cart", { kind: "Deployment", labels: {}, annotations: {}, hostNetwork: false }),
                { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "allow-nothing", namespace: "shop", annotations: { "istio.io/dry-run": value } }, spec: {} },
            ];
            const decision = new AuthorizationSimulator({ manifests: objects }).decide({ from: { serviceAccount: "web/web" }, to: "shop/cart" });
            const rendered = buildMeshGraph(objects).defaultDenyNamespaces;
            const packRun = await runStackPolicy(policyNamed<StackValidationPolicy>("mesh-default-deny"), objects.map((o) => k8s(o)));
            assert.deepStrictEqual(
                [decision.verdict, rendered, packRun.violations.length],
                enforced ? ["denied", ["shop"], 0] : ["allowed", [], 1],
                value,
            );
        }
    });
});
