import * as assert from "assert";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ownMessage, policyNamed, PolicyRun, runResourcePolicy, runStackPolicy, UNKNOWN } from "./harness";
import { helmChart, ISTIO_REPO, secureStack, serviceEntry } from "./fixtures";

const verdicts = (run: PolicyRun) => run.violations.map((v) => [v.enforcementLevel, ownMessage(v)]);
const stripe = serviceEntry("shop", "external.api.stripe.com", { hosts: ["api.stripe.com"], location: "MESH_EXTERNAL", resolution: "DNS", ports: [{ number: 443, name: "https-443", protocol: "HTTPS" }], exportTo: ["."] });
const istiod = (values?: Record<string, unknown>) => helmChart("istiod", { ...ISTIO_REPO, version: "1.30.3", ...(values === undefined ? {} : { values }) });
const SUBJECT = "kubernetes:helm.sh/v4:Chart istiod (istio-system/istio-istiod)";
const FIX = 'Fix: set meshConfig.outboundTrafficPolicy.mode to "REGISTRY_ONLY" (IstioMesh meshConfig.outboundTrafficPolicy).';

describe("policy: service-entry-restricted", () => {
    const policy = () => policyNamed<ResourceValidationPolicy>("service-entry-restricted");

    it("refuses a bare * host", async () => {
        const run = await runResourcePolicy(policy(), serviceEntry("shop", "any", { hosts: ["api.example.com", "*"], resolution: "DNS", ports: [{ number: 443, name: "tls", protocol: "TLS" }] }));
        assert.deepStrictEqual(verdicts(run), [
            [
                "mandatory",
                'ServiceEntry shop/any: spec.hosts[1]: the bare host "*" declares every external host: with it, REGISTRY_ONLY allows everything. Fix: list the hosts the workloads need ("api.example.com", or "*.example.com" with resolution DYNAMIC_DNS).',
            ],
        ]);
    });

    it("refuses resolution NONE, set or by default, without addresses", async () => {
        const explicit = await runResourcePolicy(policy(), serviceEntry("shop", "passthrough", { hosts: ["*.example.com"], resolution: "NONE", ports: [{ number: 443, name: "tls", protocol: "TLS" }] }));
        assert.deepStrictEqual(verdicts(explicit), [
            [
                "mandatory",
                "ServiceEntry shop/passthrough: spec.resolution: NONE without addresses: the sidecar forwards the declared ports to whatever IP the application dials, so any address is reachable. Fix: use resolution DNS (exact hosts) or DYNAMIC_DNS (wildcard hosts), or list the destination's addresses.",
            ],
        ]);
        const unset = await runResourcePolicy(policy(), serviceEntry("shop", "passthrough", { hosts: ["db.example.com"], ports: [{ number: 5432, name: "tcp", protocol: "TCP" }] }, "networking.istio.io/v1beta1"));
        assert.deepStrictEqual(verdicts(unset).map(([, m]) => m.split(": the sidecar")[0]), ["ServiceEntry shop/passthrough: spec.resolution: is unset, so NONE applies without addresses"]);
    });

    it("refuses resolution NONE with a /0 address block", async () => {
        const run = await runResourcePolicy(policy(), serviceEntry("shop", "all", { hosts: ["all.example.com"], addresses: ["203.0.113.0/24", "::/0"], ports: [{ number: 443, name: "tls", protocol: "TLS" }] }));
        assert.deepStrictEqual(verdicts(run), [
            ["mandatory", 'ServiceEntry shop/all: spec.addresses[1]: "::/0" with resolution NONE covers every address of its family: any destination is reachable. Fix: list the destination\'s addresses or CIDR blocks.'],
        ]);
    });

    it("accepts what MeshPolicy emits, DYNAMIC_DNS wildcards and NONE with named addresses", async () => {
        for (const target of [
            stripe,
            serviceEntry("shop", "w", { hosts: ["*.googleapis.com"], resolution: "DYNAMIC_DNS", ports: [{ number: 443, name: "tls", protocol: "TLS" }] }),
            serviceEntry("shop", "legacy", { hosts: ["legacy.example.com"], addresses: ["203.0.113.7"], ports: [{ number: 9000, name: "tcp", protocol: "TCP" }] }),
        ]) {
            assert.deepStrictEqual((await runResourcePolicy(policy(), target)).violations, []);
        }
    });

    it("reports an unknown resolution as unverifiable, never as compliant; the level is configurable", async () => {
        const run = await runResourcePolicy(policy(), serviceEntry("shop", "x", { hosts: ["a.example.com"], resolution: UNKNOWN }));
        assert.deepStrictEqual(run.violations.map((v) => [v.enforcementLevel, ownMessage(v).split(": cannot")[0]]), [["advisory", "ServiceEntry shop/x: spec.resolution"]]);
        const advisory = await runResourcePolicy(policy(), serviceEntry("shop", "p", { hosts: ["a.example.com"] }), { enforcementLevel: "advisory" });
        assert.deepStrictEqual(advisory.violations.map((v) => v.enforcementLevel), ["advisory"]);
    });
});

