import { AuthorizationSpecCompiler, CompiledAuthorizationSpec, compileAuthorizationSpec } from "../../components/istio";
import { isKnownCopy } from "./preview-values";

const compiled = new WeakMap<object, Map<string, CompiledAuthorizationSpec>>();

/**
 * `compileAuthorizationSpec`, once per spec of a reading: the AuthorizationPolicy policies of one
 * request (no-allow-all, safe-patterns: three compilations) judge the same spec, and a reading
 * without unknowns (preview-values.ts `isKnownCopy`) is shared by every policy of the request and
 * never changes, so it is kept per object, by identity (a WeakMap: as long as the request lives),
 * under the subject and namespace it was compiled with. Anything else (a spec with unknowns, which
 * is read through a strict view, or plain data) is compiled every time; a spec that fails to
 * compile is never kept, so each caller sees the error itself.
 */
export const compileOncePerReading: AuthorizationSpecCompiler = (spec, subject, namespace) => {
    if (!isKnownCopy(spec)) return compileAuthorizationSpec(spec, subject, namespace);
    const key = `${subject === undefined ? "" : `s:${subject}`}\u0000${namespace === undefined ? "" : `n:${namespace}`}`;
    let bySettings = compiled.get(spec);
    const hit = bySettings?.get(key);
    if (hit !== undefined) return hit;
    const value = compileAuthorizationSpec(spec, subject, namespace);
    if (bySettings === undefined) {
        bySettings = new Map();
        compiled.set(spec, bySettings);
    }
    bySettings.set(key, value);
    return value;
};
