import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import {
    AnalyzeDiagnostic,
    AnalyzeRequest,
    AnalyzeResponse,
    AnalyzerHandshakeRequest,
    AnalyzerInfo,
    AnalyzerStackConfigureRequest,
    AnalyzeStackRequest,
    ConfigureAnalyzerRequest,
    EnforcementLevel,
    PolicyConfig,
} from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { RegisteredResource } from "../offline/recorder";
import { defaultPackDir, launchPolicyPack, PackProcess } from "./pack-process";
import { EnforcementLevelName, PolicyConfigEntry, reconcilePolicyConfig } from "./policy-config";
import { analyzeRequest, analyzeStackRequest, indexByUrn } from "./requests";
import { PolicyPackInfo, PolicyVerdict } from "./types";

export interface PolicyPackSessionOptions {
    /** Policy pack directory; default: meshguard's own pack. */
    packDir?: string;
    /** Stack and project sent with ConfigureStack (as `pulumi preview` does). */
    stack?: string;
    project?: string;
    /** Seconds to wait for the pack to print its port. */
    startTimeoutSeconds?: number;
    /** The pack process, already started (e.g. while the caller read its input); `packDir` must name its directory. */
    launched?: Promise<PackProcess>;
}

/** A policy the pack reported as not applicable to a resource (and why). */
export interface NotApplicable {
    policyName: string;
    reason: string;
}

export interface AnalysisResult {
    verdicts: PolicyVerdict[];
    notApplicable: NotApplicable[];
}

/** A running policy pack driven over its analyzer gRPC protocol, call by call. */
export interface PolicyPackSession {
    readonly port: number;
    /** GetAnalyzerInfo. */
    info(): Promise<PolicyPackInfo>;
    /** Reconciles the config as the CLI does (defaults, "all", validation), sends Configure, returns what was sent. */
    configure(config?: Record<string, unknown>): Promise<Record<string, PolicyConfigEntry>>;
    /** Analyze one resource; `stack` (all resources) resolves its provider like the engine. */
    analyze(resource: RegisteredResource, stack?: readonly RegisteredResource[]): Promise<AnalysisResult>;
    /** AnalyzeStack over every resource, with parents and dependencies. */
    analyzeStack(resources: readonly RegisteredResource[]): Promise<AnalysisResult>;
    /** Sends a raw request (wire tests). */
    analyzeRaw(request: AnalyzeRequest): Promise<AnalyzeResponse>;
    analyzeStackRaw(request: AnalyzeStackRequest): Promise<AnalyzeResponse>;
    /** Pack stderr so far. */
    stderr(): string;
    /** Closes the channel and stops the pack process. */
    close(): Promise<void>;
}

const LEVEL_NAMES: Readonly<Record<number, EnforcementLevelName>> = {
    [EnforcementLevel.ADVISORY]: "advisory",
    [EnforcementLevel.MANDATORY]: "mandatory",
    [EnforcementLevel.DISABLED]: "disabled",
    [EnforcementLevel.REMEDIATE]: "remediate",
};
const LEVEL_VALUES: Readonly<Record<EnforcementLevelName, EnforcementLevel>> = {
    advisory: EnforcementLevel.ADVISORY,
    mandatory: EnforcementLevel.MANDATORY,
    disabled: EnforcementLevel.DISABLED,
    remediate: EnforcementLevel.REMEDIATE,
};

type Unary<Req, Res> = (request: Req, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: (err: grpc.ServiceError | null, res: Res) => void) => unknown;

/** A failed analyzer RPC, with its gRPC status code. */
export class PolicyPackRpcError extends Error {
    constructor(message: string, readonly code: grpc.status) {
        super(message);
        this.name = "PolicyPackRpcError";
    }
}

function call<Req, Res>(method: Unary<Req, Res>, request: Req, label: string, stderr: () => string): Promise<Res> {
    return new Promise((resolve, reject) => {
        method(request, new grpc.Metadata(), { deadline: Date.now() + 10 * 60_000 }, (err, res) => {
            if (err) {
                const tail = stderr().trim();
                const detail = `policy pack ${label} failed: ${err.details || err.message}${tail === "" ? "" : `\npolicy pack stderr:\n${tail}`}`;
                reject(new PolicyPackRpcError(detail, err.code));
            } else {
                resolve(res);
            }
        });
    });
}

/**
 * Starts a policy pack and connects to it as the Pulumi CLI does: Handshake (tolerating packs
 * that do not implement it), ConfigureStack, then the caller drives GetAnalyzerInfo, Configure,
 * Analyze and AnalyzeStack.
 */
