import { MeshguardValidationError } from "../errors";
import { K8sManifest } from "../manifest";
import { checkIstioSecurityObject } from "../istio/schema/security";
import { MeshPolicyConfig, MeshPolicyInput, MeshService, parseMeshPolicy } from "../model/mesh-policy";
import { compileAllowPolicies } from "./authz-allow";
import { compileDenyPolicies } from "./authz-deny";
import { compareStrings, withDryRun } from "./authz-rules";
import { compileIstioMutualDestinationRules } from "./destination-rule";
import { compileRequestAuthentications } from "./jwt";
import { compiledLimitIssues } from "./limits";
import { compileNetworkPolicies } from "./network-policy";
import { compileOutOfMeshPolicies, meshRelationships } from "./out-of-mesh";
import { compileExternalEgress } from "./external-egress";
import { stageEnforcement } from "./staged-enforcement";
import { meshPolicyConfigWarnings, MeshPolicyReport } from "./warnings";
import { compileWaypointPolicies, toWaypointDestination } from "./ambient-authz";
import { allowNothingPolicy, strictPeerAuthentication } from "./security-manifests";

/**
 * MeshPolicy input → the exact Istio security manifests that enforce it, and nothing broader:
 * per namespace of the declared services a STRICT PeerAuthentication (mtls: STRICT) and an
 * allow-nothing AuthorizationPolicy (defaultDeny); per destination one ALLOW policy listing all of
 * its callers, a RequestAuthentication for JWT callers, a DENY policy for explicit deny rules and,
 * when asked, an ISTIO_MUTUAL DestinationRule. Pure and deterministic: sorted by namespace, kind
 * and name. Throws MeshguardValidationError on invalid input (nothing is emitted), and fails
 * closed if an emitted object would not pass the strict Istio schema.
 */
export function compileMeshPolicy(input: MeshPolicyInput, subject = "MeshPolicy input"): K8sManifest[] {
    return compileParsed(parseMeshPolicy(input, subject), subject);
}

/**
 * `compileMeshPolicy` and the compile-time warnings of the same input (valid but probably not
 * meant, e.g. a plain gateway caller that makes a JWT optional), from one validation.
 */
export function compileMeshPolicyReport(input: MeshPolicyInput, subject = "MeshPolicy input"): MeshPolicyReport {
    const config = parseMeshPolicy(input, subject);
    return { manifests: compileParsed(config, subject), warnings: meshPolicyConfigWarnings(config) };
}

function compileParsed(config: MeshPolicyConfig, subject: string): K8sManifest[] {
    const manifests = compileValidatedMeshPolicy(config);
    const limits = compiledLimitIssues(config, manifests);
    if (limits.length > 0) throw new MeshguardValidationError(subject, limits);
    assertValidManifests(manifests);
    return manifests;
}

function compileValidatedMeshPolicy(config: MeshPolicyConfig): K8sManifest[] {
    const services = new Map<string, MeshService>(config.services.map((s) => [s.id, s]));
    const namespaces = [...new Set(config.services.map((s) => s.namespace))];
    const manifests: K8sManifest[] = [];
    for (const namespace of namespaces) {
        if (config.mtls === "STRICT") manifests.push(strictPeerAuthentication(namespace));
        if (config.defaultDeny) {
            const allowNothing = allowNothingPolicy(namespace);
            manifests.push(config.dryRun ? withDryRun(allowNothing) : allowNothing);
        }
    }
    // Out-of-mesh callers get their own objects; the AuthorizationPolicy compilers read mesh callers only.
    const meshCallers: MeshPolicyConfig = { ...config, allow: meshRelationships(config) };
    // Destinations behind a waypoint get both of their layers from ambient-authz.ts; the others keep sidecar-mode objects (ztunnel enforces them alike).
    const toWaypoint = toWaypointDestination(config, services);
    const selectorOnly: MeshPolicyConfig = { ...meshCallers, allow: meshCallers.allow.filter((r) => !toWaypoint(r)), deny: config.deny.filter((r) => !toWaypoint(r)) };
    manifests.push(...compileAllowPolicies(selectorOnly, services));
    manifests.push(...compileOutOfMeshPolicies(config, services));
    manifests.push(...compileDenyPolicies(selectorOnly, services));
    manifests.push(...compileRequestAuthentications(selectorOnly, services));
    manifests.push(...compileWaypointPolicies(config, meshCallers, services));
    if (config.destinationRules) manifests.push(...compileIstioMutualDestinationRules(config));
    manifests.push(...compileNetworkPolicies(config, services));
    manifests.push(...compileExternalEgress(config, services));
    return stageEnforcement(config, services, manifests).sort(compareManifests);
}

function compareManifests(a: K8sManifest, b: K8sManifest): number {
    return (
        compareStrings(a.metadata.namespace ?? "", b.metadata.namespace ?? "") ||
        compareStrings(a.kind, b.kind) ||
        compareStrings(a.metadata.name, b.metadata.name)
    );
}

/**
 * Fail closed: every emitted object must pass the strict Istio schema, and no two objects of a
 * kind may share a namespace/name (a hash collision after truncation would silently merge them).
 */
function assertValidManifests(manifests: readonly K8sManifest[]): void {
    const issues = [];
    const seen = new Set<string>();
    for (const manifest of manifests) {
        const id = `${manifest.kind} ${manifest.metadata.namespace}/${manifest.metadata.name}`;
        for (const issue of checkIstioSecurityObject(manifest)) issues.push({ path: `${id}: ${issue.path}`, message: issue.message });
        if (seen.has(id)) issues.push({ path: id, message: "two emitted objects share this name" });
        seen.add(id);
    }
    if (issues.length > 0) throw new MeshguardValidationError("compiled MeshPolicy manifests (meshguard bug: please report)", issues);
}
