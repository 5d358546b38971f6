/**
 * Argument builders that mirror how @pulumi/policy 1.21's analyzer server (server.js) calls a
 * policy: props deserialized (secrets unwrapped, the unknown sentinel kept) and wrapped in the
 * SDK's unknown-checking proxy; config = the schema defaults the CLI sends, overlaid by the test's;
 * `notApplicable` throws; UnknownValueError becomes an advisory "can't run ... during preview";
 * string violations are prefixed with the policy description; remediate runs as mandatory.
 */
import {
    EnforcementLevel,
    Policies,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
    unknownCheckingProxy,
    UnknownValueError,
} from "@pulumi/policy";
import { K8sManifest } from "../../components/manifest";
import { UNKNOWN_SENTINEL } from "../../components/offline";
import { meshguardPolicies } from "../../policy-pack/policies";
import packageJson from "../../policy-pack/package.json";

export const PACK_NAME = "meshguard";
/** The SDK reads the pack version from the pack's package.json. */
export const PACK_VERSION: string = packageJson.version;
export const UNKNOWN = UNKNOWN_SENTINEL;
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

export interface TestResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly inputs: Record<string, unknown>;
    readonly parent?: string;
    readonly dependencies?: readonly string[];
    readonly provider?: { type: string; name: string; urn: string; inputs: Record<string, unknown> };
}

export interface Verdict {
    readonly policyName: string;
    readonly message: string;
    readonly enforcementLevel: string;
    readonly urn?: string;
}

export interface PolicyRun {
    readonly violations: Verdict[];
    readonly notApplicable?: string;
}

const STACK_URN = "urn:pulumi:test::meshguard-test::pulumi:pulumi:Stack::meshguard-test-test";

/** A resource of any type; URN parented to the test stack. */
export function resource(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<TestResource> = {}): TestResource {
    return { type, name, urn: `urn:pulumi:test::meshguard-test::pulumi:pulumi:Stack$${type}::${name}`, inputs, parent: STACK_URN, ...extra };
}

/** A Kubernetes object as the provider registers it: type `kubernetes:<group>/<version>:<Kind>`. */
export function k8s(manifest: K8sManifest | Record<string, unknown>, extra: Partial<TestResource> = {}): TestResource {
    const m = manifest as K8sManifest;
    const apiVersion = m.apiVersion.includes("/") ? m.apiVersion : `core/${m.apiVersion}`;
    const name = m.metadata?.name ?? "unnamed";
    return resource(`kubernetes:${apiVersion}:${m.kind}`, `${m.metadata?.namespace ?? "_"}-${name}`, manifest as Record<string, unknown>, extra);
}

/** The schema defaults of a policy, as `pulumi preview` sends them in Configure. */
export function defaultConfig(policy: { configSchema?: { properties: Record<string, unknown> } }): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (schema !== null && typeof schema === "object" && "default" in schema) out[key] = structuredClone((schema as { default: unknown }).default);
    }
    return out;
}

function deserialize(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(deserialize);
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG_KEY] === SECRET_SIG) return deserialize(obj["value"]);
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, deserialize(v)]));
    }
    return value;
}

const proxied = (inputs: Record<string, unknown>) => unknownCheckingProxy(deserialize(inputs)) as Record<string, unknown>;

class NotApplicable extends Error {
    constructor(readonly reason: string) {
        super(reason);
    }
}
const throwNotApplicable = (reason?: string): never => {
    throw new NotApplicable(reason ?? "");
};

function options(parent?: string): PolicyResourceOptions {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(parent === undefined ? {} : { parent }),
    };
}

interface PolicyLike {
    name: string;
    description: string;
    enforcementLevel?: EnforcementLevel;
    configSchema?: { properties: Record<string, unknown> };
}

type ConfigOverride = Record<string, unknown> & { enforcementLevel?: EnforcementLevel };

function levelOf(policy: PolicyLike, config: ConfigOverride): EnforcementLevel {
    const level = config.enforcementLevel ?? policy.enforcementLevel ?? "mandatory";
    return level === "remediate" ? "mandatory" : level;
}

function reporter(policy: PolicyLike, level: EnforcementLevel, out: Verdict[], defaultUrn?: string) {
    return (message: string | { message: string; urn?: string; enforcementLevel?: string }, urn?: string) => {
        if (typeof message === "object") {
            out.push({ policyName: policy.name, message: message.message, enforcementLevel: message.enforcementLevel ?? level, urn: message.urn });
        } else {
            out.push({ policyName: policy.name, message: `${policy.description}\n${message}`, enforcementLevel: level, urn: urn ?? defaultUrn });
        }
    };
}

function unknownVerdict(policy: PolicyLike, err: UnknownValueError): Verdict {
    return {
        policyName: policy.name,
        message: `can't run policy '${policy.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}' during preview: ${err.message}`,
        enforcementLevel: "advisory",
    };
}

