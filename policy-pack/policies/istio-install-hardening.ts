import { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema } from "../lib/config";
import { validateIstioInstalls } from "../lib/helm";

/** ProxyPathNormalization values weaker than MERGE_SLASHES (DEFAULT is BASE). */
const WEAK_NORMALIZATION = new Set(["NONE", "BASE", "DEFAULT"]);

const schema = configSchema();
schema.properties["flagIstioDefaults"] = {
    type: "boolean",
    default: false,
    description: "Also report when the settings are unset, so Istio's defaults (BASE normalization, ALLOW_ANY egress) apply.",
};

export const istioInstallHardening: ResourceValidationPolicy = {
    name: "istio-install-hardening",
    description:
        "The istiod chart should normalize request paths at least with MERGE_SLASHES and restrict egress with outboundTrafficPolicy REGISTRY_ONLY; weaker settings make path-based AuthorizationPolicies bypassable and let workloads reach any host.",
    enforcementLevel: "advisory",
    configSchema: schema,
    validateResource: validateIstioInstalls((install, config, report) => {
        if (install.chart !== "istiod") return;
        const flagDefaults = config.raw["flagIstioDefaults"] === true;
        const normalization = install.value(["meshConfig", "pathNormalization", "normalization"]);
        if ((typeof normalization === "string" && WEAK_NORMALIZATION.has(normalization)) || (normalization === undefined && flagDefaults)) {
            report(
                "values.meshConfig.pathNormalization.normalization",
                normalization === undefined
                    ? "is unset, so Istio's default BASE applies: paths such as //admin or /public//../admin reach the workload in a form path rules may not match"
                    : `${normalization} leaves paths such as //admin un-normalized, so a path-based AuthorizationPolicy can be bypassed`,
                'set meshConfig.pathNormalization.normalization to "MERGE_SLASHES" (or "DECODE_AND_MERGE_SLASHES")',
            );
        }
        const mode = install.value(["meshConfig", "outboundTrafficPolicy", "mode"]);
        if (mode === "ALLOW_ANY" || (mode === undefined && flagDefaults)) {
            report(
                "values.meshConfig.outboundTrafficPolicy.mode",
                mode === undefined
                    ? "is unset, so Istio's default ALLOW_ANY applies: workloads can reach any external host"
                    : "ALLOW_ANY lets workloads reach any external host, including ones not in the service registry",
                'set meshConfig.outboundTrafficPolicy.mode to "REGISTRY_ONLY" and declare external hosts with ServiceEntries',
            );
        }
    }),
};

