import * as assert from "assert";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { meshguardPolicies } from "../../policy-pack/policies";
import { k8s, ownMessage, policyNamed, resource, runResourcePolicy, UNKNOWN, Verdict } from "./harness";
import { authorizationPolicy, chartGateway, classicGateway, deployment, destinationRule, helmChart, ISTIO_REPO, peerAuthentication, workload } from "./fixtures";

const resourcePolicy = (name: string) => policyNamed<ResourceValidationPolicy>(name);

describe("policy pack: metadata", () => {
    it("has one kebab-case policy per file, each with a full-sentence description and a config schema", () => {
        const names = meshguardPolicies.map((p) => p.name);
        assert.deepStrictEqual(names, [
            "peer-authentication-strict",
            "destination-rule-tls-verified",
            "destination-rule-tls-san",
            "authorization-policy-no-allow-all",
            "authorization-policy-safe-patterns",
            "istio-resource-schema",
            "workload-no-injection-opt-out",
            "workload-no-traffic-capture-bypass",
            "istio-install-hygiene",
            "istio-install-hardening",
            "authorization-policy-token-not-optional",
            "namespace-sidecar-injection",
            "mesh-default-deny",
            "mesh-strict-mtls-coverage",
            "mesh-baseline-single-owner",
            "request-authentication-requires-principals",
            "policy-references-exist",
            "authorization-policy-matches-workloads",
            "network-policy-no-allow-all",
            "istiod-network-exposure",
            "mesh-namespace-network-default-deny",
            "peer-authentication-permissive-port-guarded",
            "service-entry-restricted",
            "mesh-outbound-registry-only",
            "authorization-policy-staged-enforcement",
            "namespace-one-dataplane",
            "peer-authentication-ambient",
            "authorization-policy-ztunnel-http",
            "authorization-policy-target-exists",
        ]);
        for (const p of meshguardPolicies) {
            assert.match(p.name, /^[a-z]+(-[a-z]+)+$/);
            assert.match(p.description, /^[A-Z].*\.$/, p.name);
            assert.deepStrictEqual(Object.keys(p.configSchema?.properties ?? {}).slice(0, 3), ["exemptNamespaces", "exemptNames", "rootNamespace"], p.name);
        }
    });
});

