import * as assert from "assert";
import { StackValidationPolicy } from "@pulumi/policy";
import { waypointGateway } from "../../components/compile/waypoint";
import * as objects from "../fixtures/objects";
import { k8s, ownMessage, policyNamed, PolicyRun, runStackPolicy, TestResource, UNKNOWN } from "./harness";
import { authorizationPolicy, deployment, MESH_LABELS, namespace, peerAuthentication } from "./fixtures";

const AMBIENT = { "istio.io/dataplane-mode": "ambient" };
const stackPolicy = (name: string) => policyNamed<StackValidationPolicy>(name);
const verdicts = (run: PolicyRun) => run.violations.map((v) => [v.enforcementLevel, ownMessage(v)]);

/** Mesh-wide STRICT and allow-nothing, and an ambient namespace with one workload. */
function ambientStack(extra: TestResource[] = [], labels: Record<string, string> = AMBIENT): TestResource[] {
    return [
        namespace("istio-system"),
        peerAuthentication("istio-system", "default", { mtls: { mode: "STRICT" } }),
        authorizationPolicy("istio-system", "allow-nothing", {}),
        namespace("shop", labels),
        deployment("shop", "api", { labels: { app: "api" } }),
        ...extra,
    ];
}

describe("policy: namespace-one-dataplane", () => {
    const policy = () => stackPolicy("namespace-one-dataplane");

    it("refuses a namespace labelled for injection and ambient, once (namespace-sidecar-injection stays quiet)", async () => {
        const stack = ambientStack([], { ...MESH_LABELS, ...AMBIENT });
        assert.deepStrictEqual(verdicts(await runStackPolicy(policy(), stack)), [
            [
                "mandatory",
                'Namespace shop: metadata.labels["istio.io/dataplane-mode"]: is labelled istio-injection=enabled and istio.io/dataplane-mode=ambient: injected pods get a sidecar and are skipped by ambient, the others are captured by ztunnel, so selector policies written for sidecars and waypoint policies for ambient each miss part of the namespace. Fix: choose one data plane: MeshNamespace dataplane: "ambient" (only istio.io/dataplane-mode=ambient) or "sidecar" (only the injection label).',
            ],
        ]);
        assert.deepStrictEqual((await runStackPolicy(stackPolicy("namespace-sidecar-injection"), stack)).violations, []);
        const revision = await runStackPolicy(policy(), ambientStack([], { "istio.io/rev": "canary", ...AMBIENT }));
        assert.deepStrictEqual(verdicts(revision).map(([, m]) => m.split(": injected")[0]), ['Namespace shop: metadata.labels["istio.io/dataplane-mode"]: is labelled istio.io/rev=canary and istio.io/dataplane-mode=ambient']);
    });

    it("accepts one data plane per namespace, injection disabled beside ambient, and exempt namespaces", async () => {
        for (const labels of [AMBIENT, MESH_LABELS, { "istio-injection": "disabled", ...AMBIENT }, { ...MESH_LABELS, "istio.io/dataplane-mode": "none" }]) {
            assert.deepStrictEqual((await runStackPolicy(policy(), ambientStack([], labels))).violations, [], JSON.stringify(labels));
        }
        const both = { ...MESH_LABELS, ...AMBIENT };
        assert.deepStrictEqual((await runStackPolicy(policy(), ambientStack([], both), { injectionExemptNamespaces: ["shop"] })).violations, []);
    });
});