async function guarded(policy: PolicyLike, out: Verdict[], run: () => unknown): Promise<string | undefined> {
    try {
        await run();
    } catch (err) {
        if (err instanceof NotApplicable) return err.reason;
        if (err instanceof UnknownValueError) {
            out.push(unknownVerdict(policy, err));
            return undefined;
        }
        throw err;
    }
    return undefined;
}

/** Runs one resource policy on one resource, as the analyzer's Analyze RPC does. */
export async function runResourcePolicy(policy: ResourceValidationPolicy, target: TestResource, config: ConfigOverride = {}): Promise<PolicyRun> {
    const violations: Verdict[] = [];
    const level = levelOf(policy, config);
    if (level === "disabled") return { violations, notApplicable: "disabled" };
    const { enforcementLevel: _level, ...properties } = config;
    const props = proxied(target.inputs);
    const args: ResourceValidationArgs = {
        type: target.type,
        props,
        urn: target.urn,
        name: target.name,
        opts: options(target.parent),
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => ({ ...defaultConfig(policy), ...properties }) as T,
        notApplicable: throwNotApplicable,
        ...(target.provider === undefined
            ? {}
            : { provider: { type: target.provider.type, name: target.provider.name, urn: target.provider.urn, props: proxied(target.provider.inputs) } }),
    };
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : policy.validateResource ? [policy.validateResource] : [];
    let notApplicable: string | undefined;
    for (const validate of validations) {
        notApplicable = (await guarded(policy, violations, () => validate(args, reporter(policy, level, violations)))) ?? notApplicable;
    }
    return { violations, notApplicable };
}

/** Runs one stack policy over resources, linking parents and dependencies as AnalyzeStack does. */
export async function runStackPolicy(policy: StackValidationPolicy, targets: readonly TestResource[], config: ConfigOverride = {}): Promise<PolicyRun> {
    const violations: Verdict[] = [];
    const level = levelOf(policy, config);
    if (level === "disabled") return { violations, notApplicable: "disabled" };
    const { enforcementLevel: _level, ...properties } = config;
    const byUrn = new Map<string, PolicyResource>();
    const resources = targets.map((t) => {
        const r: PolicyResource = {
            type: t.type,
            props: proxied(t.inputs),
            urn: t.urn,
            name: t.name,
            opts: options(t.parent),
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
            ...(t.provider === undefined ? {} : { provider: { type: t.provider.type, name: t.provider.name, urn: t.provider.urn, props: proxied(t.provider.inputs) } }),
        };
        byUrn.set(t.urn, r);
        return r;
    });
    targets.forEach((t, i) => {
        const parent = t.parent === undefined ? undefined : byUrn.get(t.parent);
        if (parent !== undefined) resources[i].parent = parent;
        resources[i].dependencies = (t.dependencies ?? []).map((d) => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined);
    });
    const notApplicable = await guarded(policy, violations, () =>
        policy.validateStack(
            {
                resources,
                stackTags: new Map(),
                getConfig: <T extends object>() => ({ ...defaultConfig(policy), ...properties }) as T,
                notApplicable: throwNotApplicable,
            },
            reporter(policy, level, violations),
        ),
    );
    return { violations, notApplicable };
}

const isStackPolicy = (p: Policies[number]): p is StackValidationPolicy => "validateStack" in p;

/** The whole pack over a stack: every resource policy on every resource, then every stack policy. */
export async function runPack(targets: readonly TestResource[], config: Record<string, ConfigOverride> = {}): Promise<Verdict[]> {
    const out: Verdict[] = [];
    for (const policy of meshguardPolicies) {
        if (isStackPolicy(policy)) continue;
        for (const target of targets) {
            out.push(...(await runResourcePolicy(policy, target, config[policy.name])).violations.map((v) => ({ ...v, urn: v.urn ?? target.urn })));
        }
    }
    for (const policy of meshguardPolicies) {
        if (isStackPolicy(policy)) out.push(...(await runStackPolicy(policy, targets, config[policy.name])).violations);
    }
    return out;
}

/** The names of the policies a run violated, sorted and unique. */
export function violatedPolicies(verdicts: readonly Verdict[]): string[] {
    return [...new Set(verdicts.map((v) => v.policyName))].sort();
}

/** The message a policy wrote (without the description prefix the SDK adds). */
export function ownMessage(verdict: Verdict): string {
    const newline = verdict.message.indexOf("\n");
    return newline < 0 ? verdict.message : verdict.message.slice(newline + 1);
}

export function policyNamed<T extends Policies[number]>(name: string): T {
    const found = meshguardPolicies.find((p) => p.name === name);
    if (found === undefined) throw new Error(`no policy ${name}`);
    return found as T;
}
