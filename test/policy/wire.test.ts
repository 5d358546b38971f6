import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AnalyzeRequest, AnalyzerResourceOptions, EnforcementLevel } from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { analyzeManifests, manifestResources, PolicyPackSession, runPolicyPack, startPolicyPack } from "../../components/analyzer";
import { K8sManifest } from "../../components/manifest";
import { UNKNOWN_SENTINEL } from "../../components/offline";
import { meshguardPolicies } from "../../policy-pack/policies";

const permissive: K8sManifest = { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "shop" }, spec: { mtls: { mode: "PERMISSIVE" } } };

const secureManifests: K8sManifest[] = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "istio-system" } },
    { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "istio-system" }, spec: { mtls: { mode: "STRICT" } } },
    { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "allow-nothing", namespace: "istio-system" }, spec: {} },
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: { "istio-injection": "enabled" } } },
    { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny-ingress", namespace: "shop" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } },
    {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "shop" },
        spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } },
    },
];

describe("policy pack over the wire (analyzer gRPC, as the Pulumi CLI drives it)", function () {
    this.timeout(180_000);
    let session: PolicyPackSession;

    before(async () => {
        session = await startPolicyPack({ stack: "dev", project: "wire" });
    });
    after(async () => {
        await session?.close();
    });

    it("GetAnalyzerInfo describes the pack, its policies, levels and config schemas", async () => {
        const info = await session.info();
        assert.deepStrictEqual([info.name, info.version, info.supportsConfig], ["meshguard", "0.1.0", true]);
        assert.deepStrictEqual(
            info.policies.map((p) => [p.name, p.enforcementLevel]),
            meshguardPolicies.map((p) => [p.name, p.enforcementLevel]),
        );
        const injection = info.policies.find((p) => p.name === "namespace-sidecar-injection");
        assert.deepStrictEqual(injection?.configSchema?.properties["injectionExemptNamespaces"]?.["default"], ["kube-system", "kube-public", "kube-node-lease", "istio-system"]);
    });

    it("Analyze refuses an allow-all NetworkPolicy (network-policy-no-allow-all)", async () => {
        await session.configure();
        const open: K8sManifest = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "open", namespace: "shop" }, spec: { podSelector: {}, ingress: [{}] } };
        const [, np] = manifestResources([open]);
        const result = await session.analyze(np);
        assert.deepStrictEqual(
            result.verdicts.map((v) => [v.policyName, v.enforcementLevel, v.urn, v.resourceName, v.resourceType]),
            [["network-policy-no-allow-all", "mandatory", np.urn, "shop/open", "kubernetes:networking.k8s.io/v1:NetworkPolicy"]],
        );
        assert.match(result.verdicts[0].message, /\nNetworkPolicy shop\/open: spec\.ingress\[0\]: this rule allows every source/);
    });

    it("Analyze reports a MeshPolicy staged allow as dry-run, not enforced (advisory), and nothing else", async () => {
        await session.configure();
        const staged: K8sManifest = {
            apiVersion: "security.istio.io/v1",
            kind: "AuthorizationPolicy",
            metadata: { name: "api.staged-allow", namespace: "shop", annotations: { "meshguard.io/staged-enforcement": "dry-run" } },
            spec: { selector: { matchLabels: { app: "api" } }, action: "ALLOW", rules: [{ to: [{ operation: { ports: ["8080"] } }] }] },
        };
        const [, ap] = manifestResources([staged]);
        const result = await session.analyze(ap);
        assert.deepStrictEqual(
            result.verdicts.map((v) => [v.policyName, v.enforcementLevel, v.resourceName]),
            [["authorization-policy-staged-enforcement", "advisory", "shop/api.staged-allow"]],
        );
        assert.match(
            result.verdicts[0].message,
            /\nAuthorizationPolicy shop\/api\.staged-allow: spec\.rules\[0\]: dry-run, not enforced: workloads app=api accept any caller on ports 8080; their own AuthorizationPolicies run with istio\.io\/dry-run \(evaluated and logged only\)\. Fix: when `meshguard discover --check` reports that no observed call would break, remove the service from the MeshPolicy's dryRunServices to enforce it\.$/,
        );
    });

    it("Analyze reports a violation with policy, pack, level and message, and lists the policies that do not apply", async () => {
        await session.configure();
        const [, pa] = manifestResources([permissive]);
        const result = await session.analyze(pa);
        assert.deepStrictEqual(
            result.verdicts.map((v) => [v.policyPackName, v.policyName, v.enforcementLevel, v.urn, v.resourceName, v.resourceType]),
            [["meshguard", "peer-authentication-strict", "mandatory", pa.urn, "shop/default", "kubernetes:security.istio.io/v1:PeerAuthentication"]],
        );
        assert.match(result.verdicts[0].message, /^PeerAuthentication must not weaken mutual TLS.*\nPeerAuthentication shop\/default: spec\.mtls\.mode: PERMISSIVE accepts plaintext/s);
        assert.ok(result.notApplicable.some((n) => n.policyName === "workload-no-injection-opt-out" && n.reason.startsWith("applies to workloads")));
    });

    it("Configure changes enforcement levels and exemptions", async () => {
        const [, pa] = manifestResources([permissive]);
        await session.configure({ "peer-authentication-strict": { enforcementLevel: "advisory" } });
        assert.deepStrictEqual((await session.analyze(pa)).verdicts.map((v) => v.enforcementLevel), ["advisory"]);
        await session.configure({ "peer-authentication-strict": { exemptNamespaces: ["shop"] } });
        const exempt = await session.analyze(pa);
        assert.deepStrictEqual(exempt.verdicts, []);
        assert.deepStrictEqual(exempt.notApplicable.find((n) => n.policyName === "peer-authentication-strict"), {
            policyName: "peer-authentication-strict",
            reason: 'namespace shop is exempt (exemptNamespaces: "shop")',
        });
        await session.configure({ all: "disabled" });
        assert.deepStrictEqual((await session.analyze(pa)).verdicts, []);
        await session.configure();
    });

    it("an unknown value travels as the engine's sentinel and is reported as unverifiable (advisory)", async () => {
        await session.configure();
        const request = new AnalyzeRequest();
        request.setType("kubernetes:security.istio.io/v1:PeerAuthentication");
        request.setName("pa");
        request.setUrn("urn:pulumi:dev::wire::kubernetes:security.istio.io/v1:PeerAuthentication::pa");
        request.setProperties(Struct.fromJavaScript({ metadata: { name: "pa", namespace: "shop" }, spec: { mtls: { mode: UNKNOWN_SENTINEL } } }));
        request.setOptions(new AnalyzerResourceOptions());
        const response = await session.analyzeRaw(request);
        assert.deepStrictEqual(
            response.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getEnforcementlevel(), d.getMessage()]),
            [
                [
                    "peer-authentication-strict",
                    EnforcementLevel.ADVISORY,
                    "PeerAuthentication shop/pa: spec.mtls.mode: cannot be verified during preview: the value is unknown until the update, and mode PERMISSIVE or DISABLE would be refused. Fix: nothing to do if the value will be compliant: the policy runs again with the known value during the update (use a value known at preview to have it checked now).",
                ],
                [
                    "istio-resource-schema",
                    EnforcementLevel.ADVISORY,
                    "PeerAuthentication shop/pa: spec.mtls.mode: cannot be verified during preview: the value is unknown until the update, and a value the Istio schema or istiod rejects would be refused. Fix: nothing to do if the value will be compliant: the policy runs again with the known value during the update (use a value known at preview to have it checked now).",
                ],
            ],
        );
    });

    it("AnalyzeStack reports stack violations on the resources they concern", async () => {
        await session.configure();
        const resources = manifestResources(secureManifests.filter((m) => m.kind !== "AuthorizationPolicy"));
        const result = await session.analyzeStack(resources);
        assert.deepStrictEqual(
            result.verdicts.map((v) => [v.policyName, v.enforcementLevel, v.resourceName]),
            [["mesh-default-deny", "mandatory", "shop"]],
        );
    });
});

