import { AuthorizationSimulator, defaultProbes, MtlsMode, reachability, ReachabilityProbe, ReachabilityReport, samplePath, SimPort, SimProtocol, SimWorkload, workloadsFromManifests } from "../simulate";

/**
 * Who may call whom before and after a change, from two sets of Kubernetes objects: both sides
 * are probed with the same requests (every workload of either side, the ports of either side, the
 * methods and path patterns of either side's AuthorizationPolicies), through the simulator.
 */

export interface MeshDiffOptions {
    readonly rootNamespace?: string;
    readonly trustDomain?: string;
}

/** A change of what one caller may do on one callee port. */
export interface ReachabilityChange {
    readonly from: string;
    readonly to: string;
    readonly port: number;
    readonly protocol: SimProtocol;
    /** HTTP: the methods whose verdict changed. */
    readonly methods?: readonly string[];
    /** HTTP: the path classes whose verdict changed (policy patterns; OTHER_PATHS for any other path). */
    readonly paths?: readonly string[];
    /** Some changed requests cannot be decided offline (a CUSTOM provider, a missing IP): counted as possibly allowed. */
    readonly undecided?: true;
}

export interface MtlsChange {
    readonly workload: string;
    readonly port: number;
    readonly before: MtlsMode;
    readonly after: MtlsMode;
}

export interface ObjectRef {
    readonly apiVersion: string;
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
}

export interface MeshDiff {
    /** Newly allowed (or newly undecided): a widening. */
    readonly allowed: readonly ReachabilityChange[];
    readonly denied: readonly ReachabilityChange[];
    readonly mtls: readonly MtlsChange[];
    readonly objects: { readonly added: readonly ObjectRef[]; readonly removed: readonly ObjectRef[]; readonly changed: readonly ObjectRef[] };
    /** Workloads compared (of both sides). */
    readonly workloads: readonly string[];
}

/** The path class of the probe that uses a path no policy names. */
export const OTHER_PATHS = "(any other path)";
/** Written instead of the path classes when every one of them changed. */
export const ANY_PATH = "(any path)";
const PROBE_METHODS = ["GET", "POST", "PUT", "DELETE"];
const UNDECLARED_PROBE_PATH = "/meshguard-probe-undeclared";
/** An mTLS mode weaker than STRICT accepts plaintext callers, who carry no identity. */
const MTLS_STRENGTH: Readonly<Record<MtlsMode, number>> = { DISABLE: 0, PERMISSIVE: 1, STRICT: 2 };

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const keyOf = (w: { namespace: string; name: string }) => `${w.namespace}/${w.name}`;
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Methods and path patterns named by the operations of AuthorizationPolicies. */
function policyOperations(objects: readonly unknown[]): { methods: Set<string>; paths: Set<string> } {
    const methods = new Set<string>();
    const paths = new Set<string>();
    for (const o of objects.map(obj)) {
        if (o["kind"] !== "AuthorizationPolicy") continue;
        for (const rule of (obj(o["spec"])["rules"] as unknown[] | undefined) ?? []) {
            for (const to of (obj(rule)["to"] as unknown[] | undefined) ?? []) {
                const op = obj(obj(to)["operation"]);
                for (const m of [...strings(op["methods"]), ...strings(op["notMethods"])]) methods.add(m);
                for (const p of [...strings(op["paths"]), ...strings(op["notPaths"])]) paths.add(p);
            }
        }
    }
    return { methods, paths };
}

/** Every workload of either side; a workload missing on one side is assumed there as the other side declares it. */
function unionWorkloads(before: readonly SimWorkload[], after: readonly SimWorkload[]): { before: SimWorkload[]; after: SimWorkload[]; ports: Map<string, SimPort[]> } {
    const inBefore = new Map(before.map((w) => [keyOf(w), w]));
    const inAfter = new Map(after.map((w) => [keyOf(w), w]));
    const ports = new Map<string, SimPort[]>();
    for (const w of [...before, ...after]) {
        const list = ports.get(keyOf(w)) ?? [];
        for (const p of w.ports ?? []) if (!list.some((q) => q.port === p.port)) list.push(p);
        ports.set(keyOf(w), list.sort((a, b) => a.port - b.port));
    }
    return {
        before: after.filter((w) => !inBefore.has(keyOf(w))),
        after: before.filter((w) => !inAfter.has(keyOf(w))),
        ports,
    };
}

interface ProbeVerdicts {
    readonly status: Map<string, number>;
}

const probeKey = (from: string, to: string, p: ReachabilityProbe) => `${from}\u0000${to}\u0000${p.port}\u0000${p.protocol}\u0000${p.method ?? ""}\u0000${p.path ?? ""}`;

/** 2 allowed, 1 undecided; denied probes are absent (0). */
function verdicts(report: ReachabilityReport): ProbeVerdicts {
    const status = new Map<string, number>();
    for (const pair of report.pairs) {
        for (const o of pair.allowed) status.set(probeKey(pair.from, pair.to, o), 2);
        for (const o of pair.unknown) status.set(probeKey(pair.from, pair.to, o), 1);
    }
    return { status };
}

