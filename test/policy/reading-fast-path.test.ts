/**
 * The pack's reading of a request, made from the object behind the SDK's proxy instead of through
 * it (policy-pack/lib/preview-values.ts), must be exactly the reading through the proxy; the
 * shared pieces built on it (strict views, compiled AuthorizationPolicy specs, thrown
 * not-applicable objects) must give every policy of a request the same answer it computes alone.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import { compileAuthorizationSpec } from "../../components/istio";
import { MeshguardValidationError } from "../../components/errors";
import { readingSpecCompiler } from "../../policy-pack/lib/authorization-spec";
import { readPreviewObject } from "../../policy-pack/lib/preview-object";
import { notApplicable } from "../../policy-pack/lib/not-applicable";
import { holdsUnknown, isUnknownValue, readWithUnknowns, strictView, UnknownValue } from "../../policy-pack/lib/preview-values";
import { UNKNOWN_SENTINELS } from "../../policy-pack/lib/sdk-proxy";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkProxy = require("@pulumi/policy/proxy") as Record<string, unknown>;
const SENTINELS = ["unknownStringValue", "unknownNumberValue", "unknownBooleanValue", "unknownArrayValue", "unknownObjectValue"].map((k) => sdkProxy[k] as string);

/**
 * The reference: a copy made by reading every property through the SDK's proxy, each unknown it
 * throws on kept as a marker, every key defined as an own data property.
 */
function readThroughProxy(value: unknown): unknown {
    const read = (container: object, k: string): unknown => {
        try {
            return (container as Record<string, unknown>)[k];
        } catch (err: unknown) {
            if (!(err instanceof UnknownValueError)) throw err;
            const error = err as UnknownValueError;
            return { unknown: error.props.map(String).reduce((out: string, p: string) => (/^\d+$/.test(p) ? `${out}[${p}]` : out === "" ? p : `${out}.${p}`), ""), message: error.message, props: error.props, isSdkError: true };
        }
    };
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) out.push(readMarked(read(value, String(i))));
        return out;
    }
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(value)) Object.defineProperty(out, k, { value: readMarked(read(value, k)), enumerable: true, writable: true, configurable: true });
        return out;
    }
    return value;
}

function readMarked(value: unknown): unknown {
    return value !== null && typeof value === "object" && "isSdkError" in value ? value : readThroughProxy(value);
}

const key = fc.oneof(fc.constantFrom("__proto__", "constructor", "toString", "spec", "0", ""), fc.string({ maxLength: 6 }));
const leaf = fc.oneof(fc.constantFrom(...SENTINELS), fc.string({ maxLength: 4 }), fc.integer(), fc.boolean(), fc.constant(null));
const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
    tree: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc.array(tie("tree"), { maxLength: 4 }),
        fc.dictionary(key, tie("tree"), { maxKeys: 4 }).map(ownProperties),
    ),
}));

/** The same entries as own data properties (`__proto__` included, as the SDK's deserializer never makes it). */
function ownProperties(entries: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entries)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
}

/** Markers as plain data (path, the SDK error's message and property path), for deepStrictEqual. */
function comparable(value: unknown): unknown {
    if (isUnknownValue(value)) return { unknown: value.path, message: value.error.message, props: value.error.props, isSdkError: value.error instanceof UnknownValueError };
    if (Array.isArray(value)) return value.map(comparable);
    if (value !== null && typeof value === "object") return ownProperties(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)])));
    return value;
}

describe("policy pack: reading a request from the object behind the SDK proxy", () => {
    it("knows the SDK's unknown sentinels", () => {
        assert.deepStrictEqual([...(UNKNOWN_SENTINELS ?? [])].sort(), Object.keys(sdkProxy).filter((k) => /^unknown[A-Z][A-Za-z]*Value$/.test(k)).map((k) => sdkProxy[k]).sort());
    });

    it("copies exactly what reading through the proxy copies: values, keys, unknown markers and their SDK errors", () => {
        fc.assert(
            fc.property(fc.dictionary(key, tree, { maxKeys: 5 }).map(ownProperties), (props) => {
                assert.deepStrictEqual(comparable(readWithUnknowns(unknownCheckingProxy(props))), readThroughProxy(unknownCheckingProxy(props)));
            }),
            { numRuns: 300 },
        );
    });

    it("reports an unknown with the SDK's own error and path", () => {
        const copy = readWithUnknowns(unknownCheckingProxy({ spec: { rules: [{ from: SENTINELS[0] }] } })) as { spec: { rules: { from: UnknownValue }[] } };
        const marker = copy.spec.rules[0].from;
        assert.ok(marker instanceof UnknownValue);
        assert.strictEqual(marker.path, "spec.rules[0].from");
        assert.ok(marker.error instanceof UnknownValueError);
        assert.strictEqual(marker.error.message, "string value at .spec.rules.0.from can't be known during preview");
    });

    it("hands out a copy without unknowns as its own strict view, and views one with unknowns", () => {
        const copy = readWithUnknowns(unknownCheckingProxy({ metadata: { name: "a" }, spec: { mode: SENTINELS[0] } })) as Record<string, Record<string, unknown>>;
        assert.deepStrictEqual([holdsUnknown(copy), holdsUnknown(copy.metadata), holdsUnknown(copy.spec)], [true, false, true]);
        const view = strictView(copy);
        assert.notStrictEqual(view, copy);
        assert.strictEqual(view.metadata, copy.metadata);
        assert.throws(() => view.spec.mode, (err: unknown) => err instanceof UnknownValueError && (err as Error).message === "string value at .spec.mode can't be known during preview");
        const known = readWithUnknowns(unknownCheckingProxy({ metadata: { name: "a" }, spec: { rules: [{}] } }));
        assert.strictEqual(holdsUnknown(known), false);
        assert.strictEqual(strictView(known), known);
    });
});