describe("policy: peer-authentication-ambient", () => {
    const policy = () => stackPolicy("peer-authentication-ambient");

    it("says what ztunnel does with DISABLE and PERMISSIVE on ambient pods", async () => {
        const run = await runStackPolicy(
            policy(),
            ambientStack([
                peerAuthentication("shop", "legacy", { selector: { matchLabels: { app: "api" } }, mtls: { mode: "DISABLE" } }),
                peerAuthentication("shop", "ports", { selector: { matchLabels: { app: "api" } }, mtls: { mode: "STRICT" }, portLevelMtls: { "8080": { mode: "PERMISSIVE" } } }),
            ]),
        );
        assert.deepStrictEqual(verdicts(run), [
            [
                "mandatory",
                'PeerAuthentication shop/legacy: spec.mtls.mode: DISABLE does not turn mTLS off in ambient mode: ztunnel treats it exactly like PERMISSIVE, so connections between ambient workloads stay mTLS (HBONE) while plaintext connections to these pods from outside the mesh are accepted, carrying no identity; it selects Deployment shop/api, which runs in ambient mode. Fix: set mtls.mode to "STRICT" or remove it (the namespace or mesh-wide STRICT applies); enrol plaintext clients in the mesh instead.',
            ],
            [
                "mandatory",
                'PeerAuthentication shop/ports: spec.portLevelMtls["8080"].mode: PERMISSIVE makes ztunnel accept plaintext connections to these pods from outside the mesh, carrying no identity that principals or namespaces rules can check; connections between ambient workloads are mTLS either way (port 8080); it selects Deployment shop/api, which runs in ambient mode. Fix: set the mode of port 8080 to "STRICT" or remove the port-level override; enrol plaintext clients in the mesh instead.',
            ],
        ]);
    });

    it("reaches ambient pods namespace-wide, mesh-wide, and through an ambient namespace whose pods the stack does not show", async () => {
        const namespaceWide = await runStackPolicy(policy(), ambientStack([peerAuthentication("shop", "default", { mtls: { mode: "PERMISSIVE" } })]));
        assert.deepStrictEqual(verdicts(namespaceWide).map(([, m]) => m.split("; ")[2]), ["it applies to Deployment shop/api, which runs in ambient mode. Fix: set mtls.mode to \"STRICT\" or remove it (the namespace or mesh-wide STRICT applies)"]);
        const meshWide = await runStackPolicy(policy(), [...ambientStack().filter((r) => r.name !== "istio-system-default"), peerAuthentication("istio-system", "default", { mtls: { mode: "DISABLE" } })]);
        assert.deepStrictEqual(verdicts(meshWide).map(([, m]) => m.split("; ")[1].split(". Fix")[0]), [
            "it is mesh-wide (root namespace istio-system) and the mesh has ambient workloads (namespace shop and Deployment shop/api)",
        ]);
        const noPods = await runStackPolicy(policy(), [namespace("shop", AMBIENT), peerAuthentication("shop", "x", { selector: { matchLabels: { app: "db" } }, mtls: { mode: "PERMISSIVE" } })]);
        assert.deepStrictEqual(verdicts(noPods).map(([, m]) => m.split("; ")[2].split(". Fix")[0]), ["namespace shop is labelled istio.io/dataplane-mode=ambient, so the pods it selects run in ambient mode"]);
    });

    it("leaves sidecar pods to peer-authentication-strict: pods opted out of ambient, sidecar namespaces, STRICT", async () => {
        const optedOut = [
            namespace("shop", AMBIENT),
            deployment("shop", "legacy", { labels: { app: "legacy", "istio.io/dataplane-mode": "none" } }),
            peerAuthentication("shop", "legacy", { selector: { matchLabels: { app: "legacy" } }, mtls: { mode: "DISABLE" } }),
        ];
        assert.deepStrictEqual((await runStackPolicy(policy(), optedOut)).violations, []);
        const sidecar = ambientStack([peerAuthentication("shop", "default", { mtls: { mode: "PERMISSIVE" } })], MESH_LABELS);
        assert.deepStrictEqual((await runStackPolicy(policy(), sidecar)).violations, []);
        assert.deepStrictEqual((await runStackPolicy(policy(), ambientStack([peerAuthentication("shop", "default", { mtls: { mode: "STRICT" } })]))).violations, []);
    });
});

