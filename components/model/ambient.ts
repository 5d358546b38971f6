import { z } from "zod";
import { ValidationIssue } from "../errors";
import { listed } from "../validation/quote";
import { formatPath } from "../validation/validate";
import { dnsLabel } from "./mesh-policy-fields";
import { MESH_POLICY_DATAPLANES } from "./mesh-policy-types";
import type { MeshCaller, MeshPolicyConfig, MeshPolicyNamespaceConfig, MeshRelationship, MeshService } from "./mesh-policy-types";
import { safeRecord } from "./record";

/**
 * `namespaces`: the data plane of each namespace (docs/mesh-policy.md, "Ambient namespaces").
 * A namespace not listed is a sidecar namespace, as before the field existed.
 */
export const meshPolicyNamespacesSchema = safeRecord(
    dnsLabel,
    z.strictObject({
        dataplane: z.enum(MESH_POLICY_DATAPLANES, { error: `must be one of ${MESH_POLICY_DATAPLANES.join(", ")}` }).default("sidecar"),
        /** A waypoint Gateway's name is also its service account's: a DNS label keeps both valid. */
        waypoint: dnsLabel.optional(),
        ingressUseWaypoint: z.boolean().optional(),
    }),
).default({});

const SIDECAR: MeshPolicyNamespaceConfig = { dataplane: "sidecar" };

/** The data plane of `namespace` (sidecar when not listed). */
export function namespaceDataplane(config: Pick<MeshPolicyConfig, "namespaces">, namespace: string): MeshPolicyNamespaceConfig {
    return Object.prototype.hasOwnProperty.call(config.namespaces, namespace) ? config.namespaces[namespace] : SIDECAR;
}

/** The waypoint enforcing `service`'s policies, if its namespace is ambient with a waypoint. */
export function serviceWaypoint(config: Pick<MeshPolicyConfig, "namespaces">, service: MeshService): string | undefined {
    const mode = namespaceDataplane(config, service.namespace);
    return mode.dataplane === "ambient" ? mode.waypoint : undefined;
}

/**
 * True when the caller's requests to `callee` (addressed to its Service) pass the callee's waypoint.
 * Ambient callers do: their ztunnel sends to the Service's waypoint. Sidecars do not, in Istio 1.30:
 * istiod points only ingress and east-west gateways at waypoints (pilot/pkg/xds/endpoints/
 * endpoint_builder.go `findServiceWaypoint`: "Currently only ingress and e/w gateway will call
 * waypoints"), and the ingress gateway only when the Service or its namespace opts in with
 * `istio.io/ingress-use-waypoint` (same function, `svc.IngressUseWaypoint`). End users arrive
 * through the ingress gateway. Out-of-mesh callers have no ztunnel of their own.
 */
export function passesWaypoint(config: MeshPolicyConfig, from: MeshCaller, callee: MeshService, services: ReadonlyMap<string, MeshService>): boolean {
    const mode = namespaceDataplane(config, callee.namespace);
    if (mode.dataplane !== "ambient" || mode.waypoint === undefined) return false;
    if (from.service !== undefined) return namespaceDataplane(config, (services.get(from.service) as MeshService).namespace).dataplane === "ambient";
    if (from.namespace !== undefined) return namespaceDataplane(config, from.namespace).dataplane === "ambient";
    if (from.ingressGateway !== undefined || from.endUsers !== undefined) return mode.ingressUseWaypoint === true;
    return false;
}

/** The fields of a relationship only a proxy that parses HTTP can check (ztunnel cannot). */
export function httpFieldsOf(rel: MeshRelationship): string[] {
    const fields: string[] = (["methods", "paths", "hosts", "grpcMethods"] as const).filter((f) => rel[f] !== undefined);
    if (rel.from.endUsers !== undefined) fields.push("JWT end users");
    return fields;
}

type Add = (path: PropertyKey[], message: string) => void;

/** `namespaces.<ns>[.<field>]` as paths are written (`namespaces["ns-a"]` for keys with a dash). */
const nsField = (namespace: string, field?: string) => formatPath(field === undefined ? ["namespaces", namespace] : ["namespaces", namespace, field]);

/**
 * Checks of `namespaces` against the rest of the input: waypoints only in ambient namespaces,
 * listed namespaces actually used, and no relationship whose HTTP or JWT checks would land on
 * ztunnel (which enforces identities and ports only: an ALLOW rule with an HTTP attribute is
 * dropped whole, pilot/pkg/serviceregistry/ambient/authorization.go `convertAuthorizationPolicy`).
 */
