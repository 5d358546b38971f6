import * as assert from "assert";
import { StackValidationPolicy } from "@pulumi/policy";
import { compileMeshPolicy } from "../../components/compile";
import { k8s, ownMessage, policyNamed, PolicyRun, runPack, runStackPolicy, UNKNOWN } from "./harness";
import { authorizationPolicy, deployment, MESH_LABELS, namespace, networkPolicy, peerAuthentication, secureStack } from "./fixtures";

const policy = () => policyNamed<StackValidationPolicy>("peer-authentication-permissive-port-guarded");
const verdicts = (run: PolicyRun) => run.violations.map((v) => [v.enforcementLevel, ownMessage(v)]);

const permissivePort = peerAuthentication("shop", "api-plaintext-ports", { selector: { matchLabels: { app: "api" } }, mtls: { mode: "STRICT" }, portLevelMtls: { "9090": { mode: "PERMISSIVE" } } });
const plaintextAllow = authorizationPolicy("shop", "api-allow-plaintext", {
    selector: { matchLabels: { app: "api" } },
    rules: [{ from: [{ source: { notPrincipals: ["*"] } }], to: [{ operation: { ports: ["9090"] } }] }],
});
const scraperOnly = networkPolicy("shop", "allow-ingress-to-api", {
    podSelector: { matchLabels: { app: "api" } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { app: "prometheus" } } }], ports: [{ port: 9090 }] }],
});
const guarded = () => [...secureStack(), permissivePort, plaintextAllow, scraperOnly];

const UNGUARDED = (missing: string) =>
    `PeerAuthentication shop/api-plaintext-ports: spec.portLevelMtls["9090"].mode: PERMISSIVE accepts plaintext on port 9090 of the pods {"app":"api"}, whose callers carry no identity, and the port is not guarded: ${missing}. Fix: declare the plaintext callers as MeshPolicy \`outOfMesh\` callers (it emits all three parts), or add an ALLOW rule for port 9090 and a NetworkPolicy that admits only those callers' pods to it, or set the port to STRICT.`;

