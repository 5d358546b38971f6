import { z } from "zod";
import { DEFAULT_CLUSTER_DOMAIN, DEFAULT_INGRESS_GATEWAY, DEFAULT_ROOT_NAMESPACE, DEFAULT_TRUST_DOMAIN } from "../constants";
import {
    claimName,
    dnsLabel,
    grpcMethod,
    httpHost,
    httpMethod,
    httpPath,
    issuer,
    jwksUri,
    nonEmptyList,
    nonEmptyMatchValue,
    port,
    selectorLabels,
    serviceAccountName,
    trustDomain,
    wildcardProblem,
} from "./mesh-policy-fields";
import { DEFAULT_INGRESS_GATEWAY_SELECTOR, ingressGatewaySelector, networkPoliciesSchema } from "./network-policy";
import { safeRecord } from "./record";
import { clusterCidrsSchema, externalSchema } from "./external";
import { DNS1123_SUBDOMAIN_PATTERN } from "../validation/dns-names";
import { MESH_PORT_PROTOCOLS } from "./mesh-policy-types";
import { outOfMeshCallerSchema } from "./out-of-mesh";
import { dryRunServicesField } from "./staged-enforcement";
import { meshPolicyNamespacesSchema } from "./ambient";

/** The MeshPolicy input schema and its types (no cross-reference checks: see mesh-policy-references.ts). */

/** Protocols of a service port. http, http2 and grpc carry HTTP attributes; tcp does not. Defined in the zod-free mesh-policy-types.ts with the public types. */
export { MESH_PORT_PROTOCOLS };

const servicePortSchema = z.strictObject({
    /** The Service port callers use; relationships refer to it. */
    port,
    protocol: z.enum(MESH_PORT_PROTOCOLS, { error: `must be one of ${MESH_PORT_PROTOCOLS.join(", ")}` }),
    name: dnsLabel.optional(),
    /** The workload (container) port; AuthorizationPolicy ports match it. Defaults to `port`. */
    targetPort: port.optional(),
});

const serviceSchema = z.strictObject({
    /** Stable id, also the Kubernetes Service name (DestinationRule host). */
    id: dnsLabel,
    namespace: dnsLabel,
    /** The workload identity: principals are built from it. */
    serviceAccount: serviceAccountName,
    /** Pod labels of the workload; defaults to `{ app: <id> }`. */
    selector: selectorLabels.optional(),
    ports: nonEmptyList(servicePortSchema, "must declare at least one port"),
});

const endUsersSchema = z
    .strictObject({
        issuer,
        jwksUri,
        audiences: nonEmptyList(nonEmptyMatchValue).optional(),
        /** Required claims: the token must carry one of the listed values for each claim. */
        claims: safeRecord(claimName, nonEmptyList(nonEmptyMatchValue))
            .refine((c) => Object.keys(c).length > 0, "must not be empty (omit the field instead)")
            .optional(),
        /** Token subjects (sub) allowed; every subject of the issuer when omitted. */
        subjects: nonEmptyList(z.string().min(1, "must not be empty")).optional(),
    })
    .superRefine((users, ctx) => {
        if (!Array.isArray(users.subjects)) return;
        users.subjects.forEach((subject, i) => {
            const problem = wildcardProblem(`${users.issuer}/${subject}`, "request principal");
            if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["subjects", i], message: problem });
        });
    });

const CALLER_KINDS = ["service", "namespace", "ingressGateway", "endUsers", "outOfMesh"] as const;

function exactlyOneOf(keys: readonly string[]) {
    return (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
        const set = keys.filter((k) => value[k] !== undefined);
        if (set.length !== 1) {
            ctx.addIssue({ code: "custom", message: `exactly one of ${keys.join(", ")} must be set${set.length > 1 ? ` (found ${set.join(", ")})` : ""}` });
        }
    };
}

const callerSchema = z
    .strictObject({
        /** A declared service (its service account's principal). */
        service: dnsLabel.optional(),
        /** Every workload of a namespace (mTLS peer namespace). */
        namespace: dnsLabel.optional(),
        /** The ingress gateway (identity from the top-level `ingressGateway`). */
        ingressGateway: z.literal(true, { error: "must be true when set" }).optional(),
        /** End users authenticated by a JWT. */
        endUsers: endUsersSchema.optional(),
        /** Pods without a sidecar, in plaintext (ports required; see out-of-mesh.ts). */
        outOfMesh: outOfMeshCallerSchema.optional(),
    })
    .superRefine(exactlyOneOf(CALLER_KINDS));