describe("policy: authorization-policy-ztunnel-http", () => {
    const policy = () => stackPolicy("authorization-policy-ztunnel-http");
    const FIX = "Fix: give namespace shop a waypoint (MeshNamespace waypoint: true) and move the HTTP rules to a policy with targetRefs to the Service or the waypoint Gateway, keeping only principals, namespaces and ports in selector policies (MeshPolicy does both with namespaces.shop.waypoint).";

    it("ALLOW with methods and paths: the rule is dropped and the pods allow nothing", async () => {
        const run = await runStackPolicy(
            policy(),
            ambientStack([
                authorizationPolicy("shop", "api", {
                    selector: { matchLabels: { app: "api" } },
                    rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/web"] } }], to: [{ operation: { methods: ["GET"], paths: ["/api/*"] } }] }],
                }),
            ]),
        );
        assert.deepStrictEqual(verdicts(run), [
            [
                "mandatory",
                `AuthorizationPolicy shop/api: spec.rules: ztunnel enforces this ALLOW policy (it selects Deployment shop/api, which runs in ambient mode) but cannot see methods, paths: rules[0] (methods, paths) is dropped and never matches; ztunnel enforces it as allow-nothing for these pods. ${FIX}`,
            ],
        ]);
    });

    it("DENY: an L7-only rule never matches, a mixed one denies on its L4 part alone", async () => {
        const run = await runStackPolicy(
            policy(),
            ambientStack([
                authorizationPolicy("shop", "no-delete", {
                    action: "DENY",
                    rules: [{ to: [{ operation: { methods: ["DELETE"] } }] }, { to: [{ operation: { ports: ["8080"], paths: ["/admin/*"] } }] }],
                }),
            ]),
        );
        assert.deepStrictEqual(verdicts(run), [
            [
                "mandatory",
                `AuthorizationPolicy shop/no-delete: spec.rules: ztunnel enforces this DENY policy (it applies to Deployment shop/api, which runs in ambient mode) but cannot see methods, paths: rules[0] (methods) never matches, so the DENY does not deny what it describes; rules[1] (paths) is enforced without its HTTP parts, so it denies every connection the rest matches; the DENY ztunnel enforces is not the one written. ${FIX}`,
            ],
        ]);
    });

    it("a selector policy in the root namespace reaches ambient workloads of every namespace", async () => {
        const run = await runStackPolicy(policy(), ambientStack([authorizationPolicy("istio-system", "api-get", { selector: { matchLabels: { app: "api" } }, rules: [{ to: [{ operation: { paths: ["/health"] } }] }] })]));
        assert.deepStrictEqual(verdicts(run).map(([, m]) => m.split(" but ")[0]), ["AuthorizationPolicy istio-system/api-get: spec.rules: ztunnel enforces this ALLOW policy (it selects Deployment shop/api, which runs in ambient mode)"]);
    });

    it("accepts L4 policies, targetRefs policies, sidecar namespaces and CUSTOM", async () => {
        const l7 = { selector: { matchLabels: { app: "api" } }, rules: [{ to: [{ operation: { methods: ["GET"] } }] }] };
        for (const [what, stack] of [
            ["L4 only", ambientStack([authorizationPolicy("shop", "api", { selector: { matchLabels: { app: "api" } }, rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/web"] } }], to: [{ operation: { ports: ["8080"] } }] }] })])],
            ["targetRefs", ambientStack([authorizationPolicy("shop", "api", { targetRefs: [{ kind: "Service", group: "", name: "api" }], rules: [{ to: [{ operation: { methods: ["GET"] } }] }] })])],
            ["sidecar namespace", ambientStack([authorizationPolicy("shop", "api", l7)], MESH_LABELS)],
            ["CUSTOM", ambientStack([authorizationPolicy("shop", "ext", { ...l7, action: "CUSTOM", provider: { name: "ext-authz" } })])],
        ] as const) {
            assert.deepStrictEqual((await runStackPolicy(policy(), stack)).violations, [], what);
        }
    });
});

describe("policy: mesh-default-deny in ambient", () => {
    it("counts an ambient namespace as in the mesh: without allow-nothing it is refused", async () => {
        const stack = [namespace("istio-system"), namespace("shop", AMBIENT), deployment("shop", "api", { labels: { app: "api" } })];
        const run = await runStackPolicy(stackPolicy("mesh-default-deny"), stack);
        assert.deepStrictEqual(verdicts(run), [
            [
                "mandatory",
                "Namespace shop: AuthorizationPolicy shop/allow-nothing: is missing: without an allow-nothing policy, every workload that no ALLOW policy selects accepts requests from any caller. Fix: add an AuthorizationPolicy with spec: {} in shop (MeshNamespace/MeshPolicy emit one), or one in the root namespace istio-system for the whole mesh.",
            ],
        ]);
        assert.deepStrictEqual((await runStackPolicy(stackPolicy("mesh-default-deny"), [...stack, authorizationPolicy("shop", "allow-nothing", {})])).violations, []);
    });
});

describe("policy: authorization-policy-target-exists", () => {
    const policy = () => stackPolicy("authorization-policy-target-exists");
    const WAYPOINT_NS = { ...AMBIENT, "istio.io/use-waypoint": "waypoint" };
    const api = k8s(objects.service("shop", "api", { app: "api" }, [{ name: "http", port: 8080 }]));
    const targeting = (...targetRefs: Record<string, unknown>[]) => authorizationPolicy("shop", "api-l7", { targetRefs, rules: [{ to: [{ operation: { methods: ["GET"] } }] }] });
    const SERVICE = { kind: "Service", group: "", name: "api" };
    const WAYPOINT = { kind: "Gateway", group: "gateway.networking.k8s.io", name: "waypoint" };

    it("accepts a Service a waypoint serves, the waypoint Gateway, an Istio ingress Gateway and GatewayClass istio-waypoint from the root", async () => {
        const ingress = k8s({ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "public", namespace: "shop" }, spec: { gatewayClassName: "istio", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] } });
        const stack = [
            ...ambientStack([api, k8s(waypointGateway("shop", "waypoint")), ingress], WAYPOINT_NS),
            targeting(SERVICE, WAYPOINT, { kind: "Gateway", group: "gateway.networking.k8s.io", name: "public" }),
            authorizationPolicy("istio-system", "waypoints", { targetRefs: [{ kind: "GatewayClass", group: "gateway.networking.k8s.io", name: "istio-waypoint" }] }),
        ];
        assert.deepStrictEqual((await runStackPolicy(policy(), stack)).violations, []);
    });

    it("refuses targets the stack does not create, a Service no waypoint serves, and a Gateway that is not a waypoint", async () => {
        const other = k8s({ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "other", namespace: "shop" }, spec: { gatewayClassName: "nginx" } });
        const run = await runStackPolicy(policy(), [
            ...ambientStack([api, other]),
            targeting(SERVICE, { ...SERVICE, name: "apii" }, WAYPOINT, { kind: "Gateway", group: "gateway.networking.k8s.io", name: "other" }, { kind: "ServiceEntry", group: "networking.istio.io", name: "stripe" }),
            authorizationPolicy("shop", "cls", { targetRefs: [{ kind: "GatewayClass", group: "gateway.networking.k8s.io", name: "istio-waypoint" }] }),
        ]);
        assert.deepStrictEqual(verdicts(run), [
            [
                "mandatory",
                'AuthorizationPolicy shop/api-l7: spec.targetRefs[0]: names Service shop/api, but no waypoint serves it (neither Service shop/api nor namespace shop names a waypoint (istio.io/use-waypoint)): ztunnel and sidecars ignore policies with targetRefs, so its rules are enforced nowhere. Fix: give namespace shop a waypoint (MeshNamespace dataplane: "ambient", waypoint: true), or label the Service istio.io/use-waypoint=<waypoint>.',
            ],
            ["mandatory", "AuthorizationPolicy shop/api-l7: spec.targetRefs[1]: names Service shop/apii, which this stack does not create: the policy attaches to nothing, so its rules are enforced nowhere. Fix: correct the name, or create Service shop/apii in the stack."],
            ["mandatory", "AuthorizationPolicy shop/api-l7: spec.targetRefs[2]: names Gateway shop/waypoint, which this stack does not create: the policy attaches to nothing, so its rules are enforced nowhere. Fix: correct the name, or create the waypoint (MeshNamespace waypoint) in namespace shop."],
            [
                "mandatory",
                'AuthorizationPolicy shop/api-l7: spec.targetRefs[3]: names Gateway shop/other of class "nginx", which is neither a waypoint (istio-waypoint) nor an Istio gateway (istio): no Istio proxy enforces the policy. Fix: target the namespace\'s waypoint Gateway (MeshNamespace waypoint) or the Service it serves.',
            ],
            ["mandatory", "AuthorizationPolicy shop/api-l7: spec.targetRefs[4]: names ServiceEntry shop/stripe, which this stack does not create: the policy attaches to nothing, so its rules are enforced nowhere. Fix: correct the name, or create ServiceEntry shop/stripe in the stack."],
            [
                "mandatory",
                "AuthorizationPolicy shop/cls: spec.targetRefs[0]: names GatewayClass istio-waypoint, which only policies in the root namespace istio-system attach to (pilot/pkg/model/policyattachment.go): this one attaches to nothing. Fix: move the policy to istio-system, or target the namespace's waypoint Gateway.",
            ],
        ]);
    });

    it("reports a target that may be an object unknown at preview as unverifiable, not as passed or missing", async () => {
        const unknownService = k8s({ apiVersion: "v1", kind: "Service", metadata: { name: UNKNOWN, namespace: "shop" }, spec: {} });
        const unknownGateway = k8s({ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "waypoint", namespace: "shop" }, spec: { gatewayClassName: UNKNOWN } });
        const run = await runStackPolicy(policy(), [...ambientStack([unknownService, unknownGateway]), targeting(SERVICE, WAYPOINT)]);
        assert.deepStrictEqual(
            run.violations.filter((v) => v.message.includes("api-l7")).map((v) => [v.enforcementLevel, ownMessage(v)]),
            [
                ["advisory", "AuthorizationPolicy shop/api-l7: spec.targetRefs[0]: Service shop/api cannot be verified during preview: a Service of the stack has values unknown until apply. Fix: it is checked again when the value is known."],
                ["advisory", "AuthorizationPolicy shop/api-l7: spec.targetRefs[1]: Gateway shop/waypoint cannot be verified during preview: a Gateway of the stack has values unknown until apply. Fix: it is checked again when the value is known."],
            ],
        );
    });
});

describe("policy: authorization-policy-matches-workloads knows waypoints", () => {
    it("a principal of a waypoint of the stack names a running identity; without the waypoint it does not", async () => {
        const policy = stackPolicy("authorization-policy-matches-workloads");
        const fromWaypoint = authorizationPolicy("shop", "api-from-waypoint", {
            selector: { matchLabels: { app: "api" } },
            rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/waypoint"] } }] }],
        });
        assert.deepStrictEqual((await runStackPolicy(policy, ambientStack([k8s(waypointGateway("shop", "waypoint")), fromWaypoint]))).violations, []);
        const run = await runStackPolicy(policy, ambientStack([fromWaypoint]));
        assert.deepStrictEqual(run.violations.map((v) => ownMessage(v).split(": ").slice(0, 2).join(": ")), ["AuthorizationPolicy shop/api-from-waypoint: spec.rules[0].from[0].source.principals[0]"]);
    });
});
