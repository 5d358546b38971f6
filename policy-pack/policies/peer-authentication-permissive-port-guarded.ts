import { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { DRY_RUN_ANNOTATION } from "../../components/constants";
import { configSchema } from "../lib/config";
import { listForMessage, violationMessage } from "../lib/messages";
import { asList, asRecord } from "../lib/object";
import { networkGuardOf, stackNetworkPolicies } from "../lib/permissive-guard";
import { objectExemption, readMeshStack, reportOnObject, selectorLabels, specOf, StackObject } from "../lib/stack";

/**
 * A PERMISSIVE port (`portLevelMtls`) accepts plaintext, whose callers carry no identity: only a
 * NetworkPolicy can say who they are. The port is accepted when, and only when, all three parts
 * of the pattern MeshPolicy's `outOfMesh` callers compile to are present (docs/mesh-policy.md,
 * "Callers outside the mesh"):
 *  1. the workload-scoped PeerAuthentication's PERMISSIVE entry for the port (what is judged);
 *  2. an ALLOW AuthorizationPolicy selecting those pods with a rule naming the port (so the port
 *     is under authorization, not open because no ALLOW policy selects the pods);
 *  3. NetworkPolicies restricting that port of those pods to named peers: one selects every such
 *     pod for ingress, and no rule that may apply opens the port to every source.
 * Composition: PERMISSIVE for a whole workload or namespace is peer-authentication-strict's (and
 * mesh-strict-mtls-coverage's) verdict, never accepted, since it opens every port; this policy
 * judges only port-level PERMISSIVE, which peer-authentication-strict leaves to it, so one mistake
 * gets one mandatory verdict.
 */
export const peerAuthenticationPermissivePortGuarded: StackValidationPolicy = {
    name: "peer-authentication-permissive-port-guarded",
    description:
        "A PERMISSIVE portLevelMtls entry (plaintext accepted on that container port) is accepted only with its guard: an ALLOW AuthorizationPolicy rule for the port on those pods, and NetworkPolicies that isolate the pods and admit only named peers to the port; otherwise it is refused.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const stack = readMeshStack(args, reportViolation, { istioKinds: ["PeerAuthentication", "AuthorizationPolicy"] });
        const networkPolicies = stackNetworkPolicies(args.resources);
        const allows = (stack.istio.get("AuthorizationPolicy") ?? []).filter(isEnforcedAllow);
        for (const pa of stack.istio.get("PeerAuthentication") ?? []) {
            if (objectExemption(stack, pa.object) !== undefined) continue;
            const spec = specOf(pa);
            const labels = selectorLabels(spec);
            const namespace = pa.object.namespace ?? "default";
            for (const [key, setting] of Object.entries(asRecord(spec["portLevelMtls"]))) {
                if (asRecord(setting)["mode"] !== "PERMISSIVE") continue;
                const path = `spec.portLevelMtls["${key}"].mode`;
                const port = Number(key);
                // Without a selector Istio ignores portLevelMtls (istio-resource-schema refuses it).
                if (labels === undefined || !Number.isInteger(port)) continue;
                const missing: string[] = [];
                if (!allows.some((ap) => allowsPort(ap, namespace, labels, key))) {
                    missing.push(`no ALLOW AuthorizationPolicy selecting these pods has a rule for port ${port}`);
                }
                const guard = networkGuardOf(networkPolicies, namespace, labels, port);
                if (guard.guarded === "unknown") {
                    reportAdvisory(
                        reportViolation,
                        violationMessage(
                            pa.object.subject,
                            path,
                            `cannot be verified during preview: ${guard.where.path} of ${guard.where.subject} is unknown until the update, and a PERMISSIVE port without a NetworkPolicy guard would be refused`,
                            "nothing to do if the NetworkPolicies guard the port: the policy runs again with the known values during the update",
                        ),
                        pa.resource.urn,
                    );
                    continue;
                }
                if (guard.guarded === false) missing.push(guard.why);
                if (missing.length === 0) continue;
                reportOnObject(
                    reportViolation,
                    pa,
                    path,
                    `PERMISSIVE accepts plaintext on port ${port} of the pods ${JSON.stringify(labels)}, whose callers carry no identity, and the port is not guarded: ${listForMessage(missing)}`,
                    `declare the plaintext callers as MeshPolicy \`outOfMesh\` callers (it emits all three parts), or add an ALLOW rule for port ${port} and a NetworkPolicy that admits only those callers' pods to it, or set the port to STRICT`,
                );
            }
        }
    },
};

/** An ALLOW policy (action ALLOW or unset) that is enforced (not dry-run) and targets workloads. */
function isEnforcedAllow(ap: StackObject): boolean {
    const spec = specOf(ap);
    const action = spec["action"];
    return (action === undefined || action === "ALLOW") && ap.object.annotations[DRY_RUN_ANNOTATION] !== "true" && spec["targetRef"] === undefined && spec["targetRefs"] === undefined;
}

/** Whether `ap` (in the PeerAuthentication's namespace) selects every pod with `labels` and has a rule whose operations name `port`. */
function allowsPort(ap: StackObject, namespace: string, labels: Readonly<Record<string, string>>, port: string): boolean {
    if ((ap.object.namespace ?? "default") !== namespace) return false;
    const spec = specOf(ap);
    const own = selectorLabels(spec) ?? {};
    if (!Object.entries(own).every(([k, v]) => labels[k] === v)) return false;
    return asList(spec["rules"]).some((rule) => {
        const to = asList(asRecord(rule)["to"]);
        return to.length > 0 && to.every((t) => asList(asRecord(asRecord(t)["operation"])["ports"]).includes(port));
    });
}

function reportAdvisory(reportViolation: ReportViolation, message: string, urn: string): void {
    // The SDK's reportViolation also takes a violation object (server.js makeReportViolationFun):
    // an unknown value stays advisory even when the policy is configured mandatory.
    (reportViolation as unknown as (v: { message: string; urn: string; enforcementLevel: "advisory" }) => void)({ message, urn, enforcementLevel: "advisory" });
}
