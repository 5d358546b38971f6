import * as pulumi from "@pulumi/pulumi";
import { isHelmResource } from "../kube";
import { UNKNOWN_SENTINEL } from "./wire-values";

/** One resource registration exactly as the Pulumi engine would receive it. */
export interface RegisteredResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** false for component resources (including remote components such as helm.v4.Chart). */
    readonly custom: boolean;
    readonly remote: boolean;
    /** Parent URN; undefined only for the stack itself. */
    readonly parent?: string;
    /** Provider reference (`urn::id`), when one was given explicitly or inherited. */
    readonly provider?: string;
    /** URNs this resource depends on (explicit dependsOn plus input dependencies). */
    readonly dependencies: readonly string[];
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    /** Inputs in Pulumi's wire encoding (unknowns, secrets and references as the engine sees them). */
    readonly inputs: Record<string, unknown>;
    readonly id?: string;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getCustom(): boolean;
    getRemote(): boolean;
    getParent(): string;
    getProvider(): string;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface RegisterResponse {
    getUrn(): string;
    getId(): string;
}

type Callback = (err: unknown, resp?: RegisterResponse) => void;

interface OutputsRequest {
    getUrn(): string;
    getOutputs(): { toJavaScript(): unknown } | undefined;
}

interface MockMonitorLike {
    registerResource(req: RegisterRequest, callback: Callback): Promise<void>;
    registerResourceOutputs(req: OutputsRequest, callback: (err: unknown, resp?: unknown) => void): void;
    /** The SDK mock monitor's record of every resource (runtime/mocks.js). */
    readonly resources: Map<string, { state: unknown }>;
}

export interface OfflineRuntimeOptions {
    project: string;
    stack: string;
    /** Mirrors `pulumi preview` (true, default) or `pulumi up` (false). */
    preview?: boolean;
    /** Stack configuration, keys as `project:key`. */
    config?: Record<string, string>;
}

/**
 * Records every registration of a program run under the SDK's mock runtime. `install` may be
 * called again to start a fresh run (new project, stack, empty record).
 */
export class OfflineRecorder {
    private readonly registered: RegisteredResource[] = [];
    private readonly invoked: string[] = [];

    /** Registrations in the order the program made them. */
    get resources(): readonly RegisteredResource[] {
        return this.registered;
    }

    /** Provider function tokens the program invoked (every one fails offline), in call order. */
    get invokes(): readonly string[] {
        return this.invoked;
    }

    /** Forgets what was recorded (the mock runtime stays installed). */
    reset(): void {
        this.registered.length = 0;
        this.invoked.length = 0;
    }

    /**
     * Installs the mock runtime and hooks its monitor so every registration is recorded. `sdk` is
     * the `@pulumi/pulumi` module instance the program will load (its runtime state is per copy).
     */
    async install(options: OfflineRuntimeOptions, sdk: typeof pulumi = pulumi): Promise<void> {
        const preview = options.preview ?? true;
        this.reset();
        sdk.runtime.setAllConfig(options.config ?? {});
        await sdk.runtime.setMocks(
            {
                newResource: (args) => ({
                    id: args.custom ? `${args.name}-id` : undefined,
                    state: defaultState(args.type, args.name, args.inputs, preview),
                }),
                call: (args) => {
                    // The SDK drops this error's message (the program sees an empty reason), so the
                    // token is recorded for runProgramOffline to name.
                    this.invoked.push(args.token);
                    throw new Error(`offline preview cannot call provider function "${args.token}"`);
                },
            },
            options.project,
            options.stack,
            preview,
        );
        this.hook(sdk.runtime.getMonitor() as unknown as MockMonitorLike);
    }

    private hook(monitor: MockMonitorLike): void {
        const original = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, callback) =>
            original(req, (err, resp) => {
                if (!err && resp) this.registered.push(fromRequest(req, resp));
                callback(err, resp);
            });
        // The SDK's mock monitor keeps a component's registered outputs as the request's protobuf
        // Struct, about 30 times the size of the plain data (MeshPolicy's manifests: 145 MB at 1,000
        // services). It keeps every custom resource's state as plain wire values; so does this, for
        // outputs too (`pulumi:pulumi:getResource` then returns them as it does a custom resource's).
        const originalOutputs = monitor.registerResourceOutputs.bind(monitor);
        monitor.registerResourceOutputs = (req, callback) =>
            originalOutputs(req, (err, resp) => {
                const entry = err ? undefined : monitor.resources.get(req.getUrn());
                if (entry !== undefined) entry.state = req.getOutputs()?.toJavaScript() ?? {};
                callback(err, resp);
            });
    }
}

function fromRequest(req: RegisterRequest, resp: RegisterResponse): RegisteredResource {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((v, k) => {
        propertyDependencies[k] = v.getUrnsList();
    });
    return {
        urn: resp.getUrn(),
        type: req.getType(),
        name: req.getName(),
        custom: req.getCustom(),
        remote: req.getRemote(),
        parent: req.getParent() || undefined,
        provider: req.getProvider() || undefined,
        dependencies: req.getDependenciesList(),
        propertyDependencies,
        inputs: req.getObject()?.toJavaScript() ?? {},
        id: resp.getId() || undefined,
    };
}

/**
 * Metadata the API server sets on every object: a real preview of a new object does not know it,
 * so a program reading it (`ns.metadata.uid`) gets an unknown value there, never undefined.
 */
const SERVER_SET_METADATA = ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields"] as const;

/**
 * What the mock "creates": the inputs, plus the name the Kubernetes provider would give an
 * object whose metadata.name is unset (offline it is the resource name, without the random suffix),
 * and, at preview, the server-set metadata and `status` as unknown values (outputs not among the
 * inputs at all are already unknown at preview: the SDK resolves missing outputs so).
 */
function defaultState(type: string, name: string, inputs: Record<string, unknown>, preview: boolean): Record<string, unknown> {
    if (!type.startsWith("kubernetes:") || isHelmResource(type)) return inputs;
    const given = inputs["metadata"];
    const metadata: Record<string, unknown> = typeof given === "object" && given !== null ? { ...(given as Record<string, unknown>) } : {};
    if (metadata["name"] === undefined) metadata["name"] = name;
    if (!preview) return { ...inputs, metadata };
    for (const field of SERVER_SET_METADATA) metadata[field] = UNKNOWN_SENTINEL;
    return { ...inputs, metadata, status: UNKNOWN_SENTINEL };
}
