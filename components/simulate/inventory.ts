import { MeshguardValidationError } from "../errors";
import { CompiledAuthorizationSpec, compileAuthorizationSpec, dryRunState, istioKindOf, PolicyTargets, readMatchLabels, readPolicyTargets, SelectorIndex } from "../istio";
import { DRY_RUN_ANNOTATION } from "../constants";
import { asRecord, namespaceOf, typeOfObject } from "../kube";
import { MtlsMode } from "./types";

/** Identity of one Istio object in the inventory. */
export interface ObjectId {
    readonly namespace: string;
    readonly name: string;
}

export interface IndexedAuthorizationPolicy extends ObjectId {
    readonly spec: CompiledAuthorizationSpec;
    readonly matchLabels?: Readonly<Record<string, string>>;
    readonly dryRun: boolean;
    /** The spec and annotations as written (ztunnel's reading differs: components/istio/ztunnel-authz). */
    readonly source: { readonly spec: Record<string, unknown>; readonly annotations: Record<string, unknown> };
}

/** A policy attached by targetRef(s): waypoints and gateways take it, sidecars and ztunnel never do. */
export interface TargetedPolicy<T> {
    readonly policy: T;
    readonly targets: PolicyTargets;
}

/** undefined mode = UNSET (inherit from the enclosing scope). */
export interface IndexedPeerAuthentication extends ObjectId {
    readonly matchLabels?: Readonly<Record<string, string>>;
    readonly mode?: MtlsMode;
    readonly portLevel: ReadonlyMap<number, MtlsMode | undefined>;
}

export interface JwtRule {
    readonly issuer: string;
    readonly audiences: readonly string[];
}

export interface IndexedRequestAuthentication extends ObjectId {
    readonly matchLabels?: Readonly<Record<string, string>>;
    readonly jwtRules: readonly JwtRule[];
}

interface Metadata {
    name: string;
    namespace: string;
    annotations: Record<string, unknown>;
    spec: Record<string, unknown>;
}

/** The security objects of a mesh, indexed by namespace and selector. */
export class PolicyInventory {
    readonly authorization = new Map<string, SelectorIndex<IndexedAuthorizationPolicy>>();
    readonly peer = new Map<string, SelectorIndex<IndexedPeerAuthentication>>();
    readonly request = new Map<string, SelectorIndex<IndexedRequestAuthentication>>();
    /** Unknown fields the API server would prune, and other objects the simulator does not model. */
    readonly warnings: string[] = [];
    /** Policies attached with targetRef(s): they apply to gateways/waypoints, not sidecar workloads. */
    readonly targeted: ObjectId[] = [];
    /** The AuthorizationPolicies among them, compiled, for waypoints. */
    readonly targetedAuthorization: TargetedPolicy<IndexedAuthorizationPolicy>[] = [];
    /** RequestAuthentications attached with targetRef(s) (waypoints), never selecting sidecar workloads. */
    readonly targetedRequest: TargetedPolicy<IndexedRequestAuthentication>[] = [];

    constructor(manifests: readonly unknown[]) {
        manifests.forEach((manifest, i) => this.add(manifest, i));
    }