describe("peer-authentication-permissive-port-guarded over the wire", function () {
    this.timeout(180_000);
    let session: PolicyPackSession;

    before(async () => {
        session = await startPolicyPack({ stack: "dev", project: "wire" });
    });
    after(async () => {
        await session?.close();
    });

    const permissivePort: K8sManifest = {
        apiVersion: "security.istio.io/v1",
        kind: "PeerAuthentication",
        metadata: { name: "web-plaintext-ports", namespace: "shop" },
        spec: { selector: { matchLabels: { app: "web" } }, mtls: { mode: "STRICT" }, portLevelMtls: { "9090": { mode: "PERMISSIVE" } } },
    };
    const plaintextAllow: K8sManifest = {
        apiVersion: "security.istio.io/v1",
        kind: "AuthorizationPolicy",
        metadata: { name: "web-allow-plaintext", namespace: "shop" },
        spec: { selector: { matchLabels: { app: "web" } }, action: "ALLOW", rules: [{ from: [{ source: { notPrincipals: ["*"] } }], to: [{ operation: { ports: ["9090"] } }] }] },
    };
    const scraperOnly: K8sManifest = {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "allow-ingress-to-web", namespace: "shop" },
        spec: {
            podSelector: { matchLabels: { app: "web" } },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { app: "prometheus" } } }], ports: [{ port: 9090 }] }],
        },
    };
    const openMetrics: K8sManifest = {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "metrics", namespace: "shop" },
        spec: { podSelector: {}, ingress: [{ ports: [{ port: 9090 }] }] },
    };

    it("AnalyzeStack accepts the guarded PERMISSIVE port and refuses it once a NetworkPolicy opens the port to everyone", async () => {
        await session.configure();
        const guarded = await session.analyzeStack(manifestResources([...secureManifests, permissivePort, plaintextAllow, scraperOnly]));
        assert.deepStrictEqual(guarded.verdicts.map((v) => [v.policyName, v.enforcementLevel]), []);
        const resources = manifestResources([...secureManifests, permissivePort, plaintextAllow, scraperOnly, openMetrics]);
        const open = await session.analyzeStack(resources);
        assert.deepStrictEqual(
            open.verdicts.map((v) => [v.policyName, v.enforcementLevel, v.resourceName]),
            [["peer-authentication-permissive-port-guarded", "mandatory", "shop/web-plaintext-ports"]],
        );
        assert.match(open.verdicts[0].message, /NetworkPolicy shop\/metrics spec\.ingress\[0\] admits every source to port 9090 of these pods/);
    });

    it("Analyze: peer-authentication-strict no longer refuses the port-level PERMISSIVE entry (one verdict per mistake)", async () => {
        await session.configure();
        const [pa] = manifestResources([permissivePort]);
        assert.deepStrictEqual((await session.analyze(pa)).verdicts.map((v) => v.policyName), []);
    });
});

