import * as assert from "assert";
import { parseArgs } from "../../components/cli/args";

describe("cli: argument parsing", () => {
    const spec = { stack: "string", quiet: "boolean" } as const;

    it("reads string options in both forms, booleans, -h and positionals", () => {
        assert.deepStrictEqual(parseArgs(["dir", "--stack", "prod", "--quiet"], spec), { options: { stack: "prod", quiet: true }, positionals: ["dir"] });
        assert.deepStrictEqual(parseArgs(["--stack=prod", "-h"], spec), { options: { stack: "prod", help: true }, positionals: [] });
        assert.deepStrictEqual(parseArgs(["--", "--stack"], spec), { options: {}, positionals: ["--stack"] });
    });

    it("rejects unknown options, missing values and values for booleans", () => {
        assert.throws(() => parseArgs(["--stak", "x"], spec), { name: "UsageError", message: "unknown option --stak" });
        assert.throws(() => parseArgs(["-q"], spec), { name: "UsageError", message: "unknown option -q" });
        assert.throws(() => parseArgs(["--stack"], spec), { name: "UsageError", message: "option --stack needs a value" });
        assert.throws(() => parseArgs(["--quiet=yes"], spec), { name: "UsageError", message: "option --quiet takes no value" });
    });
});