/** Compares who may call whom, mTLS per workload port and the objects of two sides. */
export function diffMeshObjects(before: readonly unknown[], after: readonly unknown[], options: MeshDiffOptions = {}): MeshDiff {
    const union = unionWorkloads(workloadsFromManifests(before), workloadsFromManifests(after));
    const make = (manifests: readonly unknown[], workloads: SimWorkload[]) => new AuthorizationSimulator({ manifests, workloads, rootNamespace: options.rootNamespace, trustDomain: options.trustDomain });
    const simBefore = make(before, union.before);
    const simAfter = make(after, union.after);
    const keys = simBefore.workloads.map(keyOf).sort();

    const ops = policyOperations([...before, ...after]);
    const methods = [...new Set([...PROBE_METHODS, ...[...ops.methods].sort()])];
    const patterns = [...ops.paths].sort();
    const pathClass = new Map<string, string>([[UNDECLARED_PROBE_PATH, OTHER_PATHS]]);
    for (const p of patterns) if (!pathClass.has(samplePath(p))) pathClass.set(samplePath(p), p);
    const classCount = new Set(pathClass.values()).size;
    const probes = (callee: SimWorkload) => defaultProbes({ ...callee, ports: union.ports.get(keyOf(callee)) ?? [], paths: patterns }, methods);
    const run = (sim: AuthorizationSimulator) => verdicts(reachability(sim, { callers: keys, callees: keys, probes }));
    const was = run(simBefore);
    const now = run(simAfter);

    const allowed = new Map<string, { change: ReachabilityChange; methods: Set<string>; paths: Set<string>; undecided: boolean }>();
    const denied = new Map<string, { change: ReachabilityChange; methods: Set<string>; paths: Set<string>; undecided: boolean }>();
    for (const key of new Set([...was.status.keys(), ...now.status.keys()])) {
        const b = was.status.get(key) ?? 0;
        const a = now.status.get(key) ?? 0;
        if (a === b) continue;
        const [from, to, port, protocol, method, path] = key.split("\u0000");
        const target = a > b ? allowed : denied;
        const groupKey = [from, to, port.padStart(5, "0"), protocol].join("\u0000");
        const entry = target.get(groupKey) ?? { change: { from, to, port: Number(port), protocol: protocol as SimProtocol }, methods: new Set(), paths: new Set(), undecided: false };
        if (protocol === "http") {
            entry.methods.add(method);
            entry.paths.add(pathClass.get(path) ?? path);
        }
        if ((a > b ? a : b) === 1) entry.undecided = true;
        target.set(groupKey, entry);
    }
    const finish = (m: typeof allowed): ReachabilityChange[] =>
        [...m.keys()].sort(compare).map((k) => {
            const { change, methods: ms, paths: ps, undecided } = m.get(k) as { change: ReachabilityChange; methods: Set<string>; paths: Set<string>; undecided: boolean };
            return {
                ...change,
                ...(change.protocol === "http"
                    ? { methods: methods.filter((x) => ms.has(x)), paths: ps.size === classCount ? [ANY_PATH] : [...ps].sort((x, y) => (x === OTHER_PATHS ? 1 : y === OTHER_PATHS ? -1 : compare(x, y))) }
                    : {}),
                ...(undecided ? { undecided: true as const } : {}),
            };
        });

    return {
        allowed: finish(allowed),
        denied: finish(denied),
        mtls: mtlsChanges(simBefore, simAfter, keys, union.ports),
        objects: objectChanges(before, after),
        workloads: keys,
    };
}

function mtlsChanges(before: AuthorizationSimulator, after: AuthorizationSimulator, keys: readonly string[], ports: Map<string, SimPort[]>): MtlsChange[] {
    const changes: MtlsChange[] = [];
    for (const key of keys) {
        for (const { port } of ports.get(key) ?? []) {
            const mode = (sim: AuthorizationSimulator) => (sim.workload(key).inMesh === false ? undefined : sim.verdict({ from: { plaintext: true }, to: key, port }).mtls.mode);
            const [b, a] = [mode(before), mode(after)];
            if (b !== undefined && a !== undefined && a !== b) changes.push({ workload: key, port, before: b, after: a });
        }
    }
    return changes;
}

/** True when an mTLS change accepts plaintext where it was refused before (or accepted less). */
export function weakensMtls(change: MtlsChange): boolean {
    return MTLS_STRENGTH[change.after] < MTLS_STRENGTH[change.before];
}

/** Canonical JSON (sorted keys) to compare objects regardless of key order. */
function canonical(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
    if (value !== null && typeof value === "object") {
        return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Obj)[k])}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

function objectRef(o: Obj): ObjectRef {
    const meta = obj(o["metadata"]);
    return { apiVersion: String(o["apiVersion"]), kind: String(o["kind"]), namespace: typeof meta["namespace"] === "string" && meta["namespace"] !== "" ? meta["namespace"] : "default", name: String(meta["name"]) };
}

/** Objects are the same object when group, kind, namespace and name agree (any served version). */
function objectChanges(before: readonly unknown[], after: readonly unknown[]): MeshDiff["objects"] {
    const index = (objects: readonly unknown[]) => {
        const map = new Map<string, { ref: ObjectRef; text: string }>();
        for (const o of objects.map(obj)) {
            const ref = objectRef(o);
            const group = ref.apiVersion.includes("/") ? ref.apiVersion.split("/")[0] : "";
            map.set(`${group}\u0000${ref.kind}\u0000${ref.namespace}\u0000${ref.name}`, { ref, text: canonical({ ...o, apiVersion: group }) });
        }
        return map;
    };
    const b = index(before);
    const a = index(after);
    const sorted = (keys: string[], from: Map<string, { ref: ObjectRef }>) => keys.sort(compare).map((k) => (from.get(k) as { ref: ObjectRef }).ref);
    return {
        added: sorted([...a.keys()].filter((k) => !b.has(k)), a),
        removed: sorted([...b.keys()].filter((k) => !a.has(k)), b),
        changed: sorted([...a.keys()].filter((k) => b.has(k) && b.get(k)?.text !== a.get(k)?.text), a),
    };
}
