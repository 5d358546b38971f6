import * as assert from "assert";
import fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { LoadedManifests, loadManifests, ManifestLoadError } from "../../components/cli/manifest-files";
import { MESSAGE_LINE_LIMIT } from "../../components/cli/text";
import { runCli, tempDir } from "./run-cli";

// `meshguard check` on hostile YAML, in-process through loadManifests (what decides whether the
// pack sees every object): it either hands the pack every object, well-formed, or refuses with
// problems naming the file and document; never another exception. A few cases run the command.

const FILE = "case.yaml";

type Outcome = { loaded: LoadedManifests } | { problems: readonly string[] };

function load(dir: string, content: string | Uint8Array): Outcome {
    fs.writeFileSync(path.join(dir, FILE), content);
    try {
        return { loaded: loadManifests([FILE], dir) };
    } catch (err) {
        if (err instanceof ManifestLoadError) return { problems: err.problems };
        throw err;
    }
}

function assertProblemsNamed(problems: readonly string[]): void {
    assert.ok(problems.length > 0);
    for (const problem of problems) {
        assert.ok(problem.startsWith(`${FILE}: `), problem);
        for (const line of problem.split("\n")) assert.ok(line.length <= MESSAGE_LINE_LIMIT, `${line.length} characters`);
    }
}

function assertWellFormed(loaded: LoadedManifests): void {
    for (const m of loaded.manifests) {
        assert.strictEqual(typeof m.object.apiVersion, "string");
        assert.strictEqual(typeof m.object.kind, "string");
        assert.strictEqual(typeof m.object.metadata?.name, "string");
        assert.ok(m.document >= 1);
    }
}

const PROTOTYPE_KEYS = ["__proto__", "constructor", "toString", "hasOwnProperty", "prototype"];
const key = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, "apiVersion", "kind", "metadata", "name", "spec"), fc.string({ maxLength: 12 }));

/** A document meant as an object: the three required fields, each independently present, mistyped or missing, plus junk keys. */
const objectDoc = fc.record({
    apiVersion: fc.option(fc.oneof(fc.constant("v1"), fc.integer(), fc.constant("")), { nil: undefined }),
    kind: fc.option(fc.oneof(fc.constant("ConfigMap"), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })), { nil: undefined }),
    name: fc.option(fc.oneof(fc.constant("cm"), fc.integer()), { nil: undefined }),
    extra: fc.array(fc.tuple(key, fc.jsonValue({ maxDepth: 2 })), { maxLength: 4 }),
}).map(({ apiVersion, kind, name, extra }) => {
    const doc: Record<string, unknown> = {};
    for (const [k, v] of extra) if (!["apiVersion", "kind", "metadata"].includes(k)) Object.defineProperty(doc, k, { value: v, enumerable: true, writable: true, configurable: true });
    if (apiVersion !== undefined) doc["apiVersion"] = apiVersion;
    if (kind !== undefined) doc["kind"] = kind;
    if (name !== undefined) doc["metadata"] = { name };
    const valid = typeof apiVersion === "string" && apiVersion !== "" && typeof kind === "string" && typeof name === "string";
    return { text: JSON.stringify(doc), valid };
});

/** Documents that are not objects at all, or break a YAML rule or limit. */
const hostileDoc = fc.oneof(
    fc.jsonValue({ maxDepth: 1 }).filter((v) => v !== null && (typeof v !== "object" || Array.isArray(v))).map((v) => JSON.stringify(v)),
    fc.integer({ min: 101, max: 400 }).map((depth) => `${"[".repeat(depth)}${"]".repeat(depth)}`),
    fc.string({ minLength: 1, maxLength: 6 }).map((k) => `${JSON.stringify(k)}: 1\n${JSON.stringify(k)}: 2`),
    fc.integer({ min: 3, max: 6 }).map((levels) => {
        const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
        for (let i = 1; i < levels; i++) lines.push(`a${i}: &a${i} [${new Array(10).fill(i === 1 ? "*a" : `*a${i - 1}`).join(", ")}]`);
        return lines.join("\n");
    }),
    fc.constant("key: [unclosed"),
    fc.constant("*undefined-alias"),
);

