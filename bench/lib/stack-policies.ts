/**
 * The pack's stack policies called in process, with arguments built the way @pulumi/policy's
 * analyzer server builds them (wire-encoded props behind the SDK's unknown-checking proxy, parents
 * linked, schema defaults as config): the policies' own time, without gRPC and SDK decoding.
 */
import { PolicyResource, StackValidationArgs, StackValidationPolicy, unknownCheckingProxy } from "@pulumi/policy";
import { toAnalyzerValue } from "../../components/analyzer/wire-encoding";
import { RegisteredResource } from "../../components/offline/recorder";
import { meshguardPolicies } from "../../policy-pack/policies";
import { gc, timeOnce } from "./stats";

// A disabled policy does not run in the Pulumi engine, so it is not part of what the pack costs.
export const stackPolicies: readonly StackValidationPolicy[] = meshguardPolicies.filter((p): p is StackValidationPolicy => "validateStack" in p && p.enforcementLevel !== "disabled");

function defaults(policy: StackValidationPolicy): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (schema !== null && typeof schema === "object" && "default" in schema) out[key] = structuredClone((schema as { default: unknown }).default);
    }
    return out;
}

/** The `resources` a stack policy receives (fresh proxies, as the SDK builds them per policy). */
export function policyResources(resources: readonly RegisteredResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const out = resources.map((r) => {
        const resource: PolicyResource = {
            type: r.type,
            name: r.name,
            urn: r.urn,
            props: unknownCheckingProxy(toAnalyzerValue(r.inputs) as Record<string, unknown>) as Record<string, unknown>,
            opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        };
        byUrn.set(r.urn, resource);
        return resource;
    });
    resources.forEach((r, i) => {
        const parent = r.parent === undefined ? undefined : byUrn.get(r.parent);
        if (parent !== undefined) out[i].parent = parent;
    });
    return out;
}

/** Runs one stack policy; returns its violation count. */
export async function runStackPolicy(policy: StackValidationPolicy, resources: PolicyResource[]): Promise<number> {
    let violations = 0;
    const config = defaults(policy);
    const args: StackValidationArgs = {
        resources,
        stackTags: new Map(),
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`not applicable: ${reason ?? ""}`);
        },
    };
    await policy.validateStack(args, () => {
        violations++;
    });
    return violations;
}

/** One timed run of a stack policy on fresh arguments (built, then a full GC, outside the timing). */
export async function timeStackPolicy(policy: StackValidationPolicy, resources: readonly RegisteredResource[]): Promise<{ wallMs: number; violations: number }> {
    const args = policyResources(resources);
    gc();
    const { sample, result } = await timeOnce(() => runStackPolicy(policy, args));
    return { wallMs: sample.wallMs, violations: result };
}
