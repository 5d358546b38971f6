import * as assert from "assert";
import { findAllowAnyCaller, plaintextOnlyRules } from "../../components/istio";

const plaintext = { from: [{ source: { notPrincipals: ["*"] } }], to: [{ operation: { ports: ["9090"] } }] };

describe("istio: ALLOW rules admitting only plaintext callers on named ports", () => {
    it("recognises notPrincipals * on named ports, and nothing wider", () => {
        const spec = {
            rules: [
                plaintext,
                { from: [{ source: { notPrincipals: ["*"] } }] }, // every port
                { from: [{ source: { notPrincipals: ["cluster.local/*"] } }], to: [{ operation: { ports: ["9090"] } }] }, // also other trust domains' identities
                { from: [{ source: { notPrincipals: ["*"] } }, { source: { namespaces: ["prod"] } }], to: [{ operation: { ports: ["9090"] } }] }, // a second source
                { from: [{ source: { notPrincipals: ["*"] } }], to: [{ operation: { ports: ["9090"] } }, { operation: { paths: ["/metrics"] } }] }, // an operation without ports
            ],
        };
        assert.deepStrictEqual([...plaintextOnlyRules(spec)], [0]);
        assert.deepStrictEqual([...plaintextOnlyRules({ ...spec, action: "DENY" })], []);
        assert.deepStrictEqual([...plaintextOnlyRules({ rules: "not a list" })], []);
    });

    it("findAllowAnyCaller leaves the plaintext rule to the mTLS verdict of its ports and still reports the others", () => {
        const findings = findAllowAnyCaller({ rules: [plaintext, { from: [{ source: { notPrincipals: ["*"] } }] }] });
        assert.deepStrictEqual(
            findings.map((f) => f.path),
            ["spec.rules[1]"],
        );
    });
});
