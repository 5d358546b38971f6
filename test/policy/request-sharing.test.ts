import * as assert from "assert";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { notApplicable } from "../../policy-pack/lib/not-applicable";
import { cachedReading, readingKey } from "../../policy-pack/lib/reading-cache";
import { shareRequestProperties } from "../../policy-pack/lib/request-properties";

// The SDK's own modules, as the pack's server uses them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkDeserialize = require("@pulumi/policy/deserialize") as { deserializeProperties: (s: unknown, proxySecrets: boolean) => Record<string, unknown> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkProxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy: (o: unknown) => Record<string, unknown> };

describe("policy pack: one reading per request", () => {
    it("shares the deserialized properties of one Struct across calls, not across Structs", () => {
        assert.strictEqual(shareRequestProperties(), true);
        assert.strictEqual(shareRequestProperties(), true);
        const struct = Struct.fromJavaScript({ kind: "PeerAuthentication", spec: { mtls: { mode: "STRICT" } } });
        const first = sdkDeserialize.deserializeProperties(struct, false);
        assert.deepStrictEqual(first, { kind: "PeerAuthentication", spec: { mtls: { mode: "STRICT" } } });
        assert.strictEqual(sdkDeserialize.deserializeProperties(struct, false), first);
        const other = Struct.fromJavaScript({ kind: "PeerAuthentication", spec: { mtls: { mode: "STRICT" } } });
        assert.notStrictEqual(sdkDeserialize.deserializeProperties(other, false), first);
        // The secret-preserving form (AnalyzeStack with secrets) is never shared.
        assert.notStrictEqual(sdkDeserialize.deserializeProperties(struct, true), sdkDeserialize.deserializeProperties(struct, true));
    });

    it("caches a reading per wrapped object and parameters, never for plain objects", () => {
        const target = { metadata: { name: "a" } };
        let reads = 0;
        const read = () => ({ read: ++reads });
        const key = readingKey(sdkProxy.unknownCheckingProxy(target), undefined, ["Pod", "a", false, false]);
        const first = cachedReading(key, read);
        assert.strictEqual(cachedReading(readingKey(sdkProxy.unknownCheckingProxy(target), undefined, ["Pod", "a", false, false]), read), first);
        assert.deepStrictEqual(cachedReading(readingKey(sdkProxy.unknownCheckingProxy(target), undefined, ["Pod", "a", true, false]), read), { read: 2 });
        const provider = sdkProxy.unknownCheckingProxy({ namespace: "x" });
        assert.deepStrictEqual(cachedReading(readingKey(sdkProxy.unknownCheckingProxy(target), provider, ["Pod", "a", false, false]), read), { read: 3 });
        assert.deepStrictEqual(cachedReading(readingKey(sdkProxy.unknownCheckingProxy({ metadata: { name: "a" } }), undefined, ["Pod", "a", false, false]), read), { read: 4 });
        assert.strictEqual(readingKey(target, undefined, ["Pod"]), undefined);
        assert.strictEqual(readingKey(sdkProxy.unknownCheckingProxy(target), { namespace: "x" }, ["Pod"]), undefined);
    });

    it("throws what args.notApplicable throws, with the reason, on every call", () => {
        class NotApplicableError extends Error {
            constructor(readonly reason: string) {
                super(reason);
            }
        }
        const args = { notApplicable: (reason?: string): never => { throw new NotApplicableError(reason ?? ""); } };
        for (const reason of ["applies to Pods only", "applies to Services only", "exempt"]) {
            assert.throws(
                () => notApplicable(args, reason),
                (err: unknown) => err instanceof NotApplicableError && err.reason === reason && err.message === reason,
            );
        }
    });
});
