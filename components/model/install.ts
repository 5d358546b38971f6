import { z } from "zod";
import { DEFAULT_GATEWAY_NAME, DEFAULT_GATEWAY_NAMESPACE, DEFAULT_ISTIO_VERSION, DEFAULT_ROOT_NAMESPACE, DEFAULT_TRUST_DOMAIN } from "../constants";
import { safeRecord } from "./record";
import { dns1123LabelSchema, istioRevisionSchema, kubernetesNamespaceNameSchema } from "./namespace";
import { hasPath, isRecord } from "../kube";
import { compareVersions } from "./version";
import { checkDataplane, dataplaneField, gatewayApiField, withAmbientDefaults } from "./install-dataplane";
import { DEFAULT_ACCESS_LOG_FILE, ISTIO_CHART_KEYS, ISTIO_INSTALLERS, IstioChartKey, OUTBOUND_TRAFFIC_POLICY_MODES, PATH_NORMALIZATION_TYPES } from "./install-types";

// The constants and types live in the zod-free install-types.ts (the public declarations).
export {
    DEFAULT_ACCESS_LOG_FILE,
    DEFAULT_GATEWAY_NAME,
    DEFAULT_GATEWAY_NAMESPACE,
    GATEWAY_API_MODES,
    ISTIO_CHART_KEYS,
    ISTIO_DATAPLANES,
    ISTIO_INSTALLERS,
    OUTBOUND_TRAFFIC_POLICY_MODES,
    PATH_NORMALIZATION_TYPES,
} from "./install-types";
export type { ControlPlaneNetworkSettings, GatewayApiMode, IstioChartKey, IstioDataplane, IstioCniSettings, IstioGatewaySettings, IstioInstaller, IstioMeshConfigSettings, IstioMeshLayout, IstioMeshSettings } from "./install-types";

const EXACT_VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const VERSION_MESSAGE = `must be an exact Istio version "x.y.z" such as "${DEFAULT_ISTIO_VERSION}" (ranges, "latest", pre-releases and a "v" prefix are rejected)`;

const versionSchema = z.string({ error: VERSION_MESSAGE }).regex(EXACT_VERSION, { error: VERSION_MESSAGE });

const installerSchema = z.enum(ISTIO_INSTALLERS, {
    error: 'must be "chart" (helm.v4.Chart, the default) or "release" (helm.v3.Release)',
});

const booleanSchema = (what: string) => z.boolean({ error: `must be true or false (${what})` });

// Structural fields, shared by the full schema and the layout schema (one place for their defaults).
const installerField = installerSchema.default("chart");
const createNamespaceField = booleanSchema("create the root namespace").default(true);
const mtlsField = booleanSchema("mesh-wide STRICT PeerAuthentication in the root namespace").default(true);
const gatewayCreateNamespaceField = booleanSchema("create the gateway namespace").default(true);

const TRUST_DOMAIN_MESSAGE = 'must be a trust domain: lowercase letters, digits, ".", "-" and "_", at most 255 characters (e.g. "cluster.local")';
const trustDomainSchema = z
    .string({ error: TRUST_DOMAIN_MESSAGE })
    .max(255, { error: TRUST_DOMAIN_MESSAGE })
    .regex(/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/, { error: TRUST_DOMAIN_MESSAGE });

const ACCESS_LOG_MESSAGE = 'must be an absolute file path such as "/dev/stdout", or "" to turn access logs off explicitly';
const accessLogFileSchema = z.string({ error: ACCESS_LOG_MESSAGE }).regex(/^(\/\S*)?$/, { error: ACCESS_LOG_MESSAGE });

const enumMessage = (values: readonly string[]) => `must be one of ${values.map((v) => `"${v}"`).join(", ")}`;

/** The meshConfig subset meshguard types; anything else goes through `values.istiod.meshConfig`. */
export const istioMeshConfigSchema = z.strictObject(
    {
        trustDomain: trustDomainSchema.default(DEFAULT_TRUST_DOMAIN),
        accessLogFile: accessLogFileSchema.default(DEFAULT_ACCESS_LOG_FILE),
        outboundTrafficPolicy: z
            .strictObject(
                { mode: z.enum(OUTBOUND_TRAFFIC_POLICY_MODES, { error: enumMessage(OUTBOUND_TRAFFIC_POLICY_MODES) }) },
                { error: "must be an object {mode}" },
            )
            .optional(),
        pathNormalization: z
            .strictObject(
                { normalization: z.enum(PATH_NORMALIZATION_TYPES, { error: enumMessage(PATH_NORMALIZATION_TYPES) }) },
                { error: "must be an object {normalization}" },
            )
            .optional(),
    },
    { error: "must be an object {trustDomain?, accessLogFile?, outboundTrafficPolicy?, pathNormalization?}" },
);

const RELEASE_NAME_MESSAGE = 'must be a Helm release name (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 53 characters)';
const releaseNameSchema = dns1123LabelSchema(RELEASE_NAME_MESSAGE).max(53, { error: RELEASE_NAME_MESSAGE });

