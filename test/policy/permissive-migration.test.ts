import * as assert from "assert";
import { compileMeshNamespace } from "../../components/compile/namespace";
import { meshNamespaceArgsSchema } from "../../components/model/namespace";
import { parseOrThrow } from "../../components/validation/validate";
import { authorizationPolicy, deployment, namespace, peerAuthentication } from "./fixtures";
import { k8s, ownMessage, runPack, TestResource } from "./harness";

/** A mesh with mesh-wide STRICT, and namespace "legacy" declared by MeshNamespace with mtls: "PERMISSIVE". */
function migratingStack(): TestResource[] {
    const legacy = compileMeshNamespace(parseOrThrow(meshNamespaceArgsSchema, { name: "legacy", mtls: "PERMISSIVE" }, "MeshNamespace args"));
    return [
        namespace("istio-system"),
        peerAuthentication("istio-system", "default", { mtls: { mode: "STRICT" } }),
        authorizationPolicy("istio-system", "allow-nothing", {}),
        ...legacy.steps.map((step) => k8s(step.manifest)),
        deployment("legacy", "reports", { labels: { app: "reports" } }),
        // The L4 baseline MeshPolicy would emit, so only the mTLS verdicts are under test.
        k8s({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny-ingress", namespace: "legacy" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } }),
    ];
}

const PERMISSIVE_VERDICTS = [
    [
        "peer-authentication-strict",
        "PeerAuthentication legacy/default: spec.mtls.mode: PERMISSIVE accepts plaintext, so callers may skip mTLS and then carry no identity that AuthorizationPolicies can check. Fix: set mtls.mode to \"STRICT\" (or remove it to inherit the namespace or mesh-wide STRICT policy).",
    ],
    [
        "mesh-strict-mtls-coverage",
        "Namespace legacy: PeerAuthentication legacy/default: sets mode PERMISSIVE for the whole namespace, overriding the mesh-wide policy, so it accepts plaintext. Fix: add a PeerAuthentication with mtls.mode STRICT and no selector in istio-system (IstioMesh does) or in legacy (MeshNamespace does).",
    ],
];

describe("policy pack: PERMISSIVE → STRICT migration (MeshNamespace mtls: \"PERMISSIVE\")", () => {
    it("refuses a typed PERMISSIVE by default (mandatory), naming the namespace", async () => {
        const verdicts = await runPack(migratingStack());
        assert.deepStrictEqual(
            verdicts.map((v) => [v.policyName, v.enforcementLevel, ownMessage(v)]),
            PERMISSIVE_VERDICTS.map(([policy, message]) => [policy, "mandatory", message]),
        );
    });

    it("reports it as advisory while the migration's policy config says so", async () => {
        const config = { "peer-authentication-strict": { enforcementLevel: "advisory" }, "mesh-strict-mtls-coverage": { enforcementLevel: "advisory" } } as const;
        const verdicts = await runPack(migratingStack(), config);
        assert.deepStrictEqual(
            verdicts.map((v) => [v.policyName, v.enforcementLevel, ownMessage(v)]),
            PERMISSIVE_VERDICTS.map(([policy, message]) => [policy, "advisory", message]),
        );
    });

    it("passes with the namespace exempted from both policies, and passes once switched to STRICT without any config", async () => {
        const exempt = { exemptNamespaces: ["legacy"] };
        assert.deepStrictEqual(await runPack(migratingStack(), { "peer-authentication-strict": exempt, "mesh-strict-mtls-coverage": exempt }), []);
        const strict = compileMeshNamespace(parseOrThrow(meshNamespaceArgsSchema, { name: "legacy", mtls: "STRICT" }, "MeshNamespace args"));
        const switched = migratingStack().map((r) => (r.inputs["kind"] === "PeerAuthentication" && (r.inputs["metadata"] as { namespace: string }).namespace === "legacy" ? k8s(strict.steps[1].manifest) : r));
        assert.deepStrictEqual(await runPack(switched), []);
    });
});