const relationshipSchema = z.strictObject({
    from: callerSchema,
    /** Id of the called service. */
    to: dnsLabel,
    /** Service ports (declared ports of the callee); all of them when omitted. */
    ports: nonEmptyList(port).optional(),
    methods: nonEmptyList(httpMethod).optional(),
    paths: nonEmptyList(httpPath).optional(),
    hosts: nonEmptyList(httpHost).optional(),
    grpcMethods: nonEmptyList(grpcMethod).optional(),
});

const DENY_CALLER_KINDS = ["service", "namespace", "ingressGateway"] as const;

const denyCallerSchema = z
    .strictObject({
        service: dnsLabel.optional(),
        namespace: dnsLabel.optional(),
        ingressGateway: z.literal(true, { error: "must be true when set" }).optional(),
    })
    .superRefine(exactlyOneOf(DENY_CALLER_KINDS));

const denyRuleSchema = z
    .strictObject({
        /** The protected service id (its workloads)... */
        to: dnsLabel.optional(),
        /** ...or every workload of a namespace. */
        toNamespace: dnsLabel.optional(),
        /** The only callers not denied. */
        unlessFrom: nonEmptyList(denyCallerSchema, "must list at least one caller (a deny rule without exceptions would deny everything: use defaultDeny)"),
        /** Limit the denial to these ports of `to` (all ports when omitted). */
        ports: nonEmptyList(port).optional(),
    })
    .superRefine(exactlyOneOf(["to", "toNamespace"]));

/** The MeshPolicy input, structurally (cross-references are checked by `parseMeshPolicy`). */
export const meshPolicySchema = z.strictObject({
    /** SPIFFE trust domain of principals (meshConfig.trustDomain). */
    trustDomain: trustDomain.default(DEFAULT_TRUST_DOMAIN),
    /** Kubernetes cluster DNS domain, for DestinationRule hosts. */
    clusterDomain: z
        .string()
        .refine((v) => DNS1123_SUBDOMAIN_PATTERN.test(v), "must be a DNS domain such as cluster.local")
        .default(DEFAULT_CLUSTER_DOMAIN),
    services: nonEmptyList(serviceSchema, "must declare at least one service"),
    allow: z.array(relationshipSchema).default([]),
    deny: z.array(denyRuleSchema).default([]),
    ingressGateway: z
        .strictObject({
            namespace: dnsLabel,
            serviceAccount: serviceAccountName,
            /** Pod labels of the gateway (NetworkPolicy peers). */
            selector: ingressGatewaySelector,
        })
        .default({ ...DEFAULT_INGRESS_GATEWAY, selector: { ...DEFAULT_INGRESS_GATEWAY_SELECTOR } }),
    /** L3/L4 NetworkPolicies derived from the same graph; `false` emits none. */
    networkPolicies: networkPoliciesSchema,
    /** Declared egress to hosts outside the cluster: ServiceEntries and egress NetworkPolicy rules. */
    external: externalSchema,
    /** The cluster's address ranges, excepted from every external egress rule. */
    clusterCidrs: clusterCidrsSchema,
    /** Istio's root namespace (meshConfig.rootNamespace): policies there apply mesh-wide. */
    rootNamespace: dnsLabel.default(DEFAULT_ROOT_NAMESPACE),
    /** An allow-nothing AuthorizationPolicy per namespace of the declared services. */
    defaultDeny: z.boolean().default(true),
    /** STRICT: a namespace-wide STRICT PeerAuthentication per namespace; inherit: none emitted. */
    mtls: z.enum(["STRICT", "inherit"], { error: "must be STRICT or inherit" }).default("STRICT"),
    /** Opt-in ISTIO_MUTUAL DestinationRule per service host. */
    destinationRules: z.boolean().default(false),
    /** Emit every AuthorizationPolicy with `istio.io/dry-run: "true"` (evaluated, not enforced). */
    dryRun: z.boolean().default(false),
    /** Staged enforcement: these destinations' AuthorizationPolicies in dry-run, every other workload enforced (staged-enforcement.ts). */
    dryRunServices: dryRunServicesField.optional(),
    /** Accept services sharing a service account (their identities are then indistinguishable). */
    allowSharedServiceAccounts: z.boolean().default(false),
    /** Data plane per namespace (sidecar when not listed): ambient namespaces are enforced by ztunnel and, with a waypoint, by the waypoint. */
    namespaces: meshPolicyNamespacesSchema,
});

export type {
    MeshCaller,
    MeshDenyCaller,
    MeshDenyRule,
    MeshEndUsers,
    MeshOutOfMeshCaller,
    MeshPolicyConfig,
    MeshPolicyInput,
    MeshPolicyNamespace,
    MeshPolicyNamespaceConfig,
    MeshPortProtocol,
    MeshRelationship,
    MeshService,
    MeshServicePort,
} from "./mesh-policy-types";
