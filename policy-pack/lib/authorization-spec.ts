import { AuthorizationSpecCompiler, CompiledAuthorizationSpec, compileAuthorizationSpec } from "../../components/istio";
import { PreviewObject } from "./preview-object";
import { holdsUnknown } from "./preview-values";

const compiled = new WeakMap<PreviewObject, Map<string, CompiledAuthorizationSpec>>();

/**
 * `compileAuthorizationSpec` for the checks of one reading of an AuthorizationPolicy: its spec is
 * compiled once per subject and namespace and the result shared. The AuthorizationPolicy policies
 * of one request (no-allow-all, safe-patterns: three compilations) get the same reading
 * (reading-cache.ts), which no policy changes; so the compiled spec is kept per reading, by
 * identity (a WeakMap: as long as the request lives). A spec without a bare service account reads
 * the same in every namespace (`namespaceDependent`), so it is compiled once for all of them.
 * Only the reading's own spec, and only when the reading holds no unknown, is kept (a spec with
 * unknowns is read through a strict view that throws); anything else is compiled every time, and
 * a spec that fails to compile is never kept, so each caller sees the error itself.
 */
export function readingSpecCompiler(object: PreviewObject): AuthorizationSpecCompiler {
    const compile: AuthorizationSpecCompiler = (spec, subject, namespace) => {
        if (spec !== object.values["spec"] || holdsUnknown(object.values)) return compileAuthorizationSpec(spec, subject, namespace);
        const key = settingsKey(subject, namespace);
        const hit = compiled.get(object)?.get(key);
        if (hit !== undefined) return hit;
        const value = namespace === undefined ? compileAuthorizationSpec(spec, subject) : compileInNamespace(compile, spec, subject, namespace);
        let bySettings = compiled.get(object);
        if (bySettings === undefined) {
            bySettings = new Map();
            compiled.set(object, bySettings);
        }
        bySettings.set(key, value);
        return value;
    };
    return compile;
}

/** The spec compiled without a namespace when the namespace cannot change it (no bare service account). */
function compileInNamespace(compile: AuthorizationSpecCompiler, spec: unknown, subject: string | undefined, namespace: string): CompiledAuthorizationSpec {
    let bare: CompiledAuthorizationSpec | undefined;
    try {
        bare = compile(spec, subject);
    } catch {
        // A malformed spec: compiled below with the namespace, which throws its own error.
    }
    return bare !== undefined && !bare.namespaceDependent ? bare : compileAuthorizationSpec(spec, subject, namespace);
}

function settingsKey(subject: string | undefined, namespace: string | undefined): string {
    return `${subject === undefined ? "" : `s:${subject}`}\u0000${namespace === undefined ? "" : `n:${namespace}`}`;
}
