import { K8sManifest } from "../manifest";
import { RegisteredResource } from "../offline/recorder";
import { timing } from "../timings";
import { PackProcess } from "./pack-process";
import { PolicyPackSession, startPolicyPack } from "./session";
import { PolicyPackRunOptions, PolicyPackRunResult, PolicyVerdict } from "./types";

/** How many Analyze calls are in flight at once (the engine also analyzes steps in parallel). */
const IN_FLIGHT = 8;

/**
 * Runs a policy pack over a stack's resources exactly as `pulumi preview --policy-pack` does:
 * start the pack, Configure it, Analyze every resource (its inputs), then AnalyzeStack once over
 * all of them. The pack process is always stopped, also on failure.
 */
export async function runPolicyPack(resources: readonly RegisteredResource[], options: PolicyPackRunOptions & LaunchedPack = {}): Promise<PolicyPackRunResult> {
    const { stack, project } = stackOf(resources);
    const connected = options.connected === undefined ? undefined : await options.connected;
    let session: PolicyPackSession;
    if (connected !== undefined && connected.stack === (stack ?? "") && connected.project === (project ?? "")) {
        session = connected.session;
    } else {
        await connected?.session.close();
        session = await startPolicyPack({ packDir: options.packDir, stack, project, launched: connected === undefined ? options.launched : undefined });
    }
    try {
        return await analyzeStackWith(session, resources, options);
    } finally {
        await session.close();
    }
}

/**
 * One preview's worth of analysis on an already running pack (several stacks can share one
 * pack process): Configure, Analyze each resource, AnalyzeStack once.
 */
export async function analyzeStackWith(
    session: PolicyPackSession,
    resources: readonly RegisteredResource[],
    options: Pick<PolicyPackRunOptions, "config" | "onProgress"> = {},
): Promise<PolicyPackRunResult> {
    timing("policy pack connected");
    const info = await session.info();
    await session.configure(options.config ?? {});
    timing("policy pack configured");
    const perResource: PolicyVerdict[][] = new Array(resources.length);
    let next = 0;
    let done = 0;
    const worker = async () => {
        while (next < resources.length) {
            const index = next++;
            perResource[index] = (await session.analyze(resources[index], resources)).verdicts;
            options.onProgress?.(++done, resources.length);
        }
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, resources.length) }, worker));
    timing("Analyze done");
    const stackVerdicts = (await session.analyzeStack(resources)).verdicts;
    timing("AnalyzeStack done");
    return {
        verdicts: [...perResource.flat(), ...stackVerdicts],
        policies: info.policies.map((p) => ({ name: p.name, description: p.description, enforcementLevel: p.enforcementLevel })),
        analyzed: resources.length,
    };
}

/** A pack process started beforehand (launchPolicyPack), used instead of starting one. */
export interface LaunchedPack {
    launched?: Promise<PackProcess>;
    /**
     * A session already connected to it (handshake and ConfigureStack done while the caller ran
     * the program), used when its stack and project are those of the resources' URNs.
     */
    connected?: Promise<ConnectedSession>;
}

export interface ConnectedSession {
    readonly session: PolicyPackSession;
    readonly stack: string;
    readonly project: string;
}

/** Stack and project from the URNs (`urn:pulumi:<stack>::<project>::...`). */
function stackOf(resources: readonly RegisteredResource[]): { stack?: string; project?: string } {
    const match = resources.length === 0 ? null : /^urn:pulumi:([^:]*)::([^:]*)::/.exec(resources[0].urn);
    return match === null ? {} : { stack: match[1], project: match[2] };
}

/** The stack and project `analyzeManifests` puts in the URNs it synthesises. */
export const MANIFEST_STACK = "manifests";
export const MANIFEST_PROJECT = "meshguard-check";

/**
 * Checks plain Kubernetes objects (e.g. `meshguard check FILE.yaml`): each becomes a resource of
 * type `kubernetes:<apiVersion>:<Kind>` (core objects: `kubernetes:core/v1:<Kind>`) whose inputs are
 * the object, parented to a synthetic stack, as a YAML ConfigFile's children would be.
 */
export async function analyzeManifests(manifests: readonly K8sManifest[], options: PolicyPackRunOptions & LaunchedPack = {}): Promise<PolicyPackRunResult> {
    return runPolicyPack(manifestResources(manifests), options);
}

export function manifestResources(manifests: readonly K8sManifest[]): RegisteredResource[] {
    const stackType = "pulumi:pulumi:Stack";
    const stackName = `${MANIFEST_PROJECT}-${MANIFEST_STACK}`;
    const stackUrn = `urn:pulumi:${MANIFEST_STACK}::${MANIFEST_PROJECT}::${stackType}::${stackName}`;
    const seen = new Map<string, number>();
    const resources: RegisteredResource[] = [
        { urn: stackUrn, type: stackType, name: stackName, custom: false, remote: false, dependencies: [], propertyDependencies: {}, inputs: {} },
    ];
    for (const manifest of manifests) {
        const apiVersion = manifest.apiVersion.includes("/") ? manifest.apiVersion : `core/${manifest.apiVersion}`;
        const type = `kubernetes:${apiVersion}:${manifest.kind}`;
        const base = manifest.metadata.namespace === undefined ? manifest.metadata.name : `${manifest.metadata.namespace}/${manifest.metadata.name}`;
        const count = (seen.get(`${type}::${base}`) ?? 0) + 1;
        seen.set(`${type}::${base}`, count);
        const name = count === 1 ? base : `${base}#${count}`;
        resources.push({
            urn: `urn:pulumi:${MANIFEST_STACK}::${MANIFEST_PROJECT}::${stackType}$${type}::${name}`,
            type,
            name,
            custom: true,
            remote: false,
            parent: stackUrn,
            dependencies: [],
            propertyDependencies: {},
            inputs: JSON.parse(JSON.stringify(manifest)) as Record<string, unknown>,
        });
    }
    return resources;
}
