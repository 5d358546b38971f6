import * as assert from "assert";
import { PROGRESS_THRESHOLD, progressLine } from "../../components/cli/progress";

function capture(stderrIsTTY: boolean): { io: Parameters<typeof progressLine>[0]; written: string[] } {
    const written: string[] = [];
    return { io: { stdout: () => undefined, stderr: (t) => written.push(t), cwd: "/", stderrIsTTY }, written };
}

describe("cli: progress line", () => {
    it("rewrites one line in place on a terminal and clears it at the end", () => {
        const { io, written } = capture(true);
        const progress = progressLine(io, "analyzing resources", 3);
        progress.update(1, 3);
        progress.update(3, 3);
        progress.finish();
        assert.deepStrictEqual(written, [
            "\ranalyzing resources: starting the policy pack",
            "\r\x1b[Kanalyzing resources 1/3",
            "\r\x1b[Kanalyzing resources 3/3",
            "\r\x1b[K",
        ]);
    });

    it("without a terminal: silent for small runs, one line per quarter for many resources", () => {
        const small = capture(false);
        const quiet = progressLine(small.io, "analyzing resources", PROGRESS_THRESHOLD - 1);
        quiet.update(1, PROGRESS_THRESHOLD - 1);
        quiet.finish();
        assert.deepStrictEqual(small.written, []);
        const big = capture(false);
        const progress = progressLine(big.io, "analyzing resources", 100);
        for (let done = 1; done <= 100; done++) progress.update(done, 100);
        progress.finish();
        assert.deepStrictEqual(big.written, [
            "analyzing resources: starting the policy pack (100)\n",
            "analyzing resources 1/100\n",
            "analyzing resources 25/100\n",
            "analyzing resources 50/100\n",
            "analyzing resources 75/100\n",
            "analyzing resources 100/100\n",
        ]);
    });
});