describe("policy pack: resource policies (direct)", () => {
    it("reports PERMISSIVE with the resource, field, reason and fix", async () => {
        const run = await runResourcePolicy(resourcePolicy("peer-authentication-strict"), peerAuthentication("shop", "default", { mtls: { mode: "PERMISSIVE" } }));
        assert.strictEqual(run.violations.length, 1);
        assert.strictEqual(run.violations[0].enforcementLevel, "mandatory");
        assert.strictEqual(
            ownMessage(run.violations[0]),
            'PeerAuthentication shop/default: spec.mtls.mode: PERMISSIVE accepts plaintext, so callers may skip mTLS and then carry no identity that AuthorizationPolicies can check. Fix: set mtls.mode to "STRICT" (or remove it to inherit the namespace or mesh-wide STRICT policy).',
        );
        assert.ok(run.violations[0].message.startsWith("PeerAuthentication must not weaken mutual TLS"), "the SDK prefixes the description");
    });

    it("matches Istio kinds by group and kind for every version, and nothing else", async () => {
        const policy = resourcePolicy("peer-authentication-strict");
        for (const apiVersion of ["security.istio.io/v1", "security.istio.io/v1beta1"]) {
            const run = await runResourcePolicy(policy, peerAuthentication("shop", "p", { mtls: { mode: "DISABLE" } }, apiVersion));
            assert.strictEqual(run.violations.length, 1, apiVersion);
        }
        const lookalike = k8s({ apiVersion: "security.example.com/v1", kind: "PeerAuthentication", metadata: { name: "p", namespace: "shop" }, spec: { mtls: { mode: "DISABLE" } } });
        assert.deepStrictEqual(await runResourcePolicy(policy, lookalike), { violations: [], notApplicable: "applies to Istio PeerAuthentication only" });
    });

    it("is not applicable to other types", async () => {
        const run = await runResourcePolicy(resourcePolicy("workload-no-injection-opt-out"), resource("kubernetes:core/v1:Service", "svc", {}));
        assert.deepStrictEqual(run, { violations: [], notApplicable: "applies to workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) only" });
    });

    it("exempts namespaces and names by pattern (reported as not applicable)", async () => {
        const policy = resourcePolicy("peer-authentication-strict");
        const target = peerAuthentication("legacy-a", "compat", { mtls: { mode: "PERMISSIVE" } });
        assert.deepStrictEqual(await runResourcePolicy(policy, target, { exemptNamespaces: ["legacy-*"] }), {
            violations: [],
            notApplicable: 'namespace legacy-a is exempt (exemptNamespaces: "legacy-*")',
        });
        assert.deepStrictEqual(await runResourcePolicy(policy, target, { exemptNames: ["legacy-?/comp*"] }), {
            violations: [],
            notApplicable: 'legacy-a/compat is exempt (exemptNames: "legacy-?/comp*")',
        });
        assert.strictEqual((await runResourcePolicy(policy, target, { exemptNames: ["other"] })).violations.length, 1);
    });

    it("honours an enforcement level override from config", async () => {
        const target = peerAuthentication("shop", "default", { mtls: { mode: "PERMISSIVE" } });
        const policy = resourcePolicy("peer-authentication-strict");
        assert.strictEqual((await runResourcePolicy(policy, target, { enforcementLevel: "advisory" })).violations[0].enforcementLevel, "advisory");
        assert.deepStrictEqual(await runResourcePolicy(policy, target, { enforcementLevel: "disabled" }), { violations: [], notApplicable: "disabled" });
    });

    it("reports a value unknown at preview as unverifiable (advisory), never as compliant", async () => {
        const run = await runResourcePolicy(resourcePolicy("peer-authentication-strict"), peerAuthentication("shop", "default", { mtls: { mode: UNKNOWN } }));
        assert.deepStrictEqual(run.violations, [
            {
                policyName: "peer-authentication-strict",
                message:
                    "PeerAuthentication shop/default: spec.mtls.mode: cannot be verified during preview: the value is unknown until the update, and mode PERMISSIVE or DISABLE would be refused. Fix: nothing to do if the value will be compliant: the policy runs again with the known value during the update (use a value known at preview to have it checked now).",
                enforcementLevel: "advisory",
                urn: undefined,
            },
        ]);
    });

    it("reads workload pod templates without touching unrelated unknowns (an image built by the stack)", async () => {
        const target = deployment("shop", "web", { labels: { "sidecar.istio.io/inject": "false" }, spec: { containers: [{ name: "web", image: UNKNOWN }] } });
        const run = await runResourcePolicy(resourcePolicy("workload-no-injection-opt-out"), target);
        assert.deepStrictEqual(run.violations.map((v) => v.enforcementLevel), ["mandatory"]);
        const bypass = await runResourcePolicy(resourcePolicy("workload-no-traffic-capture-bypass"), deployment("shop", "web", { spec: { containers: [{ name: "web", image: UNKNOWN }] } }));
        assert.deepStrictEqual(bypass.violations, []);
    });

    it("uses the provider's namespace when metadata.namespace is absent", async () => {
        const target = k8s(
            { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "p" }, spec: { mtls: { mode: "DISABLE" } } },
            { provider: { type: "pulumi:providers:kubernetes", name: "k8s", urn: "urn:pulumi:test::p::pulumi:providers:kubernetes::k8s", inputs: { namespace: "team-a" } } },
        );
        const run = await runResourcePolicy(resourcePolicy("peer-authentication-strict"), target);
        assert.match(ownMessage(run.violations[0]), /^PeerAuthentication team-a\/p: /);
    });

    it("names auto-named objects after the resource", async () => {
        const target = k8s({ apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { namespace: "shop" }, spec: { mtls: { mode: "DISABLE" } } });
        const run = await runResourcePolicy(resourcePolicy("peer-authentication-strict"), { ...target, name: "pa" });
        assert.match(ownMessage(run.violations[0]), /^PeerAuthentication shop\/pa-<generated>: spec\.mtls\.mode: /);
    });

    it("reports each DestinationRule TLS weakness at its path", async () => {
        const run = await runResourcePolicy(
            resourcePolicy("destination-rule-tls-verified"),
            destinationRule("shop", "api", {
                host: "api",
                trafficPolicy: { tls: { mode: "SIMPLE", insecureSkipVerify: true }, portLevelSettings: [{ port: { number: 80 }, tls: { mode: "DISABLE" } }] },
                subsets: [{ name: "v1", trafficPolicy: { tls: { mode: "DISABLE" } } }],
            }),
        );
        assert.deepStrictEqual(
            run.violations.map((v) => ownMessage(v).split(": ")[1]),
            ["spec.trafficPolicy.tls.insecureSkipVerify", "spec.trafficPolicy.portLevelSettings[0].tls.mode", "spec.subsets[0].trafficPolicy.tls.mode"],
        );
    });

    it("decides allow-any-caller with the simulator's evaluator", async () => {
        const policy = resourcePolicy("authorization-policy-no-allow-all");
        const named = authorizationPolicy("shop", "api", { rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/web"] } }] }] });
        assert.deepStrictEqual((await runResourcePolicy(policy, named)).violations, []);
        const notPrincipals = authorizationPolicy("shop", "api", { rules: [{ from: [{ source: { notPrincipals: ["cluster.local/ns/shop/sa/evil"] } }] }] });
        assert.strictEqual((await runResourcePolicy(policy, notPrincipals)).violations.length, 1);
        const deny = authorizationPolicy("shop", "deny", { action: "DENY", rules: [{}] });
        assert.deepStrictEqual((await runResourcePolicy(policy, deny)).violations, []);
        const allowNothing = authorizationPolicy("shop", "allow-nothing", {});
        assert.deepStrictEqual((await runResourcePolicy(policy, allowNothing)).violations, []);
    });

    // issue 10 item 2: trust-domain-wide wildcards passed because one made-up probe identity was used.
    it("refuses trust-domain-wide and every-namespace principal wildcards, saying what they match", async () => {
        const policy = resourcePolicy("authorization-policy-no-allow-all");
        const messages = async (principals: string[]) =>
            (await runResourcePolicy(policy, authorizationPolicy("shop", "api", { rules: [{ from: [{ source: { principals } }] }] }))).violations.map(
                (v) => [v.enforcementLevel, ownMessage(v)],
            );
        const fix =
            "Fix: list the callers in `from` (principals of the calling service accounts, or namespaces), or delete the rule; an ALLOW policy with no rules (spec: {}) allows nothing.";
        assert.deepStrictEqual(await messages(["cluster.local/*"]), [
            [
                "mandatory",
                `AuthorizationPolicy shop/api: spec.rules[0]: this rule admits workload identities from every namespace to any operation: from[0].source.principals "cluster.local/*" matches every workload identity of trust domain "cluster.local" (an mTLS identity is still required, so only plaintext callers are excluded). ${fix}`,
            ],
        ]);
        assert.deepStrictEqual(await messages(["c*"]), [
            [
                "mandatory",
                `AuthorizationPolicy shop/api: spec.rules[0]: this rule admits workload identities from every namespace to any operation: from[0].source.principals "c*" matches every workload identity of every trust domain whose name starts with "c" (an mTLS identity is still required, so only plaintext callers are excluded). ${fix}`,
            ],
        ]);
        assert.deepStrictEqual(await messages(["*/sa/default"]), [
            [
                "mandatory",
                `AuthorizationPolicy shop/api: spec.rules[0]: this rule admits workload identities from every namespace to any operation: from[0].source.principals "*/sa/default" matches the service account "default" in every namespace (an mTLS identity is still required, so only plaintext callers are excluded). ${fix}`,
            ],
        ]);
        assert.deepStrictEqual(await messages(["cluster.local/ns/shop/sa/*"]), []);
    });

    it("fails closed on a malformed AuthorizationPolicy spec", async () => {
        const run = await runResourcePolicy(resourcePolicy("authorization-policy-no-allow-all"), authorizationPolicy("shop", "bad", { rules: [{ from: "everyone" }] }));
        assert.strictEqual(run.violations.length, 1);
        assert.match(ownMessage(run.violations[0]), /^AuthorizationPolicy shop\/bad: spec\.rules\[0\]\.from: must be a list, so whether the policy admits any caller cannot be decided \(fail closed\)/);
    });

    it("checks every workload kind's pod template path", async () => {
        const policy = resourcePolicy("workload-no-injection-opt-out");
        const paths: Record<string, string> = {
            Pod: "metadata.labels",
            Deployment: "spec.template.metadata.labels",
            StatefulSet: "spec.template.metadata.labels",
            DaemonSet: "spec.template.metadata.labels",
            ReplicaSet: "spec.template.metadata.labels",
            Job: "spec.template.metadata.labels",
            CronJob: "spec.jobTemplate.spec.template.metadata.labels",
        };
        for (const [kind, path] of Object.entries(paths)) {
            const run = await runResourcePolicy(policy, workload(kind as "Pod", "shop", "w", { labels: { "sidecar.istio.io/inject": "false" } }));
            assert.strictEqual(ownMessage(run.violations[0]).split(": ")[1], `${path}["sidecar.istio.io/inject"]`, kind);
        }
    });

    it("does not call label true + annotation false an opt-out (Istio reads the label): one advisory about the contradiction", async () => {
        const policy = resourcePolicy("workload-no-injection-opt-out");
        const target = deployment("shop", "web", { labels: { app: "web", "sidecar.istio.io/inject": "true" }, annotations: { "sidecar.istio.io/inject": "false" } });
        const run = await runResourcePolicy(policy, target);
        assert.deepStrictEqual(run.violations.map((v) => [v.enforcementLevel, ownMessage(v)]), [
            [
                "advisory",
                'Deployment shop/web: spec.template.metadata.annotations["sidecar.istio.io/inject"]: says "false" but the label says "true"; Istio reads only the label when both are set, so the annotation has no effect. Fix: remove the deprecated annotation sidecar.istio.io/inject and keep the label.',
            ],
        ]);
    });

    it("reports a hostNetwork pod (never injected) and an unknown injection value", async () => {
        const policy = resourcePolicy("workload-no-injection-opt-out");
        const host = await runResourcePolicy(policy, deployment("shop", "agent", { spec: { hostNetwork: true, containers: [{ name: "a", image: "x" }] } }));
        const unknown = await runResourcePolicy(policy, deployment("shop", "db", { labels: { app: "db", "sidecar.istio.io/inject": "False" } }));
        assert.deepStrictEqual([...host.violations, ...unknown.violations].map(ownMessage), [
            "Deployment shop/agent: spec.template.spec.hostNetwork: its pods use the host network (spec.hostNetwork: true), which Istio never injects nor captures, so they run outside the mesh: no mTLS identity, no AuthorizationPolicy enforcement on their inbound traffic, and plaintext to their peers. Fix: run the pods on the pod network (remove spec.hostNetwork); if the workload must stay outside the mesh, exempt it by name in the policy config.",
            'Deployment shop/db: spec.template.metadata.labels["sidecar.istio.io/inject"]: has the unknown value "False": Istio accepts only "true" or "false" (exactly) and falls back to the namespace\'s injection policy. Fix: set it to "true" or "false".',
        ]);
    });

    it("exempts gateways by what they run, not by their name", async () => {
        const optOut = resourcePolicy("workload-no-injection-opt-out");
        assert.deepStrictEqual(await runResourcePolicy(optOut, classicGateway("istio-ingress")), {
            violations: [],
            notApplicable: "an Istio gateway pod (every container is the gateway proxy) runs without a sidecar by design",
        });
        const bypass = resourcePolicy("workload-no-traffic-capture-bypass");
        assert.deepStrictEqual((await runResourcePolicy(bypass, chartGateway("istio-ingress"))).violations, []);
        const impostor = chartGateway("istio-ingress", { annotations: { "inject.istio.io/templates": "sidecar" } });
        assert.strictEqual((await runResourcePolicy(bypass, impostor)).violations.length, 1);
    });

    it("exempts injection-exempt namespaces (configurable)", async () => {
        const policy = resourcePolicy("workload-no-injection-opt-out");
        const target = deployment("istio-system", "tool", { labels: { "sidecar.istio.io/inject": "false" } });
        assert.strictEqual((await runResourcePolicy(policy, target)).notApplicable, 'namespace istio-system is exempt (exemptNamespaces: "istio-system")');
        assert.strictEqual((await runResourcePolicy(policy, target, { injectionExemptNamespaces: [] })).violations.length, 1);
    });

    it("checks Istio base/istiod installs on chart and release inputs", async () => {
        const hygiene = resourcePolicy("istio-install-hygiene");
        const pinned = helmChart("istiod", { ...ISTIO_REPO, version: "1.30.3" });
        assert.deepStrictEqual((await runResourcePolicy(hygiene, pinned)).violations, []);
        const off = helmChart("istio/istiod", { version: "1.30.3", values: { global: { configValidation: "false" } } }, "kubernetes:helm.sh/v3:Release");
        assert.deepStrictEqual((await runResourcePolicy(hygiene, off)).violations.map((v) => ownMessage(v).split(": ")[1]), ["values.global.configValidation"]);
        assert.strictEqual((await runResourcePolicy(hygiene, helmChart("cert-manager", { version: "1.0.0" }))).notApplicable, "applies to the Istio base and istiod charts only");
    });

    it("reports Istio's own defaults only when asked (flagIstioDefaults)", async () => {
        const hardening = resourcePolicy("istio-install-hardening");
        const bare = helmChart("istiod", { ...ISTIO_REPO, version: "1.30.3" });
        assert.deepStrictEqual((await runResourcePolicy(hardening, bare)).violations, []);
        const run = await runResourcePolicy(hardening, bare, { flagIstioDefaults: true });
        assert.deepStrictEqual(run.violations.map((v) => [v.enforcementLevel, ownMessage(v).split(": ")[1]]), [
            ["advisory", "values.meshConfig.pathNormalization.normalization"],
            ["advisory", "values.meshConfig.outboundTrafficPolicy.mode"],
        ]);
    });

    it("unwraps secrets in inputs like the SDK", async () => {
        const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "DISABLE" };
        const run = await runResourcePolicy(resourcePolicy("peer-authentication-strict"), peerAuthentication("shop", "p", { mtls: { mode: secret } }));
        assert.strictEqual(run.violations.length, 1);
    });
});

