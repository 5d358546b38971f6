import { AuthzActionName, notePruned, readAction, readList, readRecord, readStrings, SpecReadContext } from "./authz-spec";
import { compileRule, CompiledRule } from "./authz-rule";

/** An AuthorizationPolicy spec compiled for evaluation. */
export interface CompiledAuthorizationSpec {
    readonly action: AuthzActionName;
    /** CUSTOM only: the extension provider that decides. */
    readonly provider?: string;
    /** `selector.matchLabels`; undefined = every workload of the namespace (mesh-wide in the root namespace). */
    readonly matchLabels?: Readonly<Record<string, string>>;
    /** True when the policy targets gateways/waypoints (`targetRef`/`targetRefs`), not sidecar workloads. */
    readonly targeted: boolean;
    /** undefined or empty: the policy matches nothing. */
    readonly rules: readonly CompiledRule[];
    /** Unknown fields the API server would prune, e.g. `spec.rules[0].from[0].source.principal`. */
    readonly pruned: readonly string[];
    /**
     * True when the spec holds a bare service account (`sa`, which means `<namespace>/sa`): only
     * then does compiling it with another namespace (or none) give another result.
     */
    readonly namespaceDependent: boolean;
}

/**
 * `compileAuthorizationSpec` or a stand-in returning exactly what it returns (a caller that keeps
 * compiled specs for objects it knows do not change, e.g. the policy pack within one request).
 */
export type AuthorizationSpecCompiler = (spec: unknown, subject?: string, namespace?: string) => CompiledAuthorizationSpec;

const SPEC_FIELDS = ["selector", "targetRef", "targetRefs", "action", "provider", "rules"];

/**
 * Compiles an AuthorizationPolicy spec. `subject` names the policy in errors
 * (`AuthorizationPolicy "ns/name"`); `namespace` is the policy's namespace when known (a bare
 * `serviceAccounts` value refers to it). Throws MeshguardValidationError on malformed shapes.
 */
export function compileAuthorizationSpec(spec: unknown, subject = "AuthorizationPolicy spec", namespace?: string): CompiledAuthorizationSpec {
    const ctx: SpecReadContext = { subject, pruned: [], namespace };
    const record = readRecord(spec, "spec", ctx) ?? {};
    notePruned(record, SPEC_FIELDS, "spec", ctx);
    const action = readAction(record, ctx);
    const provider = readRecord(record["provider"], "spec.provider", ctx)?.["name"];
    const rules = (readList(record["rules"], "spec.rules", ctx) ?? []).map((rule, i) => compileRule(rule, i, action, ctx));
    return {
        action,
        provider: typeof provider === "string" ? provider : undefined,
        matchLabels: readMatchLabels(record["selector"], "spec.selector", ctx),
        targeted: record["targetRef"] !== undefined || record["targetRefs"] !== undefined,
        rules,
        pruned: ctx.pruned,
        namespaceDependent: ctx.namespaceDependent === true,
    };
}

/** `selector.matchLabels` of an Istio WorkloadSelector; undefined when there is no selector. */
export function readMatchLabels(selector: unknown, path: string, ctx: SpecReadContext): Record<string, string> | undefined {
    const record = readRecord(selector, path, ctx);
    if (record === undefined) return undefined;
    notePruned(record, ["matchLabels"], path, ctx);
    const labels = readRecord(record["matchLabels"], `${path}.matchLabels`, ctx) ?? {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels)) {
        out[k] = readStrings([v], `${path}.matchLabels.${k}`, ctx)[0];
    }
    return out;
}

/** True when every selector label is on the workload (an empty selector selects everything). */
export function selectorMatches(matchLabels: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
    if (matchLabels === undefined) return true;
    for (const [k, v] of Object.entries(matchLabels)) {
        if (labels[k] !== v) return false;
    }
    return true;
}