describe("policy pack: one compiled AuthorizationPolicy spec per reading", () => {
    const spec = { rules: [{ from: [{ source: { serviceAccounts: ["web"] } }] }] };
    const reading = (body: Record<string, unknown>) =>
        readPreviewObject({ props: unknownCheckingProxy({ apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "a", namespace: "shop" }, ...body }), name: "a" }, "AuthorizationPolicy", { wholeObject: true });

    it("compiles the reading's spec once per subject and namespace, exactly as compileAuthorizationSpec does", () => {
        const object = reading({ spec });
        const compile = readingSpecCompiler(object);
        const bare = compile(object.body["spec"]);
        assert.deepStrictEqual(bare, compileAuthorizationSpec(spec));
        assert.strictEqual(readingSpecCompiler(object)(object.body["spec"]), bare);
        const named = compile(object.body["spec"], undefined, "shop");
        assert.deepStrictEqual(named, compileAuthorizationSpec(spec, undefined, "shop"));
        assert.notDeepStrictEqual(named, bare);
        assert.strictEqual(compile(object.body["spec"], undefined, "shop"), named);
        // Another reading of equal data is another request: compiled again.
        const other = reading({ spec });
        assert.notStrictEqual(readingSpecCompiler(other)(other.body["spec"]), bare);
    });

    it("compiles a spec without bare service accounts once for every namespace", () => {
        const principals = { rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/web"], serviceAccounts: ["shop/api"] } }] }] };
        assert.deepStrictEqual([compileAuthorizationSpec(principals).namespaceDependent, compileAuthorizationSpec(spec).namespaceDependent], [false, true]);
        const object = reading({ spec: principals });
        const compile = readingSpecCompiler(object);
        const named = compile(object.body["spec"], undefined, "shop");
        assert.deepStrictEqual(named, compileAuthorizationSpec(principals, undefined, "shop"));
        assert.strictEqual(compile(object.body["spec"]), named);
        assert.strictEqual(compile(object.body["spec"], undefined, "other"), named);
    });

    it("compiles any other spec every time, and never keeps a failure or a spec with unknowns", () => {
        const object = reading({ spec });
        const compile = readingSpecCompiler(object);
        assert.notStrictEqual(compile(spec), compile(spec));
        const broken = reading({ spec: { rules: "all" } });
        for (let i = 0; i < 2; i++) {
            assert.throws(() => readingSpecCompiler(broken)(broken.body["spec"]), (err: unknown) => err instanceof MeshguardValidationError && /spec\.rules/.test(err.message));
        }
        const unknown = reading({ spec: { action: SENTINELS[0] } });
        assert.throws(() => readingSpecCompiler(unknown)(unknown.body["spec"]), (err: unknown) => err instanceof UnknownValueError);
    });
});

describe("policy pack: not applicable without building an Error", () => {
    it("throws one object per reason, of the SDK's class, with the reason", () => {
        class NotApplicableError extends Error {
            constructor(readonly reason: string) {
                super(reason);
            }
        }
        const args = { notApplicable: (reason?: string): never => { throw new NotApplicableError(reason ?? ""); } };
        const caught = (reason: string): unknown => {
            try {
                notApplicable(args, reason);
            } catch (err: unknown) {
                return err;
            }
            assert.fail("notApplicable returned");
        };
        const first = caught("applies to Pods only");
        const second = caught("applies to Pods only");
        const third = caught("applies to Pods only");
        assert.ok(second instanceof NotApplicableError && second.reason === "applies to Pods only" && second.message === "applies to Pods only");
        assert.ok(first instanceof NotApplicableError);
        assert.strictEqual(third, second);
        const other = caught("exempt");
        assert.ok(other instanceof NotApplicableError && other.reason === "exempt");
    });
});