describe("policy: peer-authentication-permissive-port-guarded", () => {
    it("accepts a PERMISSIVE port with all three parts (PeerAuthentication port, ALLOW rule, NetworkPolicy guard)", async () => {
        assert.deepStrictEqual((await runStackPolicy(policy(), guarded())).violations, []);
    });

    it("refuses a PERMISSIVE port without the NetworkPolicy guard (the namespace's default-deny alone isolates, an open rule undoes it)", async () => {
        const withoutGuard = guarded().filter((r) => r !== scraperOnly);
        // secureStack's default-deny isolates the pods: the port is closed, not open; still guarded.
        assert.deepStrictEqual((await runStackPolicy(policy(), withoutGuard)).violations, []);
        const noIsolation = withoutGuard.filter((r) => !r.type.endsWith(":NetworkPolicy"));
        assert.deepStrictEqual(verdicts(await runStackPolicy(policy(), noIsolation)), [
            ["mandatory", UNGUARDED("no NetworkPolicy in shop selects every pod with these labels for ingress, so any pod of the cluster reaches port 9090 in plaintext")],
        ]);
        const open = networkPolicy("shop", "metrics", { podSelector: {}, ingress: [{ ports: [{ port: 9090 }] }] });
        assert.deepStrictEqual(verdicts(await runStackPolicy(policy(), [...guarded(), open])), [
            ["mandatory", UNGUARDED("NetworkPolicy shop/metrics spec.ingress[0] admits every source to port 9090 of these pods (NetworkPolicies add up, so one open rule undoes the guard)")],
        ]);
    });

    it("refuses a PERMISSIVE port without an ALLOW rule for it (a dry-run policy does not count)", async () => {
        const dryRun = authorizationPolicy("shop", "api-allow-plaintext", (plaintextAllow.inputs as { spec: Record<string, unknown> }).spec, { annotations: { "istio.io/dry-run": "true" } });
        const stack = [...guarded().filter((r) => r !== plaintextAllow), dryRun];
        assert.deepStrictEqual(verdicts(await runStackPolicy(policy(), stack)), [["mandatory", UNGUARDED("no ALLOW AuthorizationPolicy selecting these pods has a rule for port 9090")]]);
    });

    it("a NetworkPolicy whose selector may exclude some of the pods does not isolate them; one that cannot select them is ignored", async () => {
        const partial = networkPolicy("shop", "allow-ingress-to-api", {
            podSelector: { matchLabels: { app: "api" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["canary"] }] },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: 9090 }] }],
        });
        const other = networkPolicy("shop", "open-web", { podSelector: { matchLabels: { app: "web" } }, ingress: [{ ports: [{ port: 9090 }] }] });
        const stack = [...guarded().filter((r) => r !== scraperOnly && !(r.type.endsWith(":NetworkPolicy"))), partial, other];
        assert.deepStrictEqual(verdicts(await runStackPolicy(policy(), stack)), [
            ["mandatory", UNGUARDED("no NetworkPolicy in shop selects every pod with these labels for ingress, so any pod of the cluster reaches port 9090 in plaintext")],
        ]);
    });

    it("an unknown NetworkPolicy selector is reported as unverifiable (advisory), never as compliant", async () => {
        const unknown = networkPolicy("shop", "allow-ingress-to-api", { podSelector: UNKNOWN, ingress: [] });
        const run = await runStackPolicy(policy(), [...guarded().filter((r) => r !== scraperOnly), unknown]);
        assert.deepStrictEqual(verdicts(run), [
            [
                "advisory",
                'PeerAuthentication shop/api-plaintext-ports: spec.portLevelMtls["9090"].mode: cannot be verified during preview: spec.podSelector of NetworkPolicy shop/allow-ingress-to-api is unknown until the update, and a PERMISSIVE port without a NetworkPolicy guard would be refused. Fix: nothing to do if the NetworkPolicies guard the port: the policy runs again with the known values during the update.',
            ],
        ]);
    });

    it("leaves STRICT ports and top-level modes alone (peer-authentication-strict judges a whole-workload PERMISSIVE)", async () => {
        const strictPort = peerAuthentication("shop", "api", { selector: { matchLabels: { app: "api" } }, mtls: { mode: "PERMISSIVE" }, portLevelMtls: { "8080": { mode: "STRICT" } } });
        assert.deepStrictEqual((await runStackPolicy(policy(), [...secureStack(), strictPort])).violations, []);
    });
});

describe("the whole pack over the outOfMesh pattern", () => {
    const packVerdicts = async (stack: Parameters<typeof runPack>[0]) => (await runPack(stack)).filter((v) => v.enforcementLevel === "mandatory").map((v) => [v.policyName, ownMessage(v)]);

    it("MeshPolicy's compiled outOfMesh output passes with 0 mandatory violations", async () => {
        const manifests = compileMeshPolicy({
            services: [
                { id: "api", namespace: "shop", serviceAccount: "api", ports: [{ port: 80, protocol: "http", targetPort: 8080 }, { port: 9090, protocol: "http" }] },
                { id: "web", namespace: "shop", serviceAccount: "web", ports: [{ port: 80, protocol: "http" }] },
            ],
            allow: [
                { from: { service: "web" }, to: "api", ports: [80] },
                { from: { outOfMesh: { namespace: "monitoring", selector: { app: "prometheus" } } }, to: "api", ports: [9090] },
            ],
        });
        const stack = [
            ...secureStack().filter((r) => !r.name.startsWith("shop/")),
            namespace("shop", MESH_LABELS),
            deployment("shop", "api", { labels: { app: "api" }, spec: { serviceAccountName: "api" } }),
            deployment("shop", "web", { labels: { app: "web" }, spec: { serviceAccountName: "web" } }),
            namespace("monitoring"),
            ...manifests.map((m) => k8s(m)),
        ];
        assert.deepStrictEqual(await packVerdicts(stack), []);
    });

    it("a bare PERMISSIVE port gets exactly one mandatory verdict, from this policy", async () => {
        const stack = [...secureStack().filter((r) => !r.type.endsWith(":NetworkPolicy")), permissivePort];
        assert.deepStrictEqual(
            (await packVerdicts(stack)).map(([name]) => name),
            ["peer-authentication-permissive-port-guarded"],
        );
    });
});