/** `true` enables a component with its defaults, an object tunes it, `false`/absent leaves it out. */
function optionalComponent<T extends z.ZodType>(schema: T) {
    return z.preprocess((v) => (v === true ? {} : v === false ? undefined : v), schema.optional());
}

const gatewaySchema = z.strictObject(
    {
        namespace: kubernetesNamespaceNameSchema.default(DEFAULT_GATEWAY_NAMESPACE),
        createNamespace: gatewayCreateNamespaceField,
        name: releaseNameSchema.default(DEFAULT_GATEWAY_NAME),
        /** The control-plane revision that injects the gateway (default: the mesh's): the canary hand-over, docs/upgrade.md. */
        revision: istioRevisionSchema.optional(),
    },
    { error: "must be true, false or an object {namespace?, createNamespace?, name?, revision?}" },
);

/** Like optionalComponent, but on when absent: only an explicit `false` leaves it out. */
function defaultOnComponent<T extends z.ZodType>(schema: T) {
    // `false` travels as null: zod skips an optional schema's preprocess for an absent key and
    // replaces an undefined result with a default, so neither can carry "off". A null given by the
    // user is not "off": it is handed on as a non-object, so the schema rejects it with its message.
    return z
        .preprocess((v) => (v === undefined || v === true ? {} : v === false ? null : v === null ? [] : v), schema.nullable())
        .transform((v) => v ?? undefined);
}

const controlPlaneNetworkSchema = z.strictObject(
    { monitoringNamespace: kubernetesNamespaceNameSchema.optional() },
    { error: "must be true, false or an object {monitoringNamespace?}" },
);

const cniSchema = z.strictObject(
    { namespace: kubernetesNamespaceNameSchema.optional() },
    { error: "must be true, false or an object {namespace?}" },
);

/** Free-form Helm values: every key at every depth must survive a plain object (they are merged and serialised). */
const chartValuesSchema = safeRecord(z.string(), z.unknown(), { error: "must be an object of Helm values", deep: true });

/** Values meshguard derives from typed args: overriding them through `values` would make its outputs lie. */
export const RESERVED_CHART_VALUES: Readonly<Record<IstioChartKey, readonly (readonly string[])[]>> = Object.freeze({
    base: [["defaultRevision"], ["global", "istioNamespace"], ["base", "validationFailurePolicy"]],
    cni: [],
    istiod: [
        ["revision"],
        ["global", "istioNamespace"],
        ["meshConfig", "trustDomain"],
        ["meshConfig", "rootNamespace"],
        ["base", "validationFailurePolicy"],
        ["pilot", "cni", "enabled"],
    ],
    gateway: [["revision"], ["name"]],
    ztunnel: [["revision"], ["istioNamespace"]],
});

const valuesSchema = z.strictObject(
    {
        base: chartValuesSchema.optional(),
        cni: chartValuesSchema.optional(),
        istiod: chartValuesSchema.optional(),
        gateway: chartValuesSchema.optional(),
        ztunnel: chartValuesSchema.optional(),
    },
    { error: "must be an object {base?, cni?, istiod?, gateway?, ztunnel?} of Helm values per chart" },
);

const PROMOTED_CANARY_MESSAGE = "must be the resource name of the canary IstioMesh being promoted (the first argument of `new IstioMesh(name, { canaryOf })`)";
const promotedCanarySchema = z.string({ error: PROMOTED_CANARY_MESSAGE }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: PROMOTED_CANARY_MESSAGE }).max(200, { error: PROMOTED_CANARY_MESSAGE });

