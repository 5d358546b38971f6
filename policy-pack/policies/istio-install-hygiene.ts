import { ResourceValidationPolicy } from "@pulumi/policy";
import { DEFAULT_ISTIO_VERSION } from "../../components/constants";
import { configSchema } from "../lib/config";
import { validateIstioInstalls } from "../lib/helm";

const EXACT_VERSION = /^\d+\.\d+\.\d+$/;

export const istioInstallHygiene: ResourceValidationPolicy = {
    name: "istio-install-hygiene",
    description:
        "Istio base and istiod Helm charts/releases must pin an exact chart version (x.y.z) and must keep istiod's configuration validation webhook enabled.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: validateIstioInstalls((install, _config, report) => {
        if (install.version === undefined || !EXACT_VERSION.test(install.version)) {
            report(
                "version",
                install.version === undefined
                    ? "no chart version is set, so Helm installs whatever is latest and the control plane upgrades itself the next time the program runs"
                    : `"${install.version}" is not an exact version, so the installed control plane changes whenever a matching release appears`,
                `pin the exact Istio version, e.g. version: "${DEFAULT_ISTIO_VERSION}", and upgrade deliberately`,
            );
        }
        const validation = install.value(["global", "configValidation"]);
        if (validation === false || validation === "false") {
            report(
                "values.global.configValidation",
                "false removes istiod's validating webhook, so malformed AuthorizationPolicies and PeerAuthentications are accepted and silently ignored or widened",
                "remove global.configValidation (it defaults to true)",
            );
        }
    }),
};
