import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { MeshPolicy } from "../../components/mesh-policy";
import { registerSteps } from "../../components/step-registration";
import { registered, useMocks } from "../harness/mocks";

/** Captures what each component passes to registerOutputs. */
function captureOutputs(): { outputs: Map<pulumi.Resource, unknown>; restore: () => void } {
    const prototype = pulumi.ComponentResource.prototype as unknown as { registerOutputs: (o?: unknown) => void };
    const original = prototype.registerOutputs;
    const outputs = new Map<pulumi.Resource, unknown>();
    prototype.registerOutputs = function (this: pulumi.Resource, o?: unknown) {
        // The SDK calls it once more (without outputs) after initialize(); the component's own call is the first.
        if (!outputs.has(this)) outputs.set(this, o);
        return original.call(this, o);
    };
    return { outputs, restore: () => (prototype.registerOutputs = original) };
}

describe("components: outputs and step registration", () => {
    before(async () => {
        await useMocks();
    });

    it("MeshPolicy registers its output fields, like IstioMesh and MeshNamespace", async () => {
        const { outputs, restore } = captureOutputs();
        try {
            const policy = new MeshPolicy("outputs", {
                services: [{ id: "api", namespace: "shop", serviceAccount: "api", ports: [{ port: 80, protocol: "http", targetPort: 8080 }] }],
                allow: [{ from: { namespace: "shop" }, to: "api" }],
            });
            await registered(policy);
            assert.deepStrictEqual(outputs.get(policy), { manifests: policy.manifests });
            assert.deepStrictEqual(policy.manifests.map((m) => `${m.kind} ${m.metadata.name}`), [
                "AuthorizationPolicy allow-nothing",
                "AuthorizationPolicy api-allow",
                "NetworkPolicy allow-ingress-to-api",
                "NetworkPolicy default-deny-ingress",
                "PeerAuthentication default",
            ]);
        } finally {
            restore();
        }
    });

    it("refuses a plan that lists a step before one it depends on", () => {
        const parent = new pulumi.ComponentResource("test:index:Steps", "steps");
        const register = (resourceName: string) => new pulumi.ComponentResource("test:index:Step", resourceName, {}, { parent });
        assert.throws(
            () => registerSteps(parent, "steps", [{ key: "b", suffix: "b", dependsOn: ["a"] }, { key: "a", suffix: "a", dependsOn: [] }], register),
            { message: "step b depends on a, which is not registered before it" },
        );
    });
});
