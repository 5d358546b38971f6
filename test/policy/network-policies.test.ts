import * as assert from "assert";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ownMessage, policyNamed, PolicyRun, runResourcePolicy, runStackPolicy, UNKNOWN } from "./harness";
import { defaultDenyIngress, deployment, MESH_LABELS, namespace, networkPolicy } from "./fixtures";

const resourcePolicy = (name: string) => policyNamed<ResourceValidationPolicy>(name);
const stackPolicy = (name: string) => policyNamed<StackValidationPolicy>(name);
const ADVISORY = { enforcementLevel: "advisory" } as const;
const verdicts = (run: PolicyRun) => run.violations.map((v) => [v.enforcementLevel, ownMessage(v)]);

const PREVIEW_FIX = "Fix: nothing to do if the value will be compliant: the policy runs again with the known value during the update (use a value known at preview to have it checked now).";
const ISTIOD_PORT_FIX = "Fix: list only 15012 (from the mesh), 15017 (webhooks) and 15014 (from the monitoring namespace); the kubelet's readiness probe on 8080 needs no rule.";
const ISTIOD_EVERYONE_FIX = "Fix: restrict the rule's `from` (e.g. 15014 to the monitoring namespace only) or drop those ports.";
const MISSING_DEFAULT_DENY =
    "Namespace shop: NetworkPolicy shop/default-deny-ingress: is missing: without a default-deny ingress NetworkPolicy, any pod of the cluster (one without a sidecar, a hostNetwork agent) reaches this namespace's pods on every port, around the mesh's policies. Fix: add a NetworkPolicy in shop with podSelector: {}, policyTypes: [\"Ingress\"] and no ingress rules (MeshPolicy's networkPolicies emit one), then allow the declared callers.";

describe("policy: network-policy-no-allow-all", () => {
    const policy = () => resourcePolicy("network-policy-no-allow-all");

    it("refuses a rule whose peer is every pod of every namespace on every port", async () => {
        const run = await runResourcePolicy(policy(), networkPolicy("shop", "open", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: {} }] }] }));
        assert.deepStrictEqual(verdicts(run), [
            [
                "mandatory",
                "NetworkPolicy shop/open: spec.ingress[0]: this rule allows every source (any pod of any namespace, and any address) on every port: NetworkPolicies add up, so it opens every pod this policy selects to all ingress traffic. Fix: list the peers in `from` (a namespaceSelector on kubernetes.io/metadata.name with a podSelector of the pods) and the ports in `ports`, or delete the rule.",
            ],
        ]);
    });

    it("refuses egress to every address, and an empty rule, each on every port", async () => {
        const run = await runResourcePolicy(policy(), networkPolicy("shop", "out", { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "::/0" } }] }, {}] }));
        assert.deepStrictEqual(
            run.violations.map((v) => ownMessage(v).split(": this rule")[0]),
            ["NetworkPolicy shop/out: spec.egress[0]", "NetworkPolicy shop/out: spec.egress[1]"],
        );
    });

    it("accepts 0.0.0.0/0 with except, every source on named ports, and the namespace's own pods", async () => {
        const target = networkPolicy("shop", "ok", {
            podSelector: {},
            ingress: [{ from: [{ podSelector: {} }] }, { ports: [{ port: 8080 }] }],
            egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] }],
        });
        assert.deepStrictEqual((await runResourcePolicy(policy(), target)).violations, []);
    });

    it("reports an unknown selector as unverifiable, never as compliant", async () => {
        const run = await runResourcePolicy(policy(), networkPolicy("shop", "open", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: UNKNOWN }] }] }));
        assert.deepStrictEqual(verdicts(run), [
            [
                "advisory",
                `NetworkPolicy shop/open: spec.ingress[0].from[0].namespaceSelector: cannot be verified during preview: the value is unknown until the update, and a peer that admits everyone on every port would be refused. ${PREVIEW_FIX}`,
            ],
        ]);
    });
});