describe("policy pack: verdicts with values unknown at preview (issue 10 item 5)", () => {
    const unknownNamespace = (target: ReturnType<typeof peerAuthentication>) => {
        const inputs = target.inputs as { metadata: Record<string, unknown> };
        return { ...target, inputs: { ...inputs, metadata: { ...inputs.metadata, namespace: UNKNOWN } } };
    };

    it("a PERMISSIVE PeerAuthentication in an unknown namespace stays a mandatory violation", async () => {
        const run = await runResourcePolicy(resourcePolicy("peer-authentication-strict"), unknownNamespace(peerAuthentication("shop", "default", { mtls: { mode: "PERMISSIVE" } })));
        assert.deepStrictEqual(
            run.violations.map((v) => [v.enforcementLevel, ownMessage(v)]),
            [
                [
                    "mandatory",
                    'PeerAuthentication <unknown namespace>/default: spec.mtls.mode: PERMISSIVE accepts plaintext, so callers may skip mTLS and then carry no identity that AuthorizationPolicies can check. Fix: set mtls.mode to "STRICT" (or remove it to inherit the namespace or mesh-wide STRICT policy).',
                ],
            ],
        );
    });

    it("rules: [{}] in an unknown namespace stays a mandatory violation", async () => {
        const run = await runResourcePolicy(resourcePolicy("authorization-policy-no-allow-all"), unknownNamespace(authorizationPolicy("shop", "open", { rules: [{}] })));
        assert.deepStrictEqual(run.violations.map((v) => [v.enforcementLevel, ownMessage(v).split(": ").slice(0, 2).join(": ")]), [["mandatory", "AuthorizationPolicy <unknown namespace>/open: spec.rules[0]"]]);
    });

    it("only a verdict that depends on the unknown namespace (a configured exemption could match it) cannot be verified", async () => {
        const run = await runResourcePolicy(resourcePolicy("peer-authentication-strict"), unknownNamespace(peerAuthentication("shop", "default", { mtls: { mode: "DISABLE" } })), {
            exemptNamespaces: ["legacy-*"],
        });
        assert.deepStrictEqual(
            run.violations.map((v) => [v.enforcementLevel, ownMessage(v)]),
            [
                [
                    "advisory",
                    "PeerAuthentication <unknown namespace>/default: spec.mtls.mode: cannot be verified during preview: DISABLE turns mTLS off: traffic is plaintext and callers carry no verifiable identity, unless a configured exemption (exemptNamespaces/exemptNames) matches the object, and its metadata.namespace is unknown until the update. Fix: set mtls.mode to \"STRICT\" (or remove it to inherit the namespace or mesh-wide STRICT policy); the policy runs again with the known value during the update.",
                ],
            ],
        );
    });

    it("an unknown mode in one place does not hide a definite violation in another", async () => {
        const run = await runResourcePolicy(
            resourcePolicy("destination-rule-tls-verified"),
            destinationRule("shop", "api", { host: "api", subsets: [{ name: "a", trafficPolicy: { tls: { mode: UNKNOWN } } }, { name: "b", trafficPolicy: { tls: { mode: "DISABLE" } } }] }),
        );
        assert.deepStrictEqual(run.violations.map((v) => [v.enforcementLevel, ownMessage(v).split(": ").slice(0, 3).join(": ")]), [
            ["advisory", "DestinationRule shop/api: spec.subsets[0].trafficPolicy.tls.mode: cannot be verified during preview"],
            ["mandatory", "DestinationRule shop/api: spec.subsets[1].trafficPolicy.tls.mode: DISABLE sends plaintext to the destination and replaces auto-mTLS, so the traffic is neither encrypted nor authenticated. Fix"],
        ]);
    });
});

