import { strict as assert } from "assert";
import { createHash } from "crypto";
import { childResourceName, MAX_NAME_LENGTH, stableName } from "../../components/compile/naming";

describe("stableName", () => {
    it("joins the parts and keeps short names as they are", () => {
        assert.equal(stableName(["backend", "allow"]), "backend-allow");
        assert.equal(stableName(["x".repeat(57), "allow"]).length, 63);
        assert.equal(stableName(["x".repeat(57), "allow"]), `${"x".repeat(57)}-allow`);
    });

    it("cuts long names to 63 characters and appends 8 hex characters of the SHA-256 of the full name", () => {
        const full = `${"a".repeat(60)}-allow`;
        const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
        assert.equal(stableName(["a".repeat(60), "allow"]), `${"a".repeat(54)}-${hash}`);
        assert.equal(stableName(["a".repeat(60), "allow"]).length, MAX_NAME_LENGTH);
    });

    it("never ends the cut part with a separator", () => {
        const name = stableName([`${"b".repeat(53)}-cccccccccc`, "allow"]);
        assert.match(name, /^b{53}-[0-9a-f]{8}$/);
    });

    it("keeps distinct long names distinct, and the same input stable", () => {
        const names = new Set<string>();
        for (let i = 0; i < 2000; i++) names.add(stableName([`${"s".repeat(60)}${i}`, "allow"]));
        assert.equal(names.size, 2000);
        assert.equal(stableName(["s".repeat(70)]), stableName(["s".repeat(70)]));
    });

    it("honours a custom maximum and refuses one too small for the hash", () => {
        assert.equal(stableName(["abcdefghijkl", "mnop"], 12).length, 12);
        assert.throws(() => stableName(["a"], 9), /maxLength must be at least 10/);
    });
});

describe("childResourceName", () => {
    it("is <component>-<namespace>/<name>, so objects in different namespaces never collide", () => {
        assert.equal(childResourceName("mesh", "team-a", "x-allow"), "mesh-team-a/x-allow");
        assert.notEqual(childResourceName("mesh", "team-a", "x-allow"), childResourceName("mesh", "team", "a-x-allow"));
        assert.equal(childResourceName("mesh", undefined, "cluster-wide"), "mesh-cluster-wide");
    });

    it("is bounded like stableName", () => {
        assert.match(childResourceName("mesh", "n".repeat(40), "o".repeat(40)), /^mesh-n{40}\/o{8}-[0-9a-f]{8}$/);
    });
});