describe("policy: mesh-outbound-registry-only", () => {
    const policy = () => policyNamed<StackValidationPolicy>("mesh-outbound-registry-only");

    it("refuses an istiod with ALLOW_ANY while the stack declares external egress", async () => {
        const run = await runStackPolicy(policy(), [...secureStack(), stripe, istiod({ meshConfig: { outboundTrafficPolicy: { mode: "ALLOW_ANY" } } })]);
        assert.deepStrictEqual(verdicts(run), [
            [
                "mandatory",
                `${SUBJECT}: values.meshConfig.outboundTrafficPolicy.mode: "ALLOW_ANY" lets workloads reach hosts the stack does not declare (it declares ServiceEntry shop/external.api.stripe.com), so the declaration restricts nothing. ${FIX}`,
            ],
        ]);
    });

    it("refuses an unset mode (Istio's default ALLOW_ANY) and counts the ServiceEntries", async () => {
        const other = serviceEntry("data", "external.backup.example.com", { hosts: ["backup.example.com"], resolution: "DNS", ports: [{ number: 5432, name: "tcp", protocol: "TCP" }] });
        const run = await runStackPolicy(policy(), [...secureStack(), stripe, other, istiod()]);
        assert.deepStrictEqual(verdicts(run), [
            [
                "mandatory",
                `${SUBJECT}: values.meshConfig.outboundTrafficPolicy.mode: is unset, so Istio's default ALLOW_ANY applies while the stack declares external egress (ServiceEntry shop/external.api.stripe.com and 1 more ServiceEntry): every undeclared external host stays reachable. ${FIX}`,
            ],
        ]);
    });

    it("accepts REGISTRY_ONLY, a stack without external ServiceEntries, and MESH_INTERNAL entries", async () => {
        const internal = serviceEntry("shop", "vm", { hosts: ["vm.shop.internal"], location: "MESH_INTERNAL", resolution: "STATIC", ports: [{ number: 80, name: "http", protocol: "HTTP" }], endpoints: [{ address: "10.1.2.3" }] });
        for (const stack of [
            [...secureStack(), stripe, istiod({ meshConfig: { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } } })],
            [...secureStack(), istiod()],
            [...secureStack(), internal, istiod()],
            [...secureStack(), stripe],
        ]) {
            assert.deepStrictEqual((await runStackPolicy(policy(), stack)).violations, []);
        }
    });

    it("reports an unknown mode as unverifiable (advisory), and an exempt ServiceEntry does not count", async () => {
        const run = await runStackPolicy(policy(), [...secureStack(), stripe, istiod({ meshConfig: { outboundTrafficPolicy: { mode: UNKNOWN } } })]);
        assert.deepStrictEqual(run.violations.map((v) => [v.enforcementLevel, ownMessage(v).split(": can't")[0]]), [["advisory", "kubernetes:helm.sh/v4:Chart istio-istiod"]]);
        const exempt = await runStackPolicy(policy(), [...secureStack(), stripe, istiod()], { exemptNamespaces: ["shop"] });
        assert.deepStrictEqual(exempt.violations, []);
    });
});
