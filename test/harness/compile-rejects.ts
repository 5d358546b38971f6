import * as assert from "assert";
import { compileMeshPolicy } from "../../components/compile";
import { MeshguardValidationError } from "../../components/errors";
import { MeshPolicyInput } from "../../components/model";

/** Compiling `input` must fail with exactly these `path: message` lines, and nothing else. */
export function rejects(input: unknown, ...lines: string[]): void {
    assert.throws(
        () => compileMeshPolicy(input as MeshPolicyInput),
        (err: unknown) => {
            assert.ok(err instanceof MeshguardValidationError);
            assert.equal(err.message, ["invalid MeshPolicy input:", ...lines.map((l) => `  - ${l}`)].join("\n"));
            return true;
        },
    );
}