/** A well-formed object with a huge name and a huge key: within the limits, so it is loaded (the pack judges it). */
const hugeDoc = fc.integer({ min: 1_000, max: 200_000 }).map((n) => ({ text: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "${"n".repeat(n)}"}\n? ${"k".repeat(n)}\n: 1`, valid: true }));

describe("cli: check never passes what it did not check (properties)", () => {
    let work: ReturnType<typeof tempDir>;
    before(() => { work = tempDir("check-properties"); });
    after(() => work.cleanup());

    it("random bytes and random text: refused with the file named, or every object well-formed; never a crash", () => {
        fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 300 })), (content) => {
            const outcome = load(work.dir, content);
            if ("problems" in outcome) assertProblemsNamed(outcome.problems);
            else assertWellFormed(outcome.loaded);
        }), { numRuns: 300 });
    });

    it("documents with missing or mistyped fields, prototype keys, non-mappings and limits: each bad document is named; the rest pass only when all are objects", () => {
        const doc = fc.oneof({ weight: 3, arbitrary: objectDoc }, { weight: 2, arbitrary: hostileDoc.map((text) => ({ text, valid: false })) }, { weight: 1, arbitrary: fc.constant({ text: "", valid: true }) }, { weight: 1, arbitrary: hugeDoc });
        fc.assert(fc.property(fc.array(doc, { minLength: 1, maxLength: 5 }), (docs) => {
            const outcome = load(work.dir, docs.map((d) => `---\n${d.text}\n`).join(""));
            const objects = docs.filter((d) => d.text !== "");
            if (docs.every((d) => d.valid) && objects.length > 0) {
                assert.ok("loaded" in outcome, JSON.stringify(outcome));
                assert.strictEqual(outcome.loaded.manifests.length, objects.length);
                assertWellFormed(outcome.loaded);
            } else if (objects.length > 0) {
                assert.ok("problems" in outcome, `expected a refusal: ${JSON.stringify(docs).slice(0, 500)}`);
                assertProblemsNamed(outcome.problems);
                const named = new Set(outcome.problems.map((p) => /^case\.yaml: document (\d+)/.exec(p)?.[1]).filter((n) => n !== undefined).map(Number));
                docs.forEach((d, i) => {
                    if (!d.valid && named.size > 0 && !outcome.problems.some((p) => p.includes("YAML documents, more than") || p.includes("more problem"))) {
                        assert.ok(named.has(i + 1), `document ${i + 1} not named in ${JSON.stringify(outcome.problems).slice(0, 500)}`);
                    }
                });
            }
            assert.strictEqual(({} as Record<string, unknown>)["name"], undefined);
            assert.strictEqual(Object.prototype.hasOwnProperty.call(Object.prototype, "apiVersion"), false);
        }), { numRuns: 150 });
    });

    it("the command itself: hostile input exits 2 with the file named and no stack trace", async () => {
        const cases: [string, string | Uint8Array][] = [
            ["binary.yaml", Uint8Array.from({ length: 64 }, (_, i) => (i * 37) % 256)],
            ["deep.yaml", `${"{a: ".repeat(5000)}1${"}".repeat(5000)}`],
            ["proto.yaml", "__proto__: {apiVersion: v1}\nconstructor: 1\n"],
        ];
        for (const [name, content] of cases) {
            fs.writeFileSync(path.join(work.dir, name), content);
            const { code, stdout, stderr } = await runCli(["check", name], work.dir);
            assert.strictEqual(code, 2, name);
            assert.strictEqual(stdout, "");
            assert.ok(stderr.startsWith(`meshguard check: cannot read the manifests:\n  ${name}: `), stderr);
            assert.doesNotMatch(stderr, /\n\s+at /);
        }
    });
});
