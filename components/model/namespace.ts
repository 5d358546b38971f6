import { z } from "zod";
import { DATAPLANE_MODE_LABEL, INJECTION_LABEL, REVISION_LABEL } from "../constants";
import { USE_WAYPOINT_LABEL } from "../istio/waypoints";
import { ValidationIssue } from "../errors";
import { DNS1123_LABEL_PATTERN } from "../validation/dns-names";
import { labelKey } from "./labels";
import { safeRecord } from "./record";
import { DEFAULT_WAYPOINT_NAME, MESH_NAMESPACE_DATAPLANES, MESH_NAMESPACE_INJECTION_MODES, MESH_NAMESPACE_MTLS_MODES, MeshNamespaceDataplane } from "./namespace-types";

// The constants and types live in the zod-free namespace-types.ts (the public declarations).
export { DEFAULT_WAYPOINT_NAME, MESH_NAMESPACE_DATAPLANES, MESH_NAMESPACE_INJECTION_MODES, MESH_NAMESPACE_MTLS_MODES };
export type { MeshNamespaceDataplane, MeshNamespaceInjection, MeshNamespaceMtls, MeshNamespaceSettings, MeshPolicyNamespaceInfo } from "./namespace-types";

export { DNS1123_LABEL_PATTERN };

const DNS1123_LABEL_RULE = 'lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters';

/** A string that must be an RFC 1123 label; every failure (type, pattern) reports `message`. */
export function dns1123LabelSchema(message: string) {
    return z.string({ error: message }).regex(DNS1123_LABEL_PATTERN, { error: message });
}

export const kubernetesNamespaceNameSchema = dns1123LabelSchema(`must be a valid namespace name (${DNS1123_LABEL_RULE})`);

/** Istio revision names follow the same rule; "default" names the unrevisioned control plane. */
export const istioRevisionSchema = dns1123LabelSchema(
    `must be a revision name (${DNS1123_LABEL_RULE}); omit it for the default control plane`,
).refine((rev) => rev !== "default", {
    error: '"default" is reserved for the unrevisioned control plane: omit revision instead',
});


const INJECTION_MESSAGE = 'must be "enabled", "disabled" or {revision: "<name>"} (one injection mode; never both labels)';

/**
 * Sidecar injection of a namespace. One value selects one label, so `istio-injection=enabled` and
 * `istio.io/rev` can never both be set (Istio lets the former win and ignores the revision).
 */
export const meshNamespaceInjectionSchema = z.union(
    [
        z.enum(MESH_NAMESPACE_INJECTION_MODES),
        z.strictObject({ revision: istioRevisionSchema }),
    ],
    { error: INJECTION_MESSAGE },
);

/** Labels the injection setting owns: setting them through `labels` would bypass the one-mode rule. */
export const RESERVED_NAMESPACE_LABELS: readonly string[] = [INJECTION_LABEL, REVISION_LABEL, DATAPLANE_MODE_LABEL, USE_WAYPOINT_LABEL];

const RESERVED_LABEL_MESSAGE: Readonly<Record<string, string>> = {
    [INJECTION_LABEL]: "is set by meshguard from `injection` (one injection mode per namespace); remove it from labels",
    [REVISION_LABEL]: "is set by meshguard from `injection` (one injection mode per namespace); remove it from labels",
    [DATAPLANE_MODE_LABEL]: 'is set by meshguard from `dataplane` (one data plane per namespace); remove it from labels and set dataplane: "ambient"',
    [USE_WAYPOINT_LABEL]: "is set by meshguard from `waypoint`; remove it from labels",
};

const labelValueSchema = z.string({ error: "must be a string label value" }).regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/, {
    error: "must be a label value (at most 63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit)",
}).max(63, { error: "must be a label value of at most 63 characters" });

const labelsSchema = safeRecord(labelKey, labelValueSchema, { error: "must be a map of label names to string values" })
    .superRefine((labels, ctx) => {
        for (const key of Object.keys(labels)) {
            if (RESERVED_NAMESPACE_LABELS.includes(key)) {
                ctx.addIssue({ code: "custom", path: [key], message: RESERVED_LABEL_MESSAGE[key] });
            }
        }
    });

const booleanSchema = (what: string) => z.boolean({ error: `must be true or false (${what})` });

// Structural fields, shared by the full schema and the layout schema (one place for their defaults).
const existingField = booleanSchema("label an existing namespace instead of creating it").default(false);
/** Namespace-wide mTLS: MESH_NAMESPACE_MTLS_MODES (namespace-types.ts) says what each value means. */
const mtlsField = z
    .union([z.boolean(), z.enum(MESH_NAMESPACE_MTLS_MODES)], {
        error: 'must be true or "STRICT" (namespace-wide STRICT PeerAuthentication), "PERMISSIVE" (during a migration to STRICT) or false (none)',
    })
    .optional();
