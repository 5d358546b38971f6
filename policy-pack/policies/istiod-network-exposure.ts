import { ResourceValidationPolicy } from "@pulumi/policy";
import { REVISION_LABEL } from "../../components/constants";
import { configSchema } from "../lib/config";
import { coversTcpPort, networkPolicyKindOf, NetworkPolicyRule, ruleAdmitsEveryone, rulePorts, rulesOf, selectsEverything } from "../lib/network-policy";
import { isUnknownValue, knownRecord, UnknownValue } from "../lib/preview-values";
import { ObjectReporter, validateObjects } from "../lib/resource-policy";

/**
 * Labels the istiod chart puts on its pods, with the values they can take
 * (manifests/charts/istio-control/istio-discovery/templates/deployment.yaml, 1.30); `undefined`
 * means any value (the revision, the owning resource).
 */
const ISTIOD_POD_LABELS: Readonly<Record<string, readonly string[] | undefined>> = {
    app: ["istiod"],
    istio: ["pilot", "istiod"],
    [REVISION_LABEL]: undefined,
    "app.kubernetes.io/name": ["istiod"],
    "operator.istio.io/component": ["Pilot"],
    "install.operator.istio.io/owning-resource": undefined,
    "sidecar.istio.io/inject": ["false"],
    "istio.io/dataplane-mode": ["none"],
};

/** Ports istiod must never accept from anyone: plaintext xDS and the HTTP debug port (chart port names). */
const CLOSED_PORTS: readonly { port: number; name: string; what: string }[] = [
    { port: 15010, name: "grpc-xds", what: "15010 (plaintext xDS, no mTLS)" },
    { port: 8080, name: "http-debug", what: "8080 (the HTTP debug interface)" },
];
/** Ports that every mesh pod (15012 xDS/CA) and the API server (15017 webhooks) must reach. */
const OPEN_TO_EVERYONE: readonly { port: number; name: string }[] = [
    { port: 15012, name: "tls-xds" },
    { port: 15017, name: "https-webhooks" },
];

/** Whether a pod selector can select istiod's pods (matchExpressions only narrow, so they are not read: fail closed). */
function mayMatchIstiod(podSelector: unknown): boolean | UnknownValue {
    const everything = selectsEverything(podSelector);
    if (everything !== false) return everything;
    const labels = knownRecord(knownRecord(podSelector)?.["matchLabels"]) ?? {};
    for (const [key, value] of Object.entries(labels)) {
        if (isUnknownValue(value)) return value;
        if (!(key in ISTIOD_POD_LABELS)) return false;
        const allowed = ISTIOD_POD_LABELS[key];
        if (allowed !== undefined && !allowed.includes(String(value))) return false;
    }
    return true;
}

export const istiodNetworkExposure: ResourceValidationPolicy = {
    name: "istiod-network-exposure",
    description:
        "NetworkPolicies in the root namespace that select istiod's pods must not open 15010 (plaintext xDS) or 8080 (debug) to anyone, nor any port other than 15012 (xDS/CA) and 15017 (webhooks) to every source.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: validateObjects(
        { appliesTo: "Kubernetes NetworkPolicy", kindOf: networkPolicyKindOf, wholeObject: true },
        ({ object, config }, report) => {
            if (object.unknownNamespace !== undefined) {
                return report.unverifiable("metadata.namespace", object.unknownNamespace, `in the root namespace ${config.rootNamespace}, a rule opening istiod beyond 15012/15017 would be refused`);
            }
            if (object.namespace !== config.rootNamespace) return;
            const spec = object.values["spec"];
            if (isUnknownValue(spec)) return report.unverifiable("spec", spec, "a rule opening istiod beyond 15012/15017 would be refused");
            const record = knownRecord(spec) ?? {};
            const selects = mayMatchIstiod(record["podSelector"]);
            if (isUnknownValue(selects)) return report.unverifiable("spec.podSelector", selects, "if it selects istiod's pods, a rule opening istiod beyond 15012/15017 would be refused");
            if (!selects) return;
            const { rules, unknown } = rulesOf(record, "ingress");
            if (unknown !== undefined) report.unverifiable(unknown.path, unknown.unknown, "an ingress rule opening istiod beyond 15012/15017 would be refused");
            for (const rule of rules) checkRule(rule, report);
        },
    ),
};

function checkRule(rule: NetworkPolicyRule, report: ObjectReporter): void {
    const ports = rulePorts(rule);
    if ("unknown" in ports) return report.unverifiable(ports.path, ports.unknown, "a port that opens 15010 or 8080 of istiod would be refused");
    const entries = ports.all ? [{ path: rule.path, port: undefined, endPort: undefined, protocol: "TCP" }] : ports.ports;
    for (const entry of entries) {
        const closed = CLOSED_PORTS.filter((c) => coversTcpPort(entry, c.port, c.name));
        if (closed.length > 0) {
            report(
                entry.path === rule.path ? `${rule.path}.ports` : entry.path,
                `${entry.path === rule.path ? "no ports means every port, which" : "this port"} opens istiod's ${closed.map((c) => c.what).join(" and ")}`,
                "list only 15012 (from the mesh), 15017 (webhooks) and 15014 (from the monitoring namespace); the kubelet's readiness probe on 8080 needs no rule",
            );
        }
    }
    const everyone = ruleAdmitsEveryone(rule);
    if (everyone === false) return;
    const beyond = ports.all ? undefined : ports.ports.filter((p) => !OPEN_TO_EVERYONE.some((o) => p.protocol === "TCP" && (p.port === o.port || p.port === o.name) && p.endPort === undefined));
    if (beyond !== undefined && beyond.length === 0) return;
    if (everyone !== true) return report.unverifiable(everyone.path, everyone.unknown, "a peer that admits everyone to istiod beyond 15012/15017 would be refused");
    report(
        rule.path,
        `this rule admits every source to istiod on ${beyond === undefined ? "every port" : beyond.map((p) => (p.port === undefined ? "every port" : p.endPort === undefined ? String(p.port) : `${p.port}-${p.endPort}`)).join(", ")}; only 15012 (xDS/CA) and 15017 (webhooks) may be open to everyone`,
        "restrict the rule's `from` (e.g. 15014 to the monitoring namespace only) or drop those ports",
    );
}
