import { strict as assert } from "assert";
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import fc from "fast-check";
import { z } from "zod";
import { isPlainRecord, safeRecord, unsafeRecordKeyProblem } from "../../components/model/record";
import { resolveInputs } from "../../components/resolve-inputs";
import "../harness/property-seed";

const BUILT_INS = [...Object.getOwnPropertyNames(Object.prototype), "prototype"];
const keyArb = fc.oneof(fc.constantFrom(...BUILT_INS), fc.string(), fc.string({ unit: "grapheme" }), fc.constantFrom("__proto__ ", "__PROTO__", "proto", "0", "-1", "1e3"));

describe("safeRecord: every record key survives a plain object, or is refused", () => {
    it("refuses __proto__, constructor, prototype and every Object.prototype member", () => {
        for (const key of BUILT_INS) assert.notEqual(unsafeRecordKeyProblem(key), undefined, key);
        assert.equal(
            unsafeRecordKeyProblem("__proto__"),
            'the key "__proto__" is not allowed: it names a JavaScript object built-in and would be dropped or misread when copied into a plain object (rename it)',
        );
    });

    it("property: an accepted key round-trips through parse, spread, Object.assign and JSON with its value", () => {
        const schema = safeRecord(z.string(), z.string());
        fc.assert(
            fc.property(keyArb, fc.string(), (key, value) => {
                const input = JSON.parse(JSON.stringify(Object.fromEntries([[key, value], ["other", "o"]]))) as Record<string, string>;
                const result = schema.safeParse(input);
                if (unsafeRecordKeyProblem(key) !== undefined) {
                    assert.equal(result.success, false, key);
                    assert.deepEqual(result.error?.issues.map((i) => i.path), [[key]]);
                    return;
                }
                assert.ok(result.success, key);
                for (const copy of [result.data, { ...result.data }, Object.assign({}, result.data), JSON.parse(JSON.stringify(result.data)) as Record<string, string>]) {
                    assert.deepEqual(Object.keys(copy).sort(), [key, "other"].sort());
                    assert.equal(copy[key], value);
                    assert.ok(isPlainRecord(copy));
                }
            }),
            { numRuns: 500 },
        );
    });

    it("keeps a __proto__ key visible to the schema when other args are deferred (resolveInputs)", () => {
        const schema = z.strictObject({ labels: safeRecord(z.string(), z.string()), name: z.string() });
        const args = JSON.parse('{"labels":{"__proto__":"x"}}') as Record<string, unknown>;
        args.name = Promise.resolve("shop");
        assert.throws(() => resolveInputs(schema, args, "args"), {
            name: "MeshguardValidationError",
            message:
                'invalid args:\n  - labels.__proto__: the key "__proto__" is not allowed: it names a JavaScript object built-in and would be dropped or misread when copied into a plain object (rename it)',
        });
    });

    it("is the only record schema of the input models (components/model; the Istio CRD schemas are in components/istio/schema)", () => {
        const dir = join(__dirname, "../../components/model");
        const offenders = readdirSync(dir)
            .filter((f) => f.endsWith(".ts") && f !== "record.ts")
            .filter((f) => /\bz\s*\.\s*(record|partialRecord|looseRecord)\s*\(/.test(readFileSync(join(dir, f), "utf8")));
        assert.deepEqual(offenders, []);
    });
});