export function checkAmbientReferences(config: MeshPolicyConfig, services: ReadonlyMap<string, MeshService>): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const add: Add = (path, message) => issues.push({ path: formatPath(path), message });
    const used = new Set<string>([
        ...config.services.map((s) => s.namespace),
        ...config.allow.flatMap((r) => (r.from.namespace === undefined ? [] : [r.from.namespace])),
        ...config.deny.flatMap((r) => r.unlessFrom.flatMap((c) => (c.namespace === undefined ? [] : [c.namespace]))),
    ]);
    for (const [namespace, mode] of Object.entries(config.namespaces)) {
        const path = ["namespaces", namespace];
        if (!used.has(namespace)) {
            add(path, `no declared service lives in namespace ${namespace} and no rule names it as a caller (declared namespaces: ${listed([...used].sort())})`);
        }
        if (mode.waypoint !== undefined && mode.dataplane !== "ambient") {
            add([...path, "waypoint"], `namespace ${namespace} is a sidecar namespace (${nsField(namespace, "dataplane")}, "sidecar" by default): only ambient namespaces have waypoints. Fix: set ${nsField(namespace, "dataplane")}: "ambient", or remove the waypoint`);
        }
        if (mode.ingressUseWaypoint !== undefined && mode.waypoint === undefined) {
            add([...path, "ingressUseWaypoint"], `namespace ${namespace} has no waypoint for the ingress gateway to use. Fix: set ${nsField(namespace, "waypoint")}, or remove ingressUseWaypoint`);
        }
    }
    // ztunnel admits the waypoint's principal behind it: a workload with the same identity would pass unchecked.
    config.services.forEach((service, i) => {
        const waypoint = serviceWaypoint(config, service);
        if (waypoint !== undefined && service.serviceAccount === waypoint) {
            add(
                ["services", i, "serviceAccount"],
                `service "${service.id}" runs as service account ${waypoint}, the identity of namespace ${service.namespace}'s waypoint (${nsField(service.namespace, "waypoint")}): ztunnel admits that identity behind the waypoint, so the service could skip every L7 rule. Fix: give the service or the waypoint another name`,
            );
        }
    });
    config.allow.forEach((rel, i) => {
        const callee = services.get(rel.to);
        if (callee === undefined || (rel.from.service !== undefined && !services.has(rel.from.service))) return; // reported as an unknown service
        checkRelationship(config, rel, ["allow", i], callee, services, add);
    });
    config.dryRunServices?.forEach((id, i) => {
        const service = services.get(id);
        if (service === undefined) return;
        const mode = namespaceDataplane(config, service.namespace);
        if (mode.dataplane === "ambient" && mode.waypoint === undefined) {
            add(
                ["dryRunServices", i],
                `service "${id}" is in ambient namespace ${service.namespace} without a waypoint, where only ztunnel enforces, and istiod sends ztunnel no dry-run policy (pilot/pkg/serviceregistry/ambient/authorization.go): nothing would be observed. Fix: give namespace ${service.namespace} a waypoint: namespaces.${service.namespace}.waypoint`,
            );
        }
    });
    return issues;
}

function checkRelationship(config: MeshPolicyConfig, rel: MeshRelationship, path: PropertyKey[], callee: MeshService, services: ReadonlyMap<string, MeshService>, add: Add): void {
    const mode = namespaceDataplane(config, callee.namespace);
    if (mode.dataplane !== "ambient") return;
    const ns = callee.namespace;
    const relationship = `${String(path[0])}[${String(path[1])}] (${callerText(rel.from)} → "${callee.id}")`;
    if (rel.from.outOfMesh !== undefined) {
        add(
            [...path, "from", "outOfMesh"],
            `relationship ${relationship}: service "${callee.id}" is in ambient namespace ${ns}, where meshguard does not admit plaintext callers from outside the mesh. Fix: enrol the caller in the mesh, or run "${callee.id}" in a sidecar namespace`,
        );
        return;
    }
    const fields = httpFieldsOf(rel);
    if (fields.length === 0) return;
    const fieldPath = rel.from.endUsers !== undefined && fields.length === 1 ? ["from", "endUsers"] : [fields[0]];
    const uses = `relationship ${relationship} uses ${fields.join(", ")}`;
    if (mode.waypoint === undefined) {
        add(
            [...path, ...fieldPath],
            `${uses}, but service "${callee.id}" is in ambient namespace ${ns} without a waypoint, where ztunnel enforces identities and ports only. Fix: give namespace ${ns} a waypoint: ${nsField(ns, "waypoint")}`,
        );
        return;
    }
    if (passesWaypoint(config, rel.from, callee, services)) return;
    if (rel.from.ingressGateway !== undefined || rel.from.endUsers !== undefined) {
        add(
            [...path, ...fieldPath],
            `${uses}, but the ingress gateway sends to namespace ${ns}'s waypoint only when the namespace (or Service) is labelled istio.io/ingress-use-waypoint=true; otherwise ztunnel, which enforces identities and ports only, decides. Fix: label namespace ${ns} istio.io/ingress-use-waypoint=true and set ${nsField(ns, "ingressUseWaypoint")}: true`,
        );
        return;
    }
    const callerNs = rel.from.service !== undefined ? (services.get(rel.from.service) as MeshService).namespace : (rel.from.namespace as string);
    add(
        [...path, ...fieldPath],
        `${uses}, but the caller runs in sidecar namespace ${callerNs}, and Istio 1.30 sidecars do not send through waypoints: ztunnel, which enforces identities and ports only, decides. Fix: make namespace ${callerNs} ambient (${nsField(callerNs, "dataplane")}: "ambient"), or drop the HTTP fields`,
    );
}

function callerText(from: MeshCaller): string {
    if (from.service !== undefined) return `service "${from.service}"`;
    if (from.namespace !== undefined) return `namespace ${from.namespace}`;
    if (from.ingressGateway !== undefined) return "the ingress gateway";
    if (from.endUsers !== undefined) return `end users of ${from.endUsers.issuer}`;
    return "callers outside the mesh";
}
