import { StackValidationPolicy, UnknownValueError } from "@pulumi/policy";
import { configSchema } from "../lib/config";
import { readHelmInstall } from "../lib/helm";
import { isHelmInstallType } from "../lib/kinds";
import { violationMessage } from "../lib/messages";
import { objectExemption, readMeshStack, specOf } from "../lib/stack";

const MODE_PATH = ["meshConfig", "outboundTrafficPolicy", "mode"];

/**
 * Declared external egress (ServiceEntries, e.g. a MeshPolicy's `external`) only limits what
 * sidecars reach when meshConfig.outboundTrafficPolicy.mode is REGISTRY_ONLY: with ALLOW_ANY —
 * Istio's default when unset (istio pkg/config/mesh/mesh.go DefaultMeshConfig) — or
 * ALLOW_ANY_DYNAMIC_DNS, every other host stays reachable through the passthrough cluster and
 * the ServiceEntries restrict nothing. Reads the istiod chart values with the pack's one Helm
 * reader (lib/helm.ts), as istio-install-hardening does.
 */
export const meshOutboundRegistryOnly: StackValidationPolicy = {
    name: "mesh-outbound-registry-only",
    description:
        "When the stack declares external egress (a MESH_EXTERNAL ServiceEntry), the istiod it installs must set meshConfig.outboundTrafficPolicy.mode REGISTRY_ONLY: with ALLOW_ANY (Istio's default) every undeclared host stays reachable and the declaration restricts nothing.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const stack = readMeshStack(args, reportViolation, { istioKinds: ["ServiceEntry"] });
        const external = (stack.istio.get("ServiceEntry") ?? []).filter((entry) => objectExemption(stack, entry.object) === undefined && (specOf(entry)["location"] ?? "MESH_EXTERNAL") === "MESH_EXTERNAL");
        if (external.length === 0) return;
        const declared = `${external[0].object.subject}${external.length > 1 ? ` and ${external.length - 1} more ServiceEntr${external.length === 2 ? "y" : "ies"}` : ""}`;
        for (const resource of args.resources) {
            if (!isHelmInstallType(resource.type)) continue;
            try {
                const install = readHelmInstall(resource);
                if (install?.chart !== "istiod") continue;
                const mode = install.value(MODE_PATH);
                if (mode === "REGISTRY_ONLY") continue;
                const problem =
                    mode === undefined
                        ? `is unset, so Istio's default ALLOW_ANY applies while the stack declares external egress (${declared}): every undeclared external host stays reachable`
                        : `${JSON.stringify(mode)} lets workloads reach hosts the stack does not declare (it declares ${declared}), so the declaration restricts nothing`;
                reportViolation(
                    violationMessage(install.subject, "values.meshConfig.outboundTrafficPolicy.mode", problem, 'set meshConfig.outboundTrafficPolicy.mode to "REGISTRY_ONLY" (IstioMesh meshConfig.outboundTrafficPolicy)'),
                    resource.urn,
                );
            } catch (err) {
                if (!(err instanceof UnknownValueError)) throw err;
                // An unknown value stays advisory (as the SDK does for resource policies).
                (reportViolation as unknown as (v: { message: string; urn: string; enforcementLevel: "advisory" }) => void)({
                    message: `${resource.type} ${resource.name}: can't be verified during preview: ${(err as Error).message}; it is checked again when the value is known`,
                    urn: resource.urn,
                    enforcementLevel: "advisory",
                });
            }
        }
    },
};
