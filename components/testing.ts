import { AssertionError } from "assert";
import { AuthorizationSimulator, Decision, formatDecision, RequestSource, SimRequest, SimulatorInput, Verdict } from "./simulate";

/**
 * A request for the test helpers: `from` may also be written `"namespace/name"` (a workload) or
 * `"plaintext"` (a caller outside the mesh).
 */
export type ExpectedRequest = Omit<SimRequest, "from"> & { readonly from: RequestSource | string };

/** Istio objects (and optionally Deployments/Pods/Services), or a full simulator input with workloads. */
export type MeshUnderTest = readonly unknown[] | SimulatorInput;

function toInput(mesh: MeshUnderTest): SimulatorInput {
    return Array.isArray(mesh) ? { manifests: mesh } : (mesh as SimulatorInput);
}

function toSource(from: RequestSource | string): RequestSource {
    if (typeof from !== "string") return from;
    return from === "plaintext" ? { plaintext: true } : { workload: from };
}

function describeRequest(r: SimRequest): string {
    const from = "plaintext" in r.from ? "plaintext caller" : "workload" in r.from ? r.from.workload : `service account ${r.from.serviceAccount}`;
    const what = r.protocol === "tcp" ? "TCP" : `${r.method ?? "GET"} ${r.path ?? "/"}`;
    return `${from} → ${r.to}${r.port === undefined ? "" : `:${r.port}`} ${what}`;
}

function expectVerdict(expected: Verdict, mesh: MeshUnderTest, request: ExpectedRequest): Decision {
    const full: SimRequest = { ...request, from: toSource(request.from) };
    const decision = new AuthorizationSimulator(toInput(mesh)).decide(full);
    if (decision.verdict !== expected) {
        throw new AssertionError({
            message: `expected ${describeRequest(full)} to be ${expected}, but it is ${decision.verdict}.\n${formatDecision(decision)}`,
            actual: decision.verdict,
            expected,
            operator: "strictEqual",
        });
    }
    return decision;
}

/**
 * Asserts Istio would allow the request (mocha, jest, node:test...). Throws an AssertionError
 * whose message explains the decision (policy, rule, mTLS, trace). Returns the decision.
 */
export function expectAllowed(mesh: MeshUnderTest, request: ExpectedRequest): Decision {
    return expectVerdict("allowed", mesh, request);
}

/** Asserts Istio would deny the request (403, 401, or a refused plaintext connection). */
export function expectDenied(mesh: MeshUnderTest, request: ExpectedRequest): Decision {
    return expectVerdict("denied", mesh, request);
}
