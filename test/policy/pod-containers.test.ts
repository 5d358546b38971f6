/**
 * podContainers keeps the list it made for a pod spec behind the SDK's proxy (the template reading
 * is shared per request) and reads a plain object every time.
 */
import { strict as assert } from "assert";
import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import { podContainers } from "../../policy-pack/lib/workload";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkProxy = require("@pulumi/policy/proxy") as Record<string, unknown>;

const plainView = (list: ReturnType<typeof podContainers>) => list.map(({ list: l, index, container }) => ({ list: l, index, name: container["name"] }));

describe("policy pack: podContainers", () => {
    it("lists a proxied spec's containers once, as a plain read lists them", () => {
        const raw = { containers: [{ name: "app" }, { name: "proxy" }], initContainers: [{ name: "init" }] };
        const spec = unknownCheckingProxy(raw) as Record<string, unknown>;
        const first = podContainers(spec);
        assert.deepEqual(plainView(first), [
            { list: "containers", index: 0, name: "app" },
            { list: "containers", index: 1, name: "proxy" },
            { list: "initContainers", index: 0, name: "init" },
        ]);
        assert.equal(podContainers(spec), first);
        assert.deepEqual(plainView(first), plainView(podContainers(raw)));
    });

    it("reads a plain spec every time (a caller may still change it)", () => {
        const spec: Record<string, unknown> = { containers: [{ name: "app" }] };
        assert.deepEqual(plainView(podContainers(spec)), [{ list: "containers", index: 0, name: "app" }]);
        spec["ephemeralContainers"] = [{ name: "debug" }];
        assert.deepEqual(plainView(podContainers(spec)), [
            { list: "containers", index: 0, name: "app" },
            { list: "ephemeralContainers", index: 0, name: "debug" },
        ]);
    });

    it("keeps nothing when the list is unknown at preview: every call throws the SDK's error", () => {
        const spec = unknownCheckingProxy({ containers: sdkProxy["unknownArrayValue"] }) as Record<string, unknown>;
        assert.throws(() => podContainers(spec), UnknownValueError);
        assert.throws(() => podContainers(spec), UnknownValueError);
    });
});