describe("policy pack over the wire: external egress (issue 13 section 5)", function () {
    this.timeout(180_000);
    let session: PolicyPackSession;

    before(async () => {
        session = await startPolicyPack({ stack: "dev", project: "wire" });
    });
    after(async () => {
        await session?.close();
    });

    const stripe: K8sManifest = {
        apiVersion: "networking.istio.io/v1",
        kind: "ServiceEntry",
        metadata: { name: "external.api.stripe.com", namespace: "shop" },
        spec: { hosts: ["api.stripe.com"], location: "MESH_EXTERNAL", resolution: "DNS", ports: [{ number: 443, name: "https-443", protocol: "HTTPS" }], exportTo: ["."] },
    };

    it("Analyze refuses a ServiceEntry with a bare * host (service-entry-restricted, and the schema)", async () => {
        await session.configure();
        const any: K8sManifest = { apiVersion: "networking.istio.io/v1", kind: "ServiceEntry", metadata: { name: "any", namespace: "shop" }, spec: { hosts: ["*"], resolution: "NONE", ports: [{ number: 443, name: "tls", protocol: "TLS" }] } };
        const [, se] = manifestResources([any]);
        const result = await session.analyze(se);
        assert.deepStrictEqual(
            result.verdicts.map((v) => [v.policyName, v.enforcementLevel, v.resourceName]),
            [
                ["istio-resource-schema", "mandatory", "shop/any"],
                ["service-entry-restricted", "mandatory", "shop/any"],
                ["service-entry-restricted", "mandatory", "shop/any"],
            ],
        );
        assert.match(result.verdicts[1].message, /\nServiceEntry shop\/any: spec\.hosts\[0\]: the bare host "\*" declares every external host/);
        assert.deepStrictEqual((await session.analyze(manifestResources([stripe])[1])).verdicts, []);
    });

    it("AnalyzeStack refuses istiod with ALLOW_ANY next to an external ServiceEntry (mesh-outbound-registry-only)", async () => {
        await session.configure();
        const resources = manifestResources([...secureManifests, stripe]);
        const istiod = (mode: string) => ({
            ...resources[1],
            urn: "urn:pulumi:dev::wire::pulumi:pulumi:Stack$kubernetes:helm.sh/v4:Chart::istiod",
            type: "kubernetes:helm.sh/v4:Chart",
            name: "istiod",
            inputs: { chart: "istiod", namespace: "istio-system", repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" }, values: { meshConfig: { outboundTrafficPolicy: { mode } } } },
        });
        const open = await session.analyzeStack([...resources, istiod("ALLOW_ANY")]);
        assert.deepStrictEqual(
            open.verdicts.map((v) => [v.policyName, v.enforcementLevel, v.urn]),
            [["mesh-outbound-registry-only", "mandatory", "urn:pulumi:dev::wire::pulumi:pulumi:Stack$kubernetes:helm.sh/v4:Chart::istiod"]],
        );
        assert.deepStrictEqual((await session.analyzeStack([...resources, istiod("REGISTRY_ONLY")])).verdicts, []);
    });
});

describe("runPolicyPack / analyzeManifests", function () {
    this.timeout(180_000);

    it("a secure stack passes; an insecure one fails with the expected policies; progress is reported", async () => {
        const progress: number[] = [];
        const ok = await analyzeManifests(secureManifests, { onProgress: (done, total) => progress.push(done * 100 + total) });
        assert.deepStrictEqual(ok.verdicts, []);
        assert.strictEqual(ok.analyzed, secureManifests.length + 1);
        assert.deepStrictEqual(progress.sort((a, b) => a - b), [107, 207, 307, 407, 507, 607, 707]);
        assert.strictEqual(ok.policies.length, meshguardPolicies.length);

        const bad = await runPolicyPack(manifestResources([...secureManifests, permissive]), { config: { "mesh-strict-mtls-coverage": "advisory" } });
        assert.deepStrictEqual(
            bad.verdicts.map((v) => [v.policyName, v.enforcementLevel]),
            [
                ["peer-authentication-strict", "mandatory"],
                ["mesh-strict-mtls-coverage", "advisory"],
            ],
        );
    });

    it("fails clearly, with the pack's stderr, when the pack cannot start", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshguard-broken-pack-"));
        try {
            fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
            fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "broken", version: "1.0.0" }));
            fs.writeFileSync(path.join(dir, "index.ts"), 'throw new Error("pack exploded while loading");\n');
            await assert.rejects(runPolicyPack(manifestResources([permissive]), { packDir: dir }), (err: Error) => {
                assert.match(err.message, /^policy pack .*index\.ts failed to start: it exited \(code 1\) before printing its port\n/);
                assert.match(err.message, /pack exploded while loading/);
                return true;
            });
            await assert.rejects(runPolicyPack([], { packDir: os.tmpdir() }), { message: `no policy pack at ${os.tmpdir()}: PulumiPolicy.yaml is missing` });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