describe("policy pack: DestinationRule TLS as istiod 1.30 builds it (issue 11)", () => {
    const verified = () => resourcePolicy("destination-rule-tls-verified");
    const san = () => resourcePolicy("destination-rule-tls-san");
    const paths = (run: { violations: Verdict[] }) => run.violations.map((v) => [v.enforcementLevel, ownMessage(v).split(": ")[1]]);

    it("refuses an explicit sni without subjectAltNames (automatic SAN validation is off)", async () => {
        const run = await runResourcePolicy(verified(), destinationRule("shop", "ext", { host: "api.example.com", trafficPolicy: { tls: { mode: "SIMPLE", sni: "api.example.com" } } }));
        assert.deepStrictEqual(run.violations.map(ownMessage), [
            "DestinationRule shop/ext: spec.trafficPolicy.tls.sni: is set without subjectAltNames: an explicit sni turns off Istio's automatic SAN validation, so any certificate the trusted CAs issued, for any host, is accepted. Fix: list the server's DNS names in subjectAltNames (or remove sni so Istio validates the host itself on HTTP ports).",
        ]);
        const withSans = destinationRule("shop", "ext", { host: "api.example.com", trafficPolicy: { tls: { mode: "SIMPLE", sni: "api.example.com", subjectAltNames: ["api.example.com"] } } });
        assert.deepStrictEqual((await runResourcePolicy(verified(), withSans)).violations, []);
    });

    it("refuses credentialName without workloadSelector (sidecars send plaintext), like DISABLE", async () => {
        const run = await runResourcePolicy(verified(), destinationRule("shop", "ext", { host: "api.example.com", trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: "MUTUAL", credentialName: "client-cert" } }] } }));
        assert.deepStrictEqual(run.violations.map((v) => [v.enforcementLevel, ownMessage(v)]), [
            [
                "mandatory",
                "DestinationRule shop/ext: spec.trafficPolicy.portLevelSettings[0].tls.credentialName: is set in a DestinationRule without spec.workloadSelector: istiod builds no TLS context for sidecars from it (credentials are for gateways), so every sidecar this rule applies to sends plaintext to the destination. Fix: add spec.workloadSelector selecting the egress gateway that holds the credential, or give sidecars file certificates (caCertificates, clientCertificate, privateKey) instead of credentialName.",
            ],
        ]);
        const gateway = destinationRule("istio-egress", "ext", { host: "api.example.com", workloadSelector: { matchLabels: { istio: "egressgateway" } }, trafficPolicy: { tls: { mode: "MUTUAL", credentialName: "client-cert", subjectAltNames: ["api.example.com"] } } });
        assert.deepStrictEqual((await runResourcePolicy(verified(), gateway)).violations, []);
        const configMap = destinationRule("shop", "ext", { host: "api.example.com", trafficPolicy: { tls: { mode: "SIMPLE", credentialName: "configmap://ca", subjectAltNames: ["api.example.com"] } } });
        assert.deepStrictEqual((await runResourcePolicy(verified(), configMap)).violations, []);
    });

    it("refuses a tls block without mode (DISABLE is the default) in subsets and port-level settings", async () => {
        const run = await runResourcePolicy(verified(), destinationRule("shop", "api", { host: "api", subsets: [{ name: "v1", trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { sni: "api" } }] } }] }));
        assert.deepStrictEqual(paths(run), [["mandatory", "spec.subsets[0].trafficPolicy.portLevelSettings[0].tls.mode"]]);
    });

    it("reports SIMPLE/MUTUAL without subjectAltNames as advisory (no host check on TCP/TLS ports)", async () => {
        const simple = destinationRule("shop", "ext", { host: "db.example.com", trafficPolicy: { tls: { mode: "SIMPLE", caCertificates: "/etc/ca.pem" } } });
        assert.deepStrictEqual((await runResourcePolicy(verified(), simple)).violations, []);
        const run = await runResourcePolicy(san(), simple);
        assert.deepStrictEqual(run.violations.map((v) => [v.enforcementLevel, ownMessage(v)]), [
            [
                "advisory",
                "DestinationRule shop/ext: spec.trafficPolicy.tls.subjectAltNames: is not set for mode SIMPLE: on HTTP ports Istio validates the certificate against the request's host, but on TCP/TLS ports nothing checks that the server is the intended host, so any certificate the trusted CAs issued is accepted. Fix: list the server's DNS names in subjectAltNames.",
            ],
        ]);
        const istioMutual = destinationRule("shop", "api", { host: "api", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } });
        assert.deepStrictEqual((await runResourcePolicy(san(), istioMutual)).violations, []);
    });
});