    private add(manifest: unknown, index: number): void {
        const type = typeOfObject(manifest);
        if (type === undefined) return;
        const m = asRecord(manifest);
        const kind = istioKindOf(type.apiVersion, type.kind);
        if (kind === undefined || kind === "DestinationRule" || kind === "ServiceEntry") return;
        const meta = readMetadata(m, kind, index);
        const subject = `${kind} "${meta.namespace}/${meta.name}"`;
        const ctx = { subject, pruned: [] as string[] };
        if (kind === "AuthorizationPolicy") {
            const spec = compileAuthorizationSpec(meta.spec, subject, meta.namespace);
            for (const p of spec.pruned) this.warnings.push(`${subject}: unknown field ${p} is pruned by the API server`);
            const dryRunValue = dryRunState(meta.annotations);
            const dryRun = dryRunValue === "dry-run";
            const indexed: IndexedAuthorizationPolicy = { name: meta.name, namespace: meta.namespace, spec, matchLabels: spec.matchLabels, dryRun, source: { spec: meta.spec, annotations: meta.annotations } };
            if (spec.targeted) {
                this.targeted.push(meta);
                this.targetedAuthorization.push({ policy: indexed, targets: readPolicyTargets(meta.spec) });
                this.warnings.push(`${subject} uses targetRef(s): the simulator applies it at waypoints (ambient destinations); ingress and egress gateways are not simulated`);
                return;
            }
            if (dryRunValue === "invalid") {
                this.warnings.push(`${subject}: annotation ${DRY_RUN_ANNOTATION} is not a Go boolean; istiod enforces the policy (and its validating webhook rejects the object)`);
            }
            indexIn(this.authorization, meta.namespace).add(indexed);
        } else if (kind === "PeerAuthentication") {
            const matchLabels = readMatchLabels(meta.spec["selector"], "spec.selector", ctx);
            const mtls = meta.spec["mtls"];
            const mode = readMode(mtls === undefined || mtls === null ? undefined : (mtls as Record<string, unknown>)["mode"], subject, "spec.mtls.mode");
            const portLevel = new Map<number, MtlsMode | undefined>();
            const ports = meta.spec["portLevelMtls"];
            if (ports !== undefined && ports !== null && typeof ports === "object") {
                for (const [port, value] of Object.entries(ports as Record<string, unknown>)) {
                    const portMode = value !== null && typeof value === "object" ? (value as Record<string, unknown>)["mode"] : undefined;
                    portLevel.set(Number(port), readMode(portMode, subject, `spec.portLevelMtls.${port}.mode`));
                }
            }
            indexIn(this.peer, meta.namespace).add({ ...meta, matchLabels, mode, portLevel });
        } else {
            const matchLabels = readMatchLabels(meta.spec["selector"], "spec.selector", ctx);
            const rules = Array.isArray(meta.spec["jwtRules"]) ? (meta.spec["jwtRules"] as unknown[]) : [];
            const jwtRules = rules.map((rule, i) => readJwtRule(rule, subject, i));
            const targets = readPolicyTargets(meta.spec);
            // Sidecars ignore a policy with targetRef(s) altogether (pilot/pkg/model/policyattachment.go).
            if (targets.targeted) this.targetedRequest.push({ policy: { name: meta.name, namespace: meta.namespace, matchLabels, jwtRules }, targets });
            else indexIn(this.request, meta.namespace).add({ name: meta.name, namespace: meta.namespace, matchLabels, jwtRules });
        }
    }
}

function indexIn<T extends { readonly matchLabels?: Readonly<Record<string, string>> }>(map: Map<string, SelectorIndex<T>>, ns: string): SelectorIndex<T> {
    let index = map.get(ns);
    if (index === undefined) {
        index = new SelectorIndex<T>();
        map.set(ns, index);
    }
    return index;
}

function readMetadata(m: Record<string, unknown>, kind: string, index: number): Metadata {
    const metadata = asRecord(m["metadata"]);
    const name = metadata["name"];
    if (typeof name !== "string" || name === "") {
        throw new MeshguardValidationError(`${kind} #${index}`, [{ path: "metadata.name", message: "must be a non-empty string" }]);
    }
    const namespace = namespaceOf(m);
    const annotations = asRecord(metadata["annotations"]);
    const spec = asRecord(m["spec"]);
    return { name, namespace, annotations, spec };
}

const MODES = ["UNSET", "DISABLE", "PERMISSIVE", "STRICT"];

function readMode(value: unknown, subject: string, path: string): MtlsMode | undefined {
    if (value === undefined || value === null || value === "UNSET") return undefined;
    if (typeof value === "string" && MODES.includes(value)) return value as MtlsMode;
    throw new MeshguardValidationError(subject, [{ path, message: `must be one of ${MODES.join(", ")} (got ${JSON.stringify(value)})` }]);
}

function readJwtRule(rule: unknown, subject: string, i: number): JwtRule {
    const r = rule !== null && typeof rule === "object" ? (rule as Record<string, unknown>) : {};
    const issuer = r["issuer"];
    if (typeof issuer !== "string" || issuer === "") {
        throw new MeshguardValidationError(subject, [{ path: `spec.jwtRules[${i}].issuer`, message: "must be a non-empty string" }]);
    }
    const audiences = Array.isArray(r["audiences"]) ? r["audiences"].filter((a): a is string => typeof a === "string") : [];
    return { issuer, audiences };
}
