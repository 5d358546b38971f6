import { z } from "zod";
import { isRecord } from "../kube";
import { GATEWAY_API_VERSION } from "../constants";
import { GATEWAY_API_MODES, ISTIO_DATAPLANES, IstioChartKey, IstioDataplane, GatewayApiMode } from "./install-types";

// IstioMesh's data plane (docs/ambient.md): the fields, their defaults and the checks across fields.

export const dataplaneField = z
    .enum(ISTIO_DATAPLANES, { error: 'must be "sidecar" (sidecar injection, the default) or "ambient" (istio-cni and ztunnel, no sidecars)' })
    .default("sidecar");

export const gatewayApiField = z
    .enum(GATEWAY_API_MODES, {
        error: `must be "install" (meshguard installs the Gateway API ${GATEWAY_API_VERSION} standard CRDs) or "assume-present" (the cluster already has them)`,
    })
    .optional();

/**
 * Ambient needs the istio-cni node agent (it redirects pod traffic to ztunnel), so it is on unless
 * the user turns it off; `cni: false` stays undefined after parsing and checkDataplane rejects it.
 */
export function withAmbientDefaults(args: unknown): unknown {
    if (!isRecord(args) || args["dataplane"] !== "ambient" || args["cni"] !== undefined) return args;
    return { ...args, cni: true };
}

interface DataplaneArgs {
    dataplane: IstioDataplane;
    gatewayApi?: GatewayApiMode | undefined;
    cni?: object | undefined;
}

/** The charts whose `profile` value selects ambient (their files/profile-ambient.yaml). */
const PROFILE_CHARTS: readonly IstioChartKey[] = ["istiod", "cni", "ztunnel"];

/** Cross-field rules of the data plane, for the full and the layout schema alike. */
export function checkDataplane(args: DataplaneArgs, values: Partial<Record<IstioChartKey, unknown>> | undefined, ctx: z.RefinementCtx): void {
    if (args.dataplane === "ambient") {
        if (args.cni === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["cni"],
                message: 'must not be false with dataplane "ambient": ambient mode needs the istio-cni node agent, which redirects pod traffic to ztunnel. Fix: remove cni or set it to true',
            });
        }
        if (args.gatewayApi === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["gatewayApi"],
                message: `must be set with dataplane "ambient" (waypoints are Gateway API Gateways): "install" to install the Gateway API ${GATEWAY_API_VERSION} standard CRDs, or "assume-present" when the cluster already has them`,
            });
        }
    }
    for (const chart of PROFILE_CHARTS) {
        const chartValues = values?.[chart];
        if (!isRecord(chartValues) || chartValues["profile"] === undefined) continue;
        if (args.dataplane === "ambient") {
            ctx.addIssue({ code: "custom", path: ["values", chart, "profile"], message: 'is set by meshguard from `dataplane` ("ambient"); remove it' });
        } else if (chartValues["profile"] === "ambient") {
            ctx.addIssue({
                code: "custom",
                path: ["values", chart, "profile"],
                message: 'turns ambient mode on behind meshguard\'s back (no ztunnel, sidecar-mode policies). Fix: remove it and set dataplane: "ambient"',
            });
        }
    }
}
