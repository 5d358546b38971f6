/**
 * The throughput benchmark's instruments (bench/lib/pack-throughput.ts): the SDK floor pack must
 * do exactly the SDK's per-policy work of meshguard's pack and nothing else, or "meshguard's checks
 * alone" means nothing; the report and the CPU reader must say what was measured.
 */
import * as assert from "assert";
import { SDK_FLOOR_PACK_DIR, Throughput } from "../../bench/lib/pack-throughput";
import { processCpuMs, statCpuMs } from "../../bench/lib/process-cpu";
import { throughputSection } from "../../bench/lib/report";
import { syntheticStack } from "../../bench/policy-pack";
import { PolicyPackSession, startPolicyPack } from "../../components/analyzer";

describe("pack throughput benchmark: the SDK floor pack", function () {
    this.timeout(180_000);
    let meshguard: PolicyPackSession | undefined;
    let floor: PolicyPackSession | undefined;

    before(async () => {
        [meshguard, floor] = await Promise.all([startPolicyPack({ stack: "bench", project: "floor" }), startPolicyPack({ packDir: SDK_FLOOR_PACK_DIR, stack: "bench", project: "floor" })]);
        await Promise.all([meshguard.configure(), floor.configure()]);
    });
    after(async () => {
        await Promise.all([meshguard?.close(), floor?.close()]);
    });

    it("serves meshguard's policies: same names, levels and config schemas", async () => {
        const [ours, theirs] = await Promise.all([meshguard!.info(), floor!.info()]);
        assert.strictEqual(theirs.name, "sdk-floor");
        assert.deepStrictEqual(
            theirs.policies.map((p) => [p.name, p.enforcementLevel, p.configSchema]),
            ours.policies.map((p) => [p.name, p.enforcementLevel, p.configSchema]),
        );
    });

    it("says not applicable exactly where meshguard's pack does, with the same reasons, and reports nothing", async () => {
        // Two namespace blocks of the benchmark's stack: the first plants a PERMISSIVE PeerAuthentication.
        const stack = syntheticStack(24);
        let meshguardVerdicts = 0;
        for (const resource of stack) {
            const [ours, theirs] = await Promise.all([meshguard!.analyze(resource, stack), floor!.analyze(resource, stack)]);
            assert.deepStrictEqual(theirs.notApplicable, ours.notApplicable, resource.urn);
            assert.deepStrictEqual(theirs.verdicts, [], resource.urn);
            meshguardVerdicts += ours.verdicts.length;
        }
        // meshguard's pack does judge these resources: the floor's silence is its checks taken out.
        assert.ok(meshguardVerdicts > 0);
    });
});

describe("pack throughput benchmark: report and CPU reader", () => {
    const pass = (perSecond: number, packCpuMs: number | undefined) => ({ perSecond, packCpuMs });

    it("reports the target ratio, the SDK floor and meshguard's checks alone from per-run ratios", () => {
        const throughput: Throughput = {
            empty: [pass(3000, 2000), pass(2000, 2500)],
            sdkFloor: [pass(2400, 2500), pass(1520, 3000)],
            meshguard: [pass(2100, 3000), pass(1720, 3500)],
        };
        assert.strictEqual(
            throughputSection(throughput, 10_000),
            [
                "| stack resources | meshguard pack (resources / s) | empty pack: one no-op policy (resources / s) | meshguard / empty: resources / s | meshguard / empty: pack CPU (empty's over meshguard's) | target |  |",
                "|---:|---:|---:|---:|---:|---:|:---|",
                "| 10,000 | 1,910 | 2,500 | 0.78× | 0.69× | ≥ 0.8× (both) | NOT met |",
                "",
                "| pack | resources / s (median) | pack CPU per pass of 10,000 | / empty: resources / s | / empty: pack CPU (empty's over this pack's) |",
                "|:---|---:|---:|---:|---:|",
                "| empty pack: one no-op policy | 2,500 | 2.25 s | 1.00× | 1.00× |",
                "| SDK floor: meshguard's 29 policies with their checks taken out | 1,960 | 2.75 s | 0.78× | 0.82× |",
                "| meshguard's pack | 1,910 | 3.25 s | 0.78× | 0.69× |",
                "",
                "meshguard's checks alone, meshguard's pack against the SDK floor: 1.00× in resources / s, 0.85× in pack CPU.",
                "",
                "Ratios are medians of per-run ratios. Runs (resources / s, pack CPU per pass): empty 3,000 (2.00 s), 2,000 (2.50 s); sdkFloor 2,400 (2.50 s), 1,520 (3.00 s); meshguard 2,100 (3.00 s), 1,720 (3.50 s).",
            ].join("\n"),
        );
    });

    it("says 'met' only when both ratios reach 0.8×", () => {
        const verdict = (meshguard: ReturnType<typeof pass>) => /\| (met|NOT met) \|\n/.exec(throughputSection({ empty: [pass(1000, 1000)], sdkFloor: [pass(900, 1100)], meshguard: [meshguard] }, 10))?.[1];
        assert.strictEqual(verdict(pass(800, 1250)), "met");
        assert.strictEqual(verdict(pass(900, 1300)), "NOT met");
        assert.strictEqual(verdict(pass(790, 1000)), "NOT met");
    });

    it("judges the wall clock alone and leaves CPU ratios out when a pass has no CPU reading", () => {
        const throughput: Throughput = { empty: [pass(1000, undefined)], sdkFloor: [pass(900, undefined)], meshguard: [pass(800, undefined)] };
        const section = throughputSection(throughput, 10);
        assert.match(section, /\| 10 \| 800 \| 1,000 \| 0\.80× \| – \| ≥ 0\.8× \(both\) \| met \|/);
        assert.match(section, /\| meshguard's pack \| 800 \| – \| 0\.80× \| – \|/);
        assert.match(section, /0\.89× in resources \/ s, – in pack CPU/);
    });

    it("reads utime + stime from /proc/<pid>/stat, whatever the command name holds", () => {
        const fields = (name: string, utime: string, stime: string) => `4242 (${name}) S 1 4242 4242 0 -1 4194304 125 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 2886457`;
        assert.strictEqual(statCpuMs(fields("node", "150", "25")), 1750);
        assert.strictEqual(statCpuMs(fields("a) b (c", "3", "4")), 70);
        assert.strictEqual(statCpuMs(fields("node", "x", "4")), undefined);
        assert.strictEqual(statCpuMs("garbage"), undefined);
        assert.strictEqual(processCpuMs(undefined), undefined);
        // Above Linux's largest pid_max (2^22): no such process.
        assert.strictEqual(processCpuMs(2 ** 22 + 1), undefined);
        if (process.platform === "linux") {
            const own = processCpuMs(process.pid);
            assert.ok(own !== undefined && own >= 0);
        }
    });
});
