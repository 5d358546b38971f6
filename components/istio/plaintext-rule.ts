import { MeshguardValidationError } from "../errors";
import { AuthorizationSpecCompiler, compileAuthorizationSpec } from "./authz-policy";
import { CompiledRule } from "./authz-rule";

/**
 * Whether an ALLOW rule admits only plaintext callers, and only on ports it names: every source
 * carries `notPrincipals` with `*`, and every operation lists `ports`. `principals: ["*"]` is any
 * authenticated peer (istio pilot/pkg/security/authz/matcher/string.go `StringMatcherWithPrefix`:
 * `*` → regex `.+` on the mTLS principal, which a plaintext connection never has), so its negation
 * matches exactly the connections without an mTLS identity. Such a rule can only take effect on a
 * port that accepts plaintext (a STRICT port refuses the connection first), so its verdict belongs
 * to the mTLS mode of those ports: PERMISSIVE ports are judged with their NetworkPolicy guard
 * (the pack's peer-authentication-permissive-port-guarded), weaker modes by the mTLS policies.
 * This is the rule MeshPolicy emits for `outOfMesh` callers (components/compile/out-of-mesh.ts).
 */
export function admitsOnlyPlaintextOnNamedPorts(rule: CompiledRule): boolean {
    if (rule.from === undefined || rule.from.length === 0 || rule.to === undefined || rule.to.length === 0) return false;
    const plaintextOnly = rule.from.every((source) => source.some((c) => c.semantics.key === "principals" && c.notValues.includes("*")));
    const namedPorts = rule.to.every((operation) => operation.some((c) => c.semantics.key === "ports" && c.values.length > 0));
    return plaintextOnly && namedPorts;
}

/** Indexes of the ALLOW rules of `spec` that admit only plaintext callers on named ports (none for a malformed spec). */
export function plaintextOnlyRules(spec: unknown, compile: AuthorizationSpecCompiler = compileAuthorizationSpec): Set<number> {
    let compiled;
    try {
        compiled = compile(spec);
    } catch (err) {
        if (err instanceof MeshguardValidationError) return new Set();
        throw err;
    }
    if (compiled.action !== "ALLOW") return new Set();
    return new Set(compiled.rules.filter(admitsOnlyPlaintextOnNamedPorts).map((r) => r.index));
}