/** IstioMesh arguments after validation, defaults applied. */
export const istioMeshArgsSchema = z.preprocess(withAmbientDefaults, z
    .strictObject({
        version: versionSchema.default(DEFAULT_ISTIO_VERSION),
        dataplane: dataplaneField,
        gatewayApi: gatewayApiField,
        baseVersion: versionSchema.optional(),
        promotedCanary: promotedCanarySchema.optional(),
        installer: installerField,
        revision: istioRevisionSchema.optional(),
        namespace: kubernetesNamespaceNameSchema.default(DEFAULT_ROOT_NAMESPACE),
        createNamespace: createNamespaceField,
        meshConfig: istioMeshConfigSchema.prefault({}),
        gateway: optionalComponent(gatewaySchema),
        cni: optionalComponent(cniSchema),
        values: valuesSchema.default({}),
        mtls: mtlsField,
        controlPlaneNetworkPolicies: defaultOnComponent(controlPlaneNetworkSchema),
    })
    .superRefine((args, ctx) => {
        checkDataplane(args, args.values, ctx);
        // The base chart (CRDs) may run ahead of istiod during a canary window (CRDs first), never behind it.
        if (args.baseVersion !== undefined && compareVersions(args.baseVersion, args.version) < 0) {
            ctx.addIssue({
                code: "custom",
                path: ["baseVersion"],
                message: `"${args.baseVersion}" is older than version "${args.version}"; istiod needs CRDs at least as new as itself. Fix: remove baseVersion or set it to "${args.version}" or newer`,
            });
        }
        if (args.promotedCanary !== undefined) {
            // compile/install.ts hands the canary's istiod objects over through helm.v4.Chart's resourcePrefix.
            if (args.revision === undefined) {
                ctx.addIssue({ code: "custom", path: ["revision"], message: "is required with promotedCanary: set it to the promoted canary's revision. Fix: copy revision from the canary" });
            }
            if (args.installer === "release") {
                ctx.addIssue({
                    code: "custom",
                    path: ["promotedCanary"],
                    message: 'cannot hand a helm.v3.Release over: the canary\'s release would be deleted and the primary\'s could not be installed under the same Helm release name. Fix: promote with installer "chart", or keep the canary IstioMesh until the next upgrade',
                });
            }
        }
        const istiodValues = args.values.istiod;
        if (args.controlPlaneNetworkPolicies && istiodValues !== undefined && isRecord(istiodValues) && chartNetworkPolicyEnabled(istiodValues)) {
            ctx.addIssue({
                code: "custom",
                path: ["values", "istiod", "global", "networkPolicy", "enabled"],
                message:
                    "turns on the chart's own NetworkPolicy, which opens 15010 (plaintext xDS), 8080 (debug) and 15014 to every source alongside meshguard's; remove it (meshguard's controlPlaneNetworkPolicies guards istiod) or set controlPlaneNetworkPolicies: false",
            });
        }
        for (const chart of ISTIO_CHART_KEYS) {
            const values = args.values[chart];
            if (values === undefined || !isRecord(values)) continue;
            if ((chart === "gateway" && !args.gateway) || (chart === "cni" && !args.cni)) {
                ctx.addIssue({ code: "custom", path: ["values", chart], message: `is set but ${chart} is not enabled; enable ${chart} or remove these values` });
                continue;
            }
            if (chart === "ztunnel" && args.dataplane !== "ambient") {
                ctx.addIssue({ code: "custom", path: ["values", chart], message: 'is set but ztunnel is installed only with dataplane "ambient"; set dataplane: "ambient" or remove these values' });
                continue;
            }
            for (const reserved of RESERVED_CHART_VALUES[chart]) {
                if (hasPath(values, reserved)) {
                    ctx.addIssue({ code: "custom", path: ["values", chart, ...reserved], message: RESERVED_MESSAGE[reserved.join(".")] });
                }
            }
        }
    }));

const RESERVED_MESSAGE: Readonly<Record<string, string>> = {
    defaultRevision: "is set by meshguard from `revision`; use that argument instead",
    revision: "is set by meshguard from `revision`; use that argument instead",
    name: "is set by meshguard from `gateway.name`; use that argument instead",
    "global.istioNamespace": "is set by meshguard from `namespace`; use that argument instead",
    "meshConfig.trustDomain": "is set by meshguard from `meshConfig.trustDomain`; use that argument instead",
    "meshConfig.rootNamespace": "must stay the install namespace, where meshguard puts the mesh-wide policies; remove it",
    "base.validationFailurePolicy": 'is set by meshguard to "Fail" (the value istiod converges to, so there is no perpetual diff); remove it',
    "pilot.cni.enabled": "is set by meshguard from `cni`; use that argument instead",
    istioNamespace: "is set by meshguard from `namespace`; use that argument instead",
};

function chartNetworkPolicyEnabled(values: Record<string, unknown>): boolean {
    const global = values["global"];
    const networkPolicy = isRecord(global) ? global["networkPolicy"] : undefined;
    return isRecord(networkPolicy) && networkPolicy["enabled"] !== undefined && networkPolicy["enabled"] !== false;
}

/** The structural args: they decide which resources IstioMesh registers, so they must be plain. */
export const ISTIO_MESH_PLAIN_FIELDS: readonly string[] = [
    "installer",
    "dataplane",
    "gatewayApi",
    "createNamespace",
    "mtls",
    "gateway",
    "gateway.createNamespace",
    "cni",
    "controlPlaneNetworkPolicies",
];

/** Parses only the structural args (the rest may still be deferred); defaults as in the full schema. */
export const istioMeshLayoutSchema = z.preprocess(withAmbientDefaults, z.looseObject({
    installer: installerField,
    dataplane: dataplaneField,
    gatewayApi: gatewayApiField,
    createNamespace: createNamespaceField,
    mtls: mtlsField,
    gateway: optionalComponent(z.looseObject({ createNamespace: gatewayCreateNamespaceField })),
    cni: optionalComponent(z.looseObject({})),
    controlPlaneNetworkPolicies: defaultOnComponent(z.looseObject({})),
}).superRefine((args, ctx) => checkDataplane(args, undefined, ctx)));

