import { AuthorizationSpecCompiler, CompiledAuthorizationSpec, compileAuthorizationSpec } from "../../components/istio";
import { PreviewObject } from "./preview-object";
import { holdsUnknown } from "./preview-values";

const compiled = new WeakMap<PreviewObject, Map<string, CompiledAuthorizationSpec>>();

/**
 * `compileAuthorizationSpec` for the checks of one reading of an AuthorizationPolicy: its spec is
 * compiled once per subject and namespace and the result shared. The AuthorizationPolicy policies
 * of one request (no-allow-all, safe-patterns: three compilations) get the same reading
 * (reading-cache.ts), which no policy changes; so the compiled spec is kept per reading, by
 * identity (a WeakMap: as long as the request lives). Only the reading's own spec, and only when
 * the reading holds no unknown, is kept (a spec with unknowns is read through a strict view that
 * throws); anything else is compiled every time, and a spec that fails to compile is never kept,
 * so each caller sees the error itself.
 */
export function readingSpecCompiler(object: PreviewObject): AuthorizationSpecCompiler {
    return (spec, subject, namespace) => {
        if (spec !== object.values["spec"] || holdsUnknown(object.values)) return compileAuthorizationSpec(spec, subject, namespace);
        const key = `${subject === undefined ? "" : `s:${subject}`}\u0000${namespace === undefined ? "" : `n:${namespace}`}`;
        let bySettings = compiled.get(object);
        const hit = bySettings?.get(key);
        if (hit !== undefined) return hit;
        const value = compileAuthorizationSpec(spec, subject, namespace);
        if (bySettings === undefined) {
            bySettings = new Map();
            compiled.set(object, bySettings);
        }
        bySettings.set(key, value);
        return value;
    };
}