const defaultDenyField = booleanSchema("allow-nothing AuthorizationPolicy").optional();
const dataplaneField = z
    .enum(MESH_NAMESPACE_DATAPLANES, { error: 'must be "sidecar" (sidecar injection) or "ambient" (istio.io/dataplane-mode=ambient: ztunnel, no sidecars)' })
    .optional();
const WAYPOINT_MESSAGE = "must be true, false or an object {name?}";
/** `true`: a waypoint named DEFAULT_WAYPOINT_NAME; `false`/absent: none. Its name is a Gateway, Deployment and ServiceAccount name. */
const waypointField = z.preprocess(
    (v) => (v === true ? {} : v === false ? undefined : v),
    z
        .strictObject(
            {
                name: dns1123LabelSchema(`must be a waypoint name (${DNS1123_LABEL_RULE}; it names the waypoint's Gateway, Deployment and ServiceAccount)`).default(DEFAULT_WAYPOINT_NAME),
            },
            { error: WAYPOINT_MESSAGE },
        )
        .optional(),
);

/** MeshNamespace arguments after validation (the `mesh` resource is checked by the component). */
export const meshNamespaceArgsSchema = z
    .strictObject({
        name: kubernetesNamespaceNameSchema,
        dataplane: dataplaneField,
        waypoint: waypointField,
        injection: meshNamespaceInjectionSchema.optional(),
        existing: existingField,
        labels: labelsSchema.default({}),
        mtls: mtlsField,
        defaultDeny: defaultDenyField,
    })
    .superRefine((args, ctx) => {
        if (args.dataplane === "ambient" && args.injection !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["injection"],
                message: 'must be omitted with dataplane "ambient": the namespace is labelled istio.io/dataplane-mode=ambient and never also for sidecar injection',
            });
        }
        if (args.waypoint !== undefined && args.dataplane !== "ambient") {
            ctx.addIssue({
                code: "custom",
                path: ["waypoint"],
                message: 'needs dataplane "ambient": a waypoint serves ambient workloads, sidecars enforce L7 policy themselves. Fix: set dataplane: "ambient" or remove waypoint',
            });
        }
        if (args.injection !== "disabled") return;
        // Without sidecars nothing enforces STRICT mTLS or an AuthorizationPolicy for this namespace's
        // pods: emitting them by default would claim a protection that does not exist (fail closed).
        for (const field of ["mtls", "defaultDeny"] as const) {
            if (args[field] === undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: [field],
                    message: 'must be set explicitly (true or false) when injection is "disabled": without sidecars this namespace\'s pods do not enforce it',
                });
            }
        }
    });

/** The structural args: they decide which resources MeshNamespace registers, so they must be plain. */
export const MESH_NAMESPACE_PLAIN_FIELDS: readonly string[] = ["existing", "mtls", "defaultDeny", "injection", "dataplane", "waypoint"];

/** Parses only the structural args (the rest may still be deferred); defaults as in the full schema. */
export const meshNamespaceLayoutSchema = z.looseObject({ existing: existingField, mtls: mtlsField, defaultDeny: defaultDenyField, waypoint: waypointField });


/**
 * With `mesh`, the namespace takes the mesh's injection label (istio-injection=enabled, or
 * istio.io/rev for a revisioned control plane); an explicit "enabled" or revision could disagree
 * with it and leave pods uninjected, so only "disabled" may be combined with `mesh`.
 */
export function checkInjectionWithMesh(injection: unknown, hasMesh: boolean): ValidationIssue[] {
    if (!hasMesh || injection === undefined || injection === "disabled") return [];
    return [{
        path: "injection",
        message: 'must be omitted (or "disabled") when `mesh` is given: the namespace takes the mesh\'s injection label',
    }];
}

/**
 * With `mesh`, an ambient namespace needs an ambient mesh (ztunnel, istio-cni): in a sidecar-only
 * mesh nothing would capture its pods. A sidecar namespace may join an ambient mesh (mixed meshes).
 */
export function checkDataplaneWithMesh(dataplane: MeshNamespaceDataplane | undefined, meshDataplane: MeshNamespaceDataplane | undefined): ValidationIssue[] {
    if (dataplane !== "ambient" || meshDataplane === undefined || meshDataplane === "ambient") return [];
    return [{
        path: "dataplane",
        message: 'is "ambient" but `mesh` is installed with dataplane "sidecar" (no ztunnel captures the pods). Fix: set dataplane: "ambient" on the IstioMesh, or remove dataplane here',
    }];
}

/** A namespace that takes dataplane "ambient" from its mesh gets no injection label: say how to get a sidecar namespace. */
export function checkInjectionInAmbientMesh(injection: unknown): ValidationIssue[] {
    if (injection === undefined) return [];
    return [{
        path: "injection",
        message: 'must be omitted: the namespace takes dataplane "ambient" from `mesh` (no injection label). Fix: remove injection, or set dataplane: "sidecar" for a sidecar namespace in this mesh',
    }];
}
