import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import { analyzeStackWith, PolicyPackSession, startPolicyPack } from "../../components/analyzer";
import { IstioMesh } from "../../components/istio-mesh";
import { MeshNamespace } from "../../components/mesh-namespace";
import { MeshPolicy } from "../../components/mesh-policy";
import { RegisteredResource, runProgramOffline } from "../../components/offline";
import { recorder, registered, useMocks } from "../harness/mocks";

const EXAMPLES = path.join(__dirname, "..", "..", "examples");
const INSECURE_EXAMPLE = "insecure";

/** The policies the deliberately insecure example must trip, one per planted mistake (and its consequences). */
const INSECURE_EXAMPLE_POLICIES = [
    "authorization-policy-no-allow-all",
    "authorization-policy-ztunnel-http",
    "mesh-default-deny",
    "mesh-namespace-network-default-deny",
    "mesh-strict-mtls-coverage",
    "namespace-sidecar-injection",
    "peer-authentication-strict",
    "workload-no-injection-opt-out",
];

const exampleDirs = fs.existsSync(EXAMPLES)
    ? fs.readdirSync(EXAMPLES).filter((d) => fs.existsSync(path.join(EXAMPLES, d, "Pulumi.yaml"))).sort()
    : [];

const names = (verdicts: { policyName: string }[]) => [...new Set(verdicts.map((v) => v.policyName))].sort();
const show = (verdicts: { policyName: string; message: string }[]) => verdicts.map((v) => `${v.policyName}: ${v.message}`).join("\n");

/** One pack process for the whole file: each stack gets its own Configure/Analyze/AnalyzeStack. */
let session: PolicyPackSession;

describe("bridge: meshguard stacks through the policy pack over the wire", function () {
    this.timeout(300_000);

    before(async () => {
        session = await startPolicyPack({ stack: "test", project: "meshguard-test" });
    });
    after(async () => {
        await session?.close();
    });

    describe("examples (offline preview)", () => {
        it("finds the examples, including the deliberately insecure one", () => {
            assert.ok(exampleDirs.includes(INSECURE_EXAMPLE), `examples: ${exampleDirs.join(", ")}`);
            assert.ok(exampleDirs.length >= 2);
        });

        for (const example of exampleDirs) {
            const insecure = example === INSECURE_EXAMPLE;
            const title = insecure ? `${example} fails with the expected policies` : example === "brownfield" ? `${example} passes (advisories only: staged enforcement)` : `${example} passes with zero violations`;
            it(title, async () => {
                const run = await runProgramOffline(path.join(EXAMPLES, example));
                const result = await analyzeStackWith(session, run.resources);
                assert.strictEqual(result.analyzed, run.resources.length);
                if (insecure) {
                    assert.deepStrictEqual(names(result.verdicts), INSECURE_EXAMPLE_POLICIES, show(result.verdicts));
                    // Every planted mistake is mandatory; the one advisory is the missing NetworkPolicy baseline.
                    assert.ok(result.verdicts.every((v) => v.enforcementLevel === (v.policyName === "mesh-namespace-network-default-deny" ? "advisory" : "mandatory")), show(result.verdicts));
                } else if (example === "brownfield") {
                    // Staged enforcement: the shadow destinations are reported (advisory), and the gateway's
                    // namespace is not part of that stack (test/examples/brownfield.test.ts).
                    assert.deepStrictEqual(
                        result.verdicts.map((v) => `${v.enforcementLevel} ${v.policyName}`).sort(),
                        [...Array(4).fill("advisory authorization-policy-staged-enforcement"), "advisory policy-references-exist"],
                        show(result.verdicts),
                    );
                } else {
                    assert.deepStrictEqual(result.verdicts, [], show(result.verdicts));
                }
            });
        }
    });

    describe("components under mocks", () => {
        let resources: readonly RegisteredResource[] = [];

        before(async () => {
            await useMocks();
            recorder.reset();
            const mesh = new IstioMesh("mesh", {
                meshConfig: { pathNormalization: { normalization: "MERGE_SLASHES" }, outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } },
            });
            const shop = new MeshNamespace("shop", { name: "shop", mesh });
            for (const app of ["web", "api"]) {
                const labels = { app };
                new k8s.apps.v1.Deployment(app, {
                    metadata: { name: app, namespace: "shop", labels },
                    spec: {
                        selector: { matchLabels: labels },
                        template: { metadata: { labels }, spec: { serviceAccountName: app, containers: [{ name: app, image: `ghcr.io/example/${app}:1.0.0` }] } },
                    },
                }, { dependsOn: shop.ready });
            }
            const policy = new MeshPolicy("access", {
                services: [
                    { id: "web", namespace: "shop", serviceAccount: "web", ports: [{ port: 8080, protocol: "http" }] },
                    { id: "api", namespace: "shop", serviceAccount: "api", ports: [{ port: 8080, protocol: "http" }] },
                ],
                allow: [{ from: { service: "web" }, to: "api", methods: ["GET"], paths: ["/api/*"] }],
                // The MeshNamespace already makes "shop" STRICT and default-deny.
                mtls: "inherit",
                defaultDeny: false,
                dependsOn: [...mesh.ready, ...shop.ready],
            });
            resources = [...(await registered(policy))];
        });

        it("IstioMesh + MeshNamespace + MeshPolicy + workloads pass with zero violations", async () => {
            assert.ok(resources.some((r) => r.type === "kubernetes:security.istio.io/v1:AuthorizationPolicy"));
            const result = await analyzeStackWith(session, resources);
            assert.deepStrictEqual(result.verdicts, [], show(result.verdicts));
        });

        it("the same stack with one hand-written allow-all policy and an opted-out workload fails", async () => {
            const parent = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
            const extra = (type: string, name: string, inputs: Record<string, unknown>): RegisteredResource => ({
                urn: `urn:pulumi:test::meshguard-test::pulumi:pulumi:Stack$${type}::${name}`,
                type,
                name,
                custom: true,
                remote: false,
                parent,
                dependencies: [],
                propertyDependencies: {},
                inputs,
            });
            const insecure = [
                ...resources,
                extra("kubernetes:security.istio.io/v1beta1:AuthorizationPolicy", "allow-all", { apiVersion: "security.istio.io/v1beta1", kind: "AuthorizationPolicy", metadata: { name: "allow-all", namespace: "shop" }, spec: { rules: [{ from: [{ source: { principals: ["*"] } }] }] } }),
                extra("kubernetes:batch/v1:CronJob", "report", {
                    metadata: { name: "report", namespace: "shop" },
                    spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { metadata: { annotations: { "sidecar.istio.io/inject": "false" } }, spec: { containers: [{ name: "r", image: "r:1" }] } } } } },
                }),
            ];
            const result = await analyzeStackWith(session, insecure);
            assert.deepStrictEqual(names(result.verdicts), ["authorization-policy-no-allow-all", "workload-no-injection-opt-out"], show(result.verdicts));
            assert.deepStrictEqual(result.verdicts.map((v) => v.resourceName), ["allow-all", "report"]);
        });
    });
});