describe("policy: istiod-network-exposure", () => {
    const policy = () => resourcePolicy("istiod-network-exposure");

    it("refuses the debug port by name, 15014 to everyone, and a rule without ports", async () => {
        const target = networkPolicy("istio-system", "x", {
            podSelector: { matchLabels: { app: "istiod" } },
            ingress: [
                { from: [{ podSelector: { matchLabels: { app: "debugger" } } }], ports: [{ port: "http-debug" }] },
                { ports: [{ port: 15012 }, { port: 15014 }] },
                { from: [{ namespaceSelector: {} }] },
            ],
        });
        assert.deepStrictEqual(verdicts(await runResourcePolicy(policy(), target)), [
            ["mandatory", `NetworkPolicy istio-system/x: spec.ingress[0].ports[0]: this port opens istiod's 8080 (the HTTP debug interface). ${ISTIOD_PORT_FIX}`],
            [
                "mandatory",
                `NetworkPolicy istio-system/x: spec.ingress[1]: this rule admits every source to istiod on 15014; only 15012 (xDS/CA) and 15017 (webhooks) may be open to everyone. ${ISTIOD_EVERYONE_FIX}`,
            ],
            [
                "mandatory",
                `NetworkPolicy istio-system/x: spec.ingress[2].ports: no ports means every port, which opens istiod's 15010 (plaintext xDS, no mTLS) and 8080 (the HTTP debug interface). ${ISTIOD_PORT_FIX}`,
            ],
            [
                "mandatory",
                `NetworkPolicy istio-system/x: spec.ingress[2]: this rule admits every source to istiod on every port; only 15012 (xDS/CA) and 15017 (webhooks) may be open to everyone. ${ISTIOD_EVERYONE_FIX}`,
            ],
        ]);
    });

    it("sees a namespace-wide policy and a port range covering 15010", async () => {
        const run = await runResourcePolicy(policy(), networkPolicy("istio-system", "x", { podSelector: {}, ingress: [{ ports: [{ port: 15000, endPort: 15020 }] }] }));
        assert.deepStrictEqual(verdicts(run), [
            ["mandatory", `NetworkPolicy istio-system/x: spec.ingress[0].ports[0]: this port opens istiod's 15010 (plaintext xDS, no mTLS). ${ISTIOD_PORT_FIX}`],
            [
                "mandatory",
                `NetworkPolicy istio-system/x: spec.ingress[0]: this rule admits every source to istiod on 15000-15020; only 15012 (xDS/CA) and 15017 (webhooks) may be open to everyone. ${ISTIOD_EVERYONE_FIX}`,
            ],
        ]);
    });

    it("ignores policies that cannot select istiod, and other namespaces than the root", async () => {
        assert.deepStrictEqual((await runResourcePolicy(policy(), networkPolicy("istio-system", "x", { podSelector: { matchLabels: { app: "other" } }, ingress: [{}] }))).violations, []);
        assert.deepStrictEqual((await runResourcePolicy(policy(), networkPolicy("shop", "x", { podSelector: { matchLabels: { app: "istiod" } }, ingress: [{}] }))).violations, []);
        const elsewhere = await runResourcePolicy(policy(), networkPolicy("mesh-root", "x", { podSelector: { matchLabels: { app: "istiod" } }, ingress: [{ ports: [{ port: 8080 }] }] }), { rootNamespace: "mesh-root" });
        assert.strictEqual(elsewhere.violations.length, 2);
    });

    it("reports unknown ports as unverifiable", async () => {
        const run = await runResourcePolicy(policy(), networkPolicy("istio-system", "x", { podSelector: { matchLabels: { app: "istiod" } }, ingress: [{ ports: UNKNOWN }] }));
        assert.deepStrictEqual(verdicts(run), [
            ["advisory", `NetworkPolicy istio-system/x: spec.ingress[0].ports: cannot be verified during preview: the value is unknown until the update, and a port that opens 15010 or 8080 of istiod would be refused. ${PREVIEW_FIX}`],
        ]);
    });
});

describe("policy: mesh-namespace-network-default-deny", () => {
    const policy = () => stackPolicy("mesh-namespace-network-default-deny");
    const mesh = () => [namespace("shop", MESH_LABELS), deployment("shop", "web")];

    it("is advisory or mandatory by configuration (advisory by default)", async () => {
        assert.strictEqual(policy().enforcementLevel, "advisory");
        assert.deepStrictEqual(verdicts(await runStackPolicy(policy(), mesh(), { enforcementLevel: "advisory" })), [["advisory", MISSING_DEFAULT_DENY]]);
        assert.deepStrictEqual(verdicts(await runStackPolicy(policy(), mesh(), { enforcementLevel: "mandatory" })), [["mandatory", MISSING_DEFAULT_DENY]]);
    });

    it("accepts a default-deny in the namespace, including one without policyTypes", async () => {
        assert.deepStrictEqual((await runStackPolicy(policy(), [...mesh(), defaultDenyIngress("shop")], ADVISORY)).violations, []);
        assert.deepStrictEqual((await runStackPolicy(policy(), [...mesh(), networkPolicy("shop", "d", { podSelector: {} })], ADVISORY)).violations, []);
    });

    it("does not count a default-deny of another namespace, or an Egress-only one", async () => {
        assert.deepStrictEqual(verdicts(await runStackPolicy(policy(), [...mesh(), defaultDenyIngress("other")], ADVISORY)), [["advisory", MISSING_DEFAULT_DENY]]);
        const egressOnly = networkPolicy("shop", "d", { podSelector: {}, policyTypes: ["Egress"] });
        assert.deepStrictEqual(verdicts(await runStackPolicy(policy(), [...mesh(), egressOnly], ADVISORY)), [["advisory", MISSING_DEFAULT_DENY]]);
    });

    it("reports a candidate with an unknown selector as unverifiable, even when mandatory", async () => {
        const run = await runStackPolicy(policy(), [...mesh(), networkPolicy("shop", "d", { podSelector: UNKNOWN, policyTypes: ["Ingress"] })], { enforcementLevel: "mandatory" });
        assert.deepStrictEqual(verdicts(run), [
            [
                "advisory",
                "Namespace shop: NetworkPolicy shop/default-deny-ingress: cannot be verified during preview: spec.podSelector of kubernetes:networking.k8s.io/v1:NetworkPolicy shop-d is unknown until the update, and without a default-deny ingress NetworkPolicy the namespace would be reported. Fix: nothing to do if that policy is a default-deny: the policy runs again with the known value during the update.",
            ],
        ]);
    });
});