export async function startPolicyPack(options: PolicyPackSessionOptions = {}): Promise<PolicyPackSession> {
    const packDir = options.packDir ?? defaultPackDir();
    const pack = await (options.launched ?? launchPolicyPack(packDir, (options.startTimeoutSeconds ?? 120) * 1000));
    const client = new AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": 400 * 1024 * 1024,
        "grpc.max_send_message_length": 400 * 1024 * 1024,
    });
    const rpc = <Req, Res>(method: Unary<Req, Res>, request: Req, label: string) => call(method.bind(client), request, label, pack.stderr);
    const close = async () => {
        client.close();
        await pack.stop();
    };
    let policies: Promise<PolicyPackInfo> | undefined;
    const info = () =>
        (policies ??= rpc<Empty, AnalyzerInfo>(client.getAnalyzerInfo, new Empty(), "GetAnalyzerInfo").then(toInfo, (err: unknown) => {
            policies = undefined; // asked again on the next call
            throw err;
        }));
    try {
        // GetAnalyzerInfo depends on nothing else: asked at once, its round trip overlaps the handshake's.
        info().catch(() => undefined);
        await handshake(client, packDir, rpc);
        const stackRequest = new AnalyzerStackConfigureRequest();
        stackRequest.setStack(options.stack ?? "");
        stackRequest.setProject(options.project ?? "");
        stackRequest.setOrganization("");
        stackRequest.setDryRun(true);
        await rpc(client.configureStack, stackRequest, "ConfigureStack").catch((err: unknown) => {
            // Older packs lack ConfigureStack; the CLI carries on without it.
            if (!(err instanceof PolicyPackRpcError && err.code === grpc.status.UNIMPLEMENTED)) throw err;
        });
    } catch (err) {
        await close();
        throw err;
    }
    return {
        port: pack.port,
        info,
        async configure(config = {}) {
            const reconciled = reconcilePolicyConfig((await info()).policies, config);
            const request = new ConfigureAnalyzerRequest();
            const map = request.getPolicyconfigMap();
            for (const [name, entry] of Object.entries(reconciled)) {
                const policyConfig = new PolicyConfig();
                policyConfig.setEnforcementlevel(LEVEL_VALUES[entry.enforcementLevel]);
                policyConfig.setProperties(Struct.fromJavaScript(entry.properties as Record<string, never>));
                map.set(name, policyConfig);
            }
            await rpc(client.configure, request, "Configure");
            return reconciled;
        },
        async analyze(resource, stack = [resource]) {
            const response = await rpc<AnalyzeRequest, AnalyzeResponse>(client.analyze, analyzeRequest(resource, indexByUrn(stack)), `Analyze(${resource.urn})`);
            return toAnalysis(response, indexByUrn(stack), resource);
        },
        async analyzeStack(resources) {
            const response = await rpc<AnalyzeStackRequest, AnalyzeResponse>(client.analyzeStack, analyzeStackRequest(resources), "AnalyzeStack");
            return toAnalysis(response, indexByUrn(resources));
        },
        analyzeRaw: (request) => rpc<AnalyzeRequest, AnalyzeResponse>(client.analyze, request, "Analyze"),
        analyzeStackRaw: (request) => rpc<AnalyzeStackRequest, AnalyzeResponse>(client.analyzeStack, request, "AnalyzeStack"),
        stderr: pack.stderr,
        close,
    };
}

async function handshake(
    client: AnalyzerClient,
    packDir: string,
    rpc: <Req, Res>(method: Unary<Req, Res>, request: Req, label: string) => Promise<Res>,
): Promise<void> {
    const request = new AnalyzerHandshakeRequest();
    request.setEngineAddress("");
    request.setRootDirectory(packDir);
    request.setProgramDirectory(packDir);
    try {
        await rpc(client.handshake, request, "Handshake");
    } catch (err) {
        // @pulumi/policy does not implement Handshake; the CLI then falls back, and so do we.
        if (!(err instanceof PolicyPackRpcError && err.code === grpc.status.UNIMPLEMENTED)) throw err;
    }
}

function toInfo(info: AnalyzerInfo): PolicyPackInfo {
    return {
        name: info.getName(),
        version: info.getVersion(),
        description: info.getDescription(),
        supportsConfig: info.getSupportsconfig(),
        policies: info.getPoliciesList().map((p) => {
            const schema = p.getConfigschema();
            return {
                name: p.getName(),
                description: p.getDescription(),
                enforcementLevel: LEVEL_NAMES[p.getEnforcementlevel()] ?? "advisory",
                configSchema: schema === undefined
                    ? undefined
                    : { properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, Record<string, unknown>>, required: schema.getRequiredList() },
            };
        }),
    };
}

function toAnalysis(response: AnalyzeResponse, byUrn: ReadonlyMap<string, RegisteredResource>, analyzed?: RegisteredResource): AnalysisResult {
    return {
        verdicts: response.getDiagnosticsList().map((d) => toVerdict(d, byUrn, analyzed)),
        notApplicable: response.getNotApplicableList().map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
    };
}

function toVerdict(d: AnalyzeDiagnostic, byUrn: ReadonlyMap<string, RegisteredResource>, analyzed?: RegisteredResource): PolicyVerdict {
    // A resource policy's diagnostic is about the analyzed resource (the SDK leaves its urn empty).
    const urn = d.getUrn() !== "" ? d.getUrn() : analyzed?.urn;
    const resource = urn === undefined ? undefined : byUrn.get(urn);
    const verdict: PolicyVerdict = {
        policyPackName: d.getPolicypackname(),
        policyName: d.getPolicyname(),
        description: d.getDescription(),
        message: d.getMessage(),
        enforcementLevel: LEVEL_NAMES[d.getEnforcementlevel()] ?? "advisory",
    };
    if (urn !== undefined) verdict.urn = urn;
    if (resource !== undefined) {
        verdict.resourceName = resource.name;
        verdict.resourceType = resource.type;
    }
    return verdict;
}
