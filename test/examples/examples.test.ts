import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { manifestWorkloads } from "../../components/istio";
import { KubeObject } from "../../components/render";
import { INSECURE_EXAMPLE_POLICIES, listFiles, REPO_ROOT, reportedPolicies, runCli, tempDir } from "../cli/run-cli";
import { assertAgreement } from "../istio/membership-agreement";

/** The objects `meshguard preview --out DIR` wrote (one YAML file per object under 1-manifest/). */
function writtenObjects(dir: string): KubeObject[] {
    return listFiles(dir)
        .filter((f) => f.startsWith("1-manifest/"))
        .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), "utf8")).map((d) => d.toJS() as KubeObject));
}

interface SecureExample {
    readonly name: string;
    /** The "Resources:" summary line. */
    readonly resources: string;
    /** Edges that must be in mesh.mmd: the relationships the example declares. */
    readonly edges: readonly string[];
}

const SECURE: readonly SecureExample[] = [
    {
        name: "frontend-backend",
        resources: "Resources: 21 (1 stack, 3 components, 2 Helm installs, 15 Kubernetes objects)",
        edges: ['workload_shop_frontend -->|"GET, POST /api/* port 8080"| workload_shop_backend'],
    },
    {
        name: "namespace-isolation",
        resources: "Resources: 35 (1 stack, 4 components, 2 Helm installs, 28 Kubernetes objects)",
        edges: [
            'anyone --x|"DENY namespace not frontend-ns: any request"| namespace_backend_ns',
            'namespace_frontend_ns -->|"port 9090"| workload_backend_ns_inventory',
            'namespace_frontend_ns -->|"port 9090"| workload_backend_ns_orders',
        ],
    },
    {
        name: "zero-trust",
        resources: "Resources: 46 (1 stack, 4 components, 3 Helm installs, 38 Kubernetes objects)",
        edges: [
            'workload_web_catalog -->|"port 5432"| workload_data_catalog_db',
            'gateway_istio_ingress_istio_ingressgateway -->|"GET, HEAD port 8080"| workload_web_storefront',
            'workload_web_storefront -->|"GET /products /products/* port 8080"| workload_web_catalog',
            'workload_web_storefront -->|"egress port 443 HTTPS"| external_api_stripe_com',
        ],
    },
    {
        name: "defense-in-depth",
        resources: "Resources: 31 (1 stack, 3 components, 3 Helm installs, 24 Kubernetes objects)",
        edges: [
            'outside_monitoring_app_kubernetes_io_name_prometheus -->|"plaintext: port 9090"| workload_shop_orders',
            'gateway_istio_ingress_istio_ingressgateway -->|"GET, HEAD port 8080"| workload_shop_storefront',
            'workload_shop_storefront -->|"GET, POST /orders /orders/* port 8080"| workload_shop_orders',
        ],
    },
    {
        name: "end-user-jwt",
        resources: "Resources: 21 (1 stack, 3 components, 3 Helm installs, 14 Kubernetes objects)",
        edges: ['end_users_https_auth_example_com -->|"GET, HEAD port 8080 when request.auth.audiences = reports-api and request.auth.claims[groups] = analysts"| workload_analytics_reports'],
    },
    {
        name: "bookinfo",
        resources: "Resources: 39 (1 stack, 3 components, 3 Helm installs, 32 Kubernetes objects)",
        edges: [
            'workload_bookinfo_productpage_v1 -->|"GET port 9080"| workload_bookinfo_details_v1',
            'workload_bookinfo_reviews_v1 -->|"GET port 9080"| workload_bookinfo_ratings_v1',
            'workload_bookinfo_reviews_v2 -->|"GET port 9080"| workload_bookinfo_ratings_v1',
            'workload_bookinfo_reviews_v3 -->|"GET port 9080"| workload_bookinfo_ratings_v1',
            'workload_bookinfo_productpage_v1 -->|"GET port 9080"| workload_bookinfo_reviews_v1',
            'workload_bookinfo_productpage_v1 -->|"GET port 9080"| workload_bookinfo_reviews_v2',
            'workload_bookinfo_productpage_v1 -->|"GET port 9080"| workload_bookinfo_reviews_v3',
            'gateway_istio_ingress_istio_ingressgateway -->|"GET /api/v1/products /api/v1/products/* /logout /productpage /static/* port 9080<br/>POST /login port 9080"| workload_bookinfo_productpage_v1',
        ],
    },
    {
        name: "ambient",
        resources: "Resources: 53 (1 stack, 5 components, 5 Helm installs, 42 Kubernetes objects)",
        edges: [
            // The waypoint layer (targetRefs to a Service) is drawn to the Service's workloads, and the
            // ztunnel layer's waypoint identity from the waypoint (components/render/mesh-graph.ts).
            'workload_frontend_productpage_v1 -->|"port 9080"| workload_bookinfo_details_v1',
            'gateway_bookinfo_waypoint -->|"port 9080"| workload_bookinfo_ratings_v1',
            'workload_frontend_productpage_v1 -->|"port 9080"| workload_bookinfo_reviews_v1',
            'workload_frontend_productpage_v1 -->|"port 9080"| workload_bookinfo_reviews_v2',
            'workload_frontend_productpage_v1 -->|"port 9080"| workload_bookinfo_reviews_v3',
            'workload_bookinfo_reviews_v1 -->|"GET port 9080"| workload_bookinfo_ratings_v1',
            'workload_bookinfo_reviews_v2 -->|"GET port 9080"| workload_bookinfo_ratings_v1',
            'workload_bookinfo_reviews_v3 -->|"GET port 9080"| workload_bookinfo_ratings_v1',
            'gateway_istio_ingress_istio_ingressgateway -->|"GET /api/v1/products /api/v1/products/* /logout /productpage /static/* port 9080<br/>POST /login port 9080"| workload_frontend_productpage_v1',
        ],
    },
];

