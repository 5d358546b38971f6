import { z } from "zod";
import { dnsLabel, selectorLabels } from "./mesh-policy-fields";
import type { MeshNetworkPoliciesInput, MeshNetworkPolicySettings } from "./mesh-policy-types";

/**
 * The NetworkPolicy part of the MeshPolicy input: which directions meshguard restricts at L3/L4,
 * and where the cluster DNS and istiod run (every restricted pod must still reach both).
 */

/** Pod labels the Istio `gateway` chart gives the release `istio-ingressgateway` (see docs). */
export const DEFAULT_INGRESS_GATEWAY_SELECTOR: Readonly<Record<string, string>> = Object.freeze({ istio: "ingressgateway" });
export const DEFAULT_DNS = Object.freeze({ namespace: "kube-system", selector: Object.freeze({ "k8s-app": "kube-dns" }) });
export const DEFAULT_ISTIOD_SELECTOR: Readonly<Record<string, string>> = Object.freeze({ app: "istiod" });
/** istiod's xDS and CA port (mTLS); sidecars connect to it at start and for certificate rotation. */
export const ISTIOD_XDS_PORT = 15012;
export const DNS_PORT = 53;

const dnsSchema = z
    .strictObject({
        namespace: dnsLabel.default(DEFAULT_DNS.namespace),
        selector: selectorLabels.default({ ...DEFAULT_DNS.selector }),
    })
    .default({ namespace: DEFAULT_DNS.namespace, selector: { ...DEFAULT_DNS.selector } });

const istiodSchema = z
    .strictObject({
        /** Namespace of istiod; defaults to the MeshPolicy's `rootNamespace`. */
        namespace: dnsLabel.optional(),
        selector: selectorLabels.default({ ...DEFAULT_ISTIOD_SELECTOR }),
    })
    .default({ selector: { ...DEFAULT_ISTIOD_SELECTOR } });

const NOT_SETTINGS = "must be false or an object { ingress?, egress?, dns?, istiod? }";

const settingsSchema = z.strictObject(
    {
    /** Default-deny ingress per namespace plus, per destination, exactly its callers' pods and ports. */
    ingress: z.boolean().default(true),
    /** Default-deny egress per namespace plus, per caller, exactly its callees, DNS and istiod (opt-in). */
    egress: z.boolean().default(false),
    /** Where the cluster DNS runs (egress: UDP and TCP 53 to these pods). */
    dns: dnsSchema,
    /** Where istiod runs (egress: TCP 15012 to these pods). */
    istiod: istiodSchema,
    },
    { error: (issue) => (issue.code === "invalid_type" ? NOT_SETTINGS : undefined) },
);

export type NetworkPolicySettings = MeshNetworkPolicySettings;

const OFF: NetworkPolicySettings = {
    ingress: false,
    egress: false,
    dns: { namespace: DEFAULT_DNS.namespace, selector: { ...DEFAULT_DNS.selector } },
    istiod: { selector: { ...DEFAULT_ISTIOD_SELECTOR } },
};

/** What a user writes for `networkPolicies`. */
export type NetworkPoliciesInput = MeshNetworkPoliciesInput;

/**
 * `networkPolicies`: an object of settings, or `false` for neither direction. `false` is mapped
 * before validation (not a union) so an error inside the object names its field.
 */
export const networkPoliciesSchema = z
    .preprocess((value) => (value === false ? { ...OFF } : value), settingsSchema)
    .default({ ...OFF, ingress: true }) as unknown as z.ZodDefault<z.ZodType<NetworkPolicySettings, NetworkPoliciesInput>>;

/** Pod labels of the ingress gateway, for NetworkPolicy peers. */
export const ingressGatewaySelector = selectorLabels.default({ ...DEFAULT_INGRESS_GATEWAY_SELECTOR });