describe("examples through meshguard preview (offline program + policy pack over gRPC)", () => {
    let work: ReturnType<typeof tempDir>;
    beforeEach(() => { work = tempDir("examples"); });
    afterEach(() => work.cleanup());

    it("every example directory is covered by this suite and is a project of its own", () => {
        const examples = fs.readdirSync(path.join(REPO_ROOT, "examples"), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
        // brownfield (test/examples/brownfield.test.ts) also carries the running mesh's state as files.
        assert.deepStrictEqual(examples, [...SECURE.map((e) => e.name), "brownfield", "insecure"].sort());
        for (const name of examples) {
            const state = name === "brownfield" ? ["discovered.json", "existing", "metrics"] : [];
            assert.deepStrictEqual(fs.readdirSync(path.join(REPO_ROOT, "examples", name)).sort(), ["Pulumi.yaml", ...state, "index.ts", "tsconfig.json"].sort(), name);
            const program = fs.readFileSync(path.join(REPO_ROOT, "examples", name, "index.ts"), "utf8");
            assert.match(program, /from "meshguard";/, `${name} imports meshguard as a user would`);
            assert.doesNotMatch(program, /from "\.\.?\//, `${name} has no relative imports`);
        }
    });

    for (const example of SECURE) {
        it(`${example.name}: zero violations, ${example.resources.split(" (")[0].toLowerCase()}`, async () => {
            const { code, stdout, stderr } = await runCli(["preview", path.join(REPO_ROOT, "examples", example.name), "--out", work.dir, "--quiet"], REPO_ROOT);
            // A stack of PROGRESS_THRESHOLD resources or more reports the pack's progress on stderr (components/cli/progress.ts); nothing else may appear there.
            assert.strictEqual(stderr.replace(/^analyzing resources.*\n/gm, ""), "");
            assert.strictEqual(code, 0, stdout);
            assert.deepStrictEqual(reportedPolicies(stdout), []);
            assert.ok(stdout.includes(`\n${example.resources}\n`), stdout);
            assert.ok(stdout.endsWith("\nPASSED: no policy violations.\n"), stdout);
            const objects = Number(/, (\d+) Kubernetes objects\)/.exec(example.resources)![1]);
            assert.strictEqual(listFiles(work.dir).filter((f) => f.startsWith("1-manifest/")).length, objects);
            const graph = fs.readFileSync(path.join(work.dir, "mesh.mmd"), "utf8").split("\n").filter((l) => l.includes("-->") || l.includes("--x")).map((l) => l.trim());
            assert.deepStrictEqual(graph, example.edges);
            // Issue 11: simulator, renderer and pack classify the example's workloads alike.
            const written = writtenObjects(work.dir);
            assert.ok(manifestWorkloads(written).length > 0, "the example deploys workloads");
            await assertAgreement(written, work.dir, false);
        });
    }

    it("examples/README.md states each example's resource count as its preview prints it", () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, "examples", "README.md"), "utf8");
        const stated = (name: string) => new RegExp(`^\\| \\[${name}\\]\\(${name}/index\\.ts\\) \\|.*\\| (\\d+) resources, ([^|]+) \\|$`, "m").exec(readme)?.slice(1);
        for (const example of SECURE) {
            assert.deepStrictEqual(stated(example.name), [/^Resources: (\d+)/.exec(example.resources)![1], "no violation"], example.name);
        }
        assert.deepStrictEqual(stated("insecure"), ["20", "7 mandatory violations"]);
    });

    it("insecure: refused by exactly the policies it was written to break", async () => {
        const { code, stdout } = await runCli(["preview", path.join(REPO_ROOT, "examples", "insecure"), "--out", work.dir, "--quiet"], REPO_ROOT);
        assert.strictEqual(code, 1, stdout);
        assert.ok(stdout.includes("\nResources: 20 (1 stack, 1 component, 4 Helm installs, 14 Kubernetes objects)\n"), stdout);
        assert.deepStrictEqual(reportedPolicies(stdout), INSECURE_EXAMPLE_POLICIES);
        await assertAgreement(writtenObjects(work.dir), work.dir, false);
        assert.ok(stdout.endsWith("\nFAILED: 7 mandatory violations of 7 policies (pulumi preview --policy-pack policy-pack would refuse this).\n"), stdout);
    });
});
