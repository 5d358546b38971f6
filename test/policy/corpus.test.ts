import * as assert from "assert";
import { waypointGateway } from "../../components/compile/waypoint";
import { APP_CONTAINER, service } from "../fixtures/objects";
import { k8s, runPack, TestResource, violatedPolicies } from "./harness";
import {
    authorizationPolicy,
    chartGateway,
    classicGateway,
    deployment,
    defaultDenyIngress,
    destinationRule,
    helmChart,
    ISTIO_REPO,
    MESH_LABELS,
    namespace,
    networkPolicy,
    peerAuthentication,
    requestAuthentication,
    secureStack,
    serviceEntry,
    workload,
} from "./fixtures";

/**
 * The corpus: each case is a secure baseline stack plus (or minus) one object, run through the
 * whole pack; the case states exactly which policies it must violate ([] = passes).
 */
interface Case {
    readonly title: string;
    readonly add?: TestResource[];
    /** Replaces the baseline entirely. */
    readonly stack?: TestResource[];
    readonly expect: string[];
}

const from = (principals: string[]) => [{ source: { principals } }];

const STAGED = { annotations: { "meshguard.io/staged-enforcement": "dry-run" } };
const stagedSpec = { selector: { matchLabels: { app: "api" } }, action: "ALLOW", rules: [{ to: [{ operation: { ports: ["8080"] } }] }] };

/**
 * The secure ambient baseline, as MeshPolicy compiles a namespace with a waypoint: ztunnel admits
 * only the waypoint, the L7 rules sit on the waypoint (targetRefs to the Service).
 */
function ambientStack(namespaceLabels: Record<string, string> = { "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint" }): TestResource[] {
    return [
        namespace("istio-system"),
        peerAuthentication("istio-system", "default", { mtls: { mode: "STRICT" } }),
        authorizationPolicy("istio-system", "allow-nothing", {}),
        namespace("shop", namespaceLabels),
        defaultDenyIngress("shop"),
        deployment("shop", "web", { labels: { app: "web" }, spec: { serviceAccountName: "web", containers: [APP_CONTAINER] } }),
        deployment("shop", "api", { labels: { app: "api" } }),
        k8s(service("shop", "api", { app: "api" }, [{ name: "http", port: 8080 }])),
        k8s(waypointGateway("shop", "waypoint")),
        authorizationPolicy("shop", "api-from-waypoint", { selector: { matchLabels: { app: "api" } }, rules: [{ from: from(["cluster.local/ns/shop/sa/waypoint"]) }] }),
        authorizationPolicy("shop", "api", { targetRefs: [{ kind: "Service", group: "", name: "api" }], rules: [{ from: from(["cluster.local/ns/shop/sa/web"]), to: [{ operation: { methods: ["GET"], paths: ["/api/*"] } }] }] }),
    ];
}
const AMBIENT_API = { selector: { matchLabels: { app: "api" } } };

const insecure: Case[] = [
    { title: "ambient: a namespace labelled for sidecar injection too", stack: ambientStack({ "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint", "istio-injection": "enabled" }), expect: ["namespace-one-dataplane"] },
    {
        title: "ambient: PeerAuthentication DISABLE on ambient pods (weak, and not even off: ztunnel treats it as PERMISSIVE)",
        stack: [...ambientStack(), peerAuthentication("shop", "api", { ...AMBIENT_API, mtls: { mode: "DISABLE" } })],
        expect: ["peer-authentication-ambient", "peer-authentication-strict"],
    },
    {
        title: "ambient: a selector policy with an HTTP rule, which ztunnel drops",
        stack: [...ambientStack(), authorizationPolicy("shop", "api-get", { ...AMBIENT_API, rules: [{ from: from(["cluster.local/ns/shop/sa/web"]), to: [{ operation: { methods: ["GET"] } }] }] })],
        expect: ["authorization-policy-ztunnel-http"],
    },
    {
        title: "ambient: targetRefs to a Service the stack does not have",
        stack: [...ambientStack(), authorizationPolicy("shop", "typo", { targetRefs: [{ kind: "Service", group: "", name: "apii" }], rules: [{ from: from(["cluster.local/ns/shop/sa/web"]) }] })],
        expect: ["authorization-policy-target-exists"],
    },
    { title: "ambient: the namespace names no waypoint, so the Service's L7 policy is enforced nowhere", stack: ambientStack({ "istio.io/dataplane-mode": "ambient" }), expect: ["authorization-policy-target-exists"] },
    { title: "ambient: no allow-nothing for an ambient namespace", stack: ambientStack().filter((r) => r.name !== "istio-system-allow-nothing"), expect: ["mesh-default-deny"] },
    { title: "MeshPolicy staged allow (dryRunServices): reported as dry-run, not enforced, never as protected", add: [authorizationPolicy("shop", "api.staged-allow", stagedSpec, STAGED)], expect: ["authorization-policy-staged-enforcement"] },
    {
        title: "staged-enforcement annotation on an allow-all with a second rule: judged as the allow-all it is",
        add: [authorizationPolicy("shop", "api.staged-allow", { ...stagedSpec, rules: [...stagedSpec.rules, { from: [{ source: { namespaces: ["*"] } }] }] }, STAGED)],
        expect: ["authorization-policy-no-allow-all"],
    },
    {
        title: "staged-enforcement annotation on a staged allow that is itself in dry-run: not a staged allow",
        add: [authorizationPolicy("shop", "api.staged-allow", stagedSpec, { annotations: { ...STAGED.annotations, "istio.io/dry-run": "true" } })],
        expect: ["authorization-policy-no-allow-all"],
    },
    { title: "staged allow without the annotation: an allow-all", add: [authorizationPolicy("shop", "api.staged-allow", stagedSpec)], expect: ["authorization-policy-no-allow-all"] },
    { title: "mesh namespace without a default-deny ingress NetworkPolicy", stack: secureStack().filter((r) => !r.type.endsWith(":NetworkPolicy")), expect: ["mesh-namespace-network-default-deny"] },
    {
        title: "a 'default-deny' NetworkPolicy with an ingress rule does not count",
        stack: [...secureStack().filter((r) => !r.type.endsWith(":NetworkPolicy")), networkPolicy("shop", "deny", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] })],
        expect: ["mesh-namespace-network-default-deny"],
    },
    { title: "NetworkPolicy allowing every source on every port", add: [networkPolicy("shop", "open", { podSelector: {}, ingress: [{}] })], expect: ["network-policy-no-allow-all"] },
    { title: "NetworkPolicy egress to 0.0.0.0/0 on every port", add: [networkPolicy("shop", "out", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] })], expect: ["network-policy-no-allow-all"] },
    {
        title: "NetworkPolicy opening istiod's plaintext xDS port",
        add: [networkPolicy("istio-system", "istiod", { podSelector: { matchLabels: { app: "istiod" } }, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 15010 }] }] })],
        expect: ["istiod-network-exposure"],
    },
    { title: "PeerAuthentication PERMISSIVE", add: [peerAuthentication("shop", "default", { mtls: { mode: "PERMISSIVE" } })], expect: ["mesh-strict-mtls-coverage", "peer-authentication-strict"] },
    { title: "PeerAuthentication DISABLE (v1beta1)", add: [peerAuthentication("shop", "api", { selector: { matchLabels: { app: "api" } }, mtls: { mode: "DISABLE" } }, "security.istio.io/v1beta1")], expect: ["peer-authentication-strict"] },
    {
        title: "PeerAuthentication STRICT with a PERMISSIVE portLevelMtls entry",
        stack: [
            ...secureStack().filter((r) => !r.type.endsWith(":NetworkPolicy")),
            peerAuthentication("shop", "api", { selector: { matchLabels: { app: "api" } }, mtls: { mode: "STRICT" }, portLevelMtls: { "8080": { mode: "PERMISSIVE" } } }),
        ],
        // One mistake, one verdict: peer-authentication-strict leaves port-level PERMISSIVE to the guard policy.
        expect: ["mesh-namespace-network-default-deny", "peer-authentication-permissive-port-guarded"],
    },
    {
        title: "PERMISSIVE port with its ALLOW rule, but a NetworkPolicy opening that port to every source",
        add: [
            peerAuthentication("shop", "api", { selector: { matchLabels: { app: "api" } }, mtls: { mode: "STRICT" }, portLevelMtls: { "9090": { mode: "PERMISSIVE" } } }),
            authorizationPolicy("shop", "api-plaintext", { selector: { matchLabels: { app: "api" } }, rules: [{ from: [{ source: { notPrincipals: ["*"] } }], to: [{ operation: { ports: ["9090"] } }] }] }),
            networkPolicy("shop", "metrics", { podSelector: { matchLabels: { app: "api" } }, ingress: [{ ports: [{ port: 9090 }] }] }),
        ],
        expect: ["peer-authentication-permissive-port-guarded"],
    },
    {
        title: "plaintext-only ALLOW rule (notPrincipals *) without ports",
        add: [authorizationPolicy("shop", "api-plaintext", { selector: { matchLabels: { app: "api" } }, rules: [{ from: [{ source: { notPrincipals: ["*"] } }] }] })],
        expect: ["authorization-policy-no-allow-all", "authorization-policy-safe-patterns"],
    },
    { title: "DestinationRule tls DISABLE", add: [destinationRule("shop", "api", { host: "api.shop.svc.cluster.local", trafficPolicy: { tls: { mode: "DISABLE" } } })], expect: ["destination-rule-tls-verified"] },
    {
        title: "DestinationRule DISABLE hidden in a subset (v1alpha3)",
        add: [destinationRule("shop", "api", { host: "api", subsets: [{ name: "v1", labels: { version: "v1" }, trafficPolicy: { tls: { mode: "DISABLE" } } }] }, "networking.istio.io/v1alpha3")],
        expect: ["destination-rule-tls-verified"],
    },
    {
        title: "DestinationRule DISABLE hidden in portLevelSettings",
        add: [destinationRule("shop", "api", { host: "api", trafficPolicy: { portLevelSettings: [{ port: { number: 8080 }, tls: { mode: "DISABLE" } }] } })],
        expect: ["destination-rule-tls-verified"],
    },
    {
        title: "DestinationRule SIMPLE with insecureSkipVerify",
        add: [destinationRule("shop", "ext", { host: "api.example.com", trafficPolicy: { tls: { mode: "SIMPLE", insecureSkipVerify: true } } })],
        expect: ["destination-rule-tls-verified"],
    },
    { title: "AuthorizationPolicy with an empty rule", add: [authorizationPolicy("shop", "all", { rules: [{}] })], expect: ["authorization-policy-no-allow-all"] },
    {
        title: "AuthorizationPolicy rule with only `to`",
        add: [authorizationPolicy("shop", "health", { selector: { matchLabels: { app: "api" } }, rules: [{ to: [{ operation: { paths: ["/healthz"] } }] }] })],
        expect: ["authorization-policy-no-allow-all"],
    },
    { title: "AuthorizationPolicy principals [\"*\"]", add: [authorizationPolicy("shop", "any", { rules: [{ from: from(["*"]) }] })], expect: ["authorization-policy-no-allow-all"] },
    { title: "AuthorizationPolicy namespaces [\"*\"]", add: [authorizationPolicy("shop", "any", { rules: [{ from: [{ source: { namespaces: ["*"] } }] }] })], expect: ["authorization-policy-no-allow-all"] },
    {
        title: "AuthorizationPolicy ALLOW with notPaths",
        add: [authorizationPolicy("shop", "api2", { selector: { matchLabels: { app: "api" } }, rules: [{ from: from(["cluster.local/ns/shop/sa/web"]), to: [{ operation: { notPaths: ["/admin"] } }] }] })],
        expect: ["authorization-policy-safe-patterns"],
    },
    {
        title: "AuthorizationPolicy ALLOW with when.notValues",
        add: [
            authorizationPolicy("shop", "api2", {
                selector: { matchLabels: { app: "api" } },
                rules: [{ from: from(["cluster.local/ns/shop/sa/web"]), when: [{ key: "request.headers[x-env]", notValues: ["prod"] }] }],
            }),
        ],
        expect: ["authorization-policy-safe-patterns"],
    },
    {
        title: "AuthorizationPolicy DENY with only HTTP fields and no ports",
        add: [authorizationPolicy("shop", "deny-admin", { action: "DENY", rules: [{ to: [{ operation: { paths: ["/admin"] } }] }] })],
        expect: ["authorization-policy-safe-patterns"],
    },
    { title: "AuthorizationPolicy DENY without rules", add: [authorizationPolicy("shop", "deny", { action: "DENY" })], expect: ["authorization-policy-safe-patterns", "istio-resource-schema"] },
    {
        title: "AuthorizationPolicy principal with spiffe://",
        add: [authorizationPolicy("shop", "api2", { selector: { matchLabels: { app: "api" } }, rules: [{ from: from(["spiffe://cluster.local/ns/shop/sa/web"]) }] })],
        expect: ["authorization-policy-safe-patterns"],
    },
    {
        title: "AuthorizationPolicy path with a `*` in the middle",
        add: [authorizationPolicy("shop", "api2", { selector: { matchLabels: { app: "api" } }, rules: [{ from: from(["cluster.local/ns/shop/sa/web"]), to: [{ operation: { paths: ["/api/*/items"] } }] }] })],
        expect: ["authorization-policy-safe-patterns"],
    },
    {
        title: "AuthorizationPolicy misspelled `principal` (pruned, widens to allow-all)",
        add: [authorizationPolicy("shop", "api2", { selector: { matchLabels: { app: "api" } }, rules: [{ from: [{ source: { principal: ["cluster.local/ns/shop/sa/web"] } }] }] })],
        expect: ["authorization-policy-no-allow-all", "istio-resource-schema"],
    },
    { title: "PeerAuthentication with an invalid mode", add: [peerAuthentication("shop", "api", { selector: { matchLabels: { app: "api" } }, mtls: { mode: "STRICTER" } })], expect: ["istio-resource-schema"] },
    { title: "RequestAuthentication without issuer", add: [requestAuthentication("shop", "jwt", { selector: { matchLabels: { app: "api" } }, jwtRules: [{ jwksUri: "https://issuer.example.com/jwks" }] })], expect: ["istio-resource-schema", "request-authentication-requires-principals"] },
    { title: "namespace with workloads and no injection label", add: [namespace("legacy"), deployment("legacy", "old")], expect: ["namespace-sidecar-injection"] },
    { title: "namespace with injection disabled", add: [namespace("legacy", { "istio-injection": "disabled" }), deployment("legacy", "old")], expect: ["namespace-sidecar-injection"] },
    {
        title: "namespace with istio-injection and istio.io/rev both set",
        add: [namespace("canary", { "istio-injection": "enabled", "istio.io/rev": "1-30" }), deployment("canary", "app"), authorizationPolicy("canary", "allow-nothing", {}), defaultDenyIngress("canary")],
        expect: ["namespace-sidecar-injection"],
    },
    { title: "Deployment opting out with the label", add: [deployment("shop", "batch", { labels: { app: "batch", "sidecar.istio.io/inject": "false" } })], expect: ["workload-no-injection-opt-out"] },
    { title: "StatefulSet with an unknown injection value in the annotation (Istio compares exactly)", add: [workload("StatefulSet", "shop", "db", { annotations: { "sidecar.istio.io/inject": "False" } })], expect: ["workload-no-injection-opt-out"] },
    { title: "CronJob with an unknown injection value in the label (FALSE is not false)", add: [workload("CronJob", "shop", "report", { labels: { "sidecar.istio.io/inject": "FALSE" } })], expect: ["workload-no-injection-opt-out"] },
    { title: "Pod opting out", add: [workload("Pod", "shop", "debug", { labels: { "sidecar.istio.io/inject": "false" } })], expect: ["workload-no-injection-opt-out"] },
    {
        title: "a workload named like a gateway that opts out",
        add: [deployment("shop", "istio-ingressgateway", { labels: { istio: "ingressgateway", "sidecar.istio.io/inject": "false" }, annotations: { "inject.istio.io/templates": "gateway" } })],
        expect: ["workload-no-injection-opt-out"],
    },
    {
        title: "a classic gateway with an extra application container",
        add: [namespace("istio-ingress"), classicGateway("istio-ingress", [{ name: "app", image: "registry.example.com/app:1" }])],
        expect: ["namespace-sidecar-injection", "workload-no-injection-opt-out", "workload-no-traffic-capture-bypass"],
    },
    { title: "DaemonSet excluding outbound IP ranges", add: [workload("DaemonSet", "shop", "agent", { annotations: { "traffic.sidecar.istio.io/excludeOutboundIPRanges": "0.0.0.0/0" } })], expect: ["workload-no-traffic-capture-bypass"] },
    { title: "Job excluding inbound ports", add: [workload("Job", "shop", "migrate", { annotations: { "traffic.sidecar.istio.io/excludeInboundPorts": "5432" } })], expect: ["workload-no-traffic-capture-bypass"] },
    {
        title: "ReplicaSet container running as UID 1337",
        add: [workload("ReplicaSet", "shop", "rs", { spec: { containers: [{ name: "app", image: "app:1", securityContext: { runAsUser: 1337 } }] } })],
        expect: ["workload-no-traffic-capture-bypass"],
    },
    { title: "pod-level runAsUser 1337", add: [deployment("shop", "uid", { spec: { securityContext: { runAsUser: 1337 }, containers: [{ name: "app", image: "app:1" }] } })], expect: ["workload-no-traffic-capture-bypass"] },
    {
        title: "mesh namespace without allow-nothing",
        stack: [namespace("istio-system"), peerAuthentication("istio-system", "default", { mtls: { mode: "STRICT" } }), namespace("shop", MESH_LABELS), defaultDenyIngress("shop"), deployment("shop", "web")],
        expect: ["mesh-default-deny"],
    },
    { title: "allow-nothing in dry-run does not count", stack: [namespace("shop", MESH_LABELS), peerAuthentication("shop", "default", { mtls: { mode: "STRICT" } }), deployment("shop", "web"), defaultDenyIngress("shop"), authorizationPolicy("shop", "allow-nothing", {}, { annotations: { "istio.io/dry-run": "true" } })], expect: ["mesh-default-deny"] },
    { title: "no STRICT PeerAuthentication at all", stack: [namespace("shop", MESH_LABELS), deployment("shop", "web"), authorizationPolicy("shop", "allow-nothing", {}), defaultDenyIngress("shop")], expect: ["mesh-strict-mtls-coverage"] },
    {
        title: "two allow-nothing AuthorizationPolicies in one namespace (issue 12)",
        add: [authorizationPolicy("shop", "allow-nothing", {}), authorizationPolicy("shop", "deny-all", { action: "ALLOW" })],
        expect: ["mesh-baseline-single-owner"],
    },
    {
        title: "DestinationRule SIMPLE with sni and no subjectAltNames (issue 11)",
        add: [destinationRule("shop", "ext-sni", { host: "api.example.com", trafficPolicy: { tls: { mode: "SIMPLE", sni: "api.example.com" } } })],
        expect: ["destination-rule-tls-verified"],
    },
    {
        title: "two mesh-wide PeerAuthentications",
        add: [peerAuthentication("istio-system", "legacy", { mtls: { mode: "PERMISSIVE" } })],
        expect: ["mesh-baseline-single-owner", "mesh-strict-mtls-coverage", "peer-authentication-strict"],
    },
    {
        title: "RequestAuthentication without an AuthorizationPolicy requiring principals",
        add: [requestAuthentication("shop", "jwt", { selector: { matchLabels: { app: "api" } }, jwtRules: [{ issuer: "https://issuer.example.com", jwksUri: "https://issuer.example.com/jwks" }] })],
        expect: ["request-authentication-requires-principals"],
    },
    { title: "policy in a namespace the stack does not have", add: [authorizationPolicy("shpo", "allow-nothing", {})], expect: ["policy-references-exist"] },
    {
        title: "selector matching no workload",
        add: [authorizationPolicy("shop", "apii", { selector: { matchLabels: { app: "apii" } }, rules: [{ from: from(["cluster.local/ns/shop/sa/web"]) }] })],
        expect: ["policy-references-exist"],
    },
    {
        title: "principal naming a namespace the stack does not have",
        add: [authorizationPolicy("shop", "api2", { selector: { matchLabels: { app: "api" } }, rules: [{ from: from(["cluster.local/ns/shpo/sa/web"]) }] })],
        expect: ["policy-references-exist"],
    },
    { title: "istiod chart without a version", add: [helmChart("istiod", { ...ISTIO_REPO })], expect: ["istio-install-hygiene"] },
    { title: "istiod release with a version range", add: [helmChart("istiod", { ...ISTIO_REPO, version: "~1.30" }, "kubernetes:helm.sh/v3:Release")], expect: ["istio-install-hygiene"] },
    {
        title: "base chart disabling config validation",
        add: [helmChart("base", { ...ISTIO_REPO, version: "1.30.3", values: { global: { configValidation: false } } })],
        expect: ["istio-install-hygiene"],
    },
    {
        title: "istiod with pathNormalization NONE and ALLOW_ANY",
        add: [helmChart("istiod", { ...ISTIO_REPO, version: "1.30.3", values: { meshConfig: { pathNormalization: { normalization: "NONE" }, outboundTrafficPolicy: { mode: "ALLOW_ANY" } } } })],
        expect: ["istio-install-hardening"],
    },
    {
        title: "ServiceEntry with a bare * host (v1alpha3)",
        add: [serviceEntry("shop", "any", { hosts: ["*"], resolution: "DNS", ports: [{ number: 443, name: "tls", protocol: "TLS" }] }, "networking.istio.io/v1alpha3")],
        expect: ["istio-resource-schema", "service-entry-restricted"],
    },
    {
        title: "ServiceEntry with resolution NONE to arbitrary addresses",
        add: [serviceEntry("shop", "passthrough", { hosts: ["*.example.com"], resolution: "NONE", ports: [{ number: 443, name: "tls", protocol: "TLS" }] })],
        expect: ["service-entry-restricted"],
    },
    {
        title: "external ServiceEntry while istiod keeps outboundTrafficPolicy unset (ALLOW_ANY)",
        add: [
            serviceEntry("shop", "external.api.stripe.com", { hosts: ["api.stripe.com"], location: "MESH_EXTERNAL", resolution: "DNS", ports: [{ number: 443, name: "https-443", protocol: "HTTPS" }], exportTo: ["."] }),
            helmChart("istiod", { ...ISTIO_REPO, version: "1.30.3", values: { meshConfig: { pathNormalization: { normalization: "MERGE_SLASHES" } } } }),
        ],
        expect: ["mesh-outbound-registry-only"],
    },
];

const secure: Case[] = [
    { title: "ambient: a waypoint holds the L7 rules, ztunnel admits only the waypoint", stack: ambientStack(), expect: [] },
    { title: "the secure baseline", expect: [] },
    {
        title: "PERMISSIVE port guarded: PeerAuthentication port, plaintext ALLOW rule on that port, NetworkPolicy naming the scraper's pods",
        add: [
            peerAuthentication("shop", "api", { selector: { matchLabels: { app: "api" } }, mtls: { mode: "STRICT" }, portLevelMtls: { "9090": { mode: "PERMISSIVE" } } }),
            authorizationPolicy("shop", "api-plaintext", { selector: { matchLabels: { app: "api" } }, rules: [{ from: [{ source: { notPrincipals: ["*"] } }], to: [{ operation: { ports: ["9090"] } }] }] }),
            networkPolicy("shop", "metrics", {
                podSelector: { matchLabels: { app: "api" } },
                ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { app: "prometheus" } } }], ports: [{ port: 9090 }] }],
            }),
        ],
        expect: [],
    },
    { title: "PeerAuthentication STRICT per workload with a STRICT port", add: [peerAuthentication("shop", "api", { selector: { matchLabels: { app: "api" } }, mtls: { mode: "STRICT" }, portLevelMtls: { "8080": { mode: "STRICT" } } })], expect: [] },
    { title: "PeerAuthentication UNSET inherits", add: [peerAuthentication("shop", "default", { mtls: { mode: "UNSET" } })], expect: [] },
    { title: "DestinationRule ISTIO_MUTUAL", add: [destinationRule("shop", "api", { host: "api.shop.svc.cluster.local", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } })], expect: [] },
    { title: "DestinationRule SIMPLE with a CA", add: [destinationRule("shop", "ext", { host: "api.example.com", trafficPolicy: { tls: { mode: "SIMPLE", caCertificates: "/etc/certs/ca.pem", sni: "api.example.com", subjectAltNames: ["api.example.com"] } } })], expect: [] },
    {
        title: "AuthorizationPolicy naming namespaces and paths with templates",
        add: [authorizationPolicy("shop", "api2", { selector: { matchLabels: { app: "api" } }, rules: [{ from: [{ source: { namespaces: ["shop"] } }], to: [{ operation: { paths: ["/api/{*}/items"], methods: ["GET"] } }] }] })],
        expect: [],
    },
    { title: "DENY with notPaths and ports", add: [authorizationPolicy("shop", "deny", { action: "DENY", rules: [{ to: [{ operation: { ports: ["8080"], notPaths: ["/public/*"] } }] }] })], expect: [] },
    {
        title: "RequestAuthentication paired with a requestPrincipals policy",
        add: [
            requestAuthentication("shop", "jwt", { selector: { matchLabels: { app: "api" } }, jwtRules: [{ issuer: "https://issuer.example.com", jwksUri: "https://issuer.example.com/jwks" }] }),
            authorizationPolicy("shop", "api-jwt", { selector: { matchLabels: { app: "api" } }, rules: [{ from: [{ source: { requestPrincipals: ["https://issuer.example.com/*"] } }] }] }),
        ],
        expect: [],
    },
    { title: "workload opting in explicitly", add: [deployment("shop", "in", { labels: { app: "in", "sidecar.istio.io/inject": "true" } })], expect: [] },
    { title: "revision-labelled namespace", add: [namespace("canary", { "istio.io/rev": "1-30" }), deployment("canary", "app"), authorizationPolicy("canary", "allow-nothing", {}), defaultDenyIngress("canary")], expect: [] },
    { title: "ambient namespace", add: [namespace("amb", { "istio.io/dataplane-mode": "ambient" }), deployment("amb", "app"), authorizationPolicy("amb", "allow-nothing", {}), defaultDenyIngress("amb")], expect: [] },
    { title: "kube-system workload opting out (exempt by default)", add: [namespace("kube-system"), deployment("kube-system", "dns", { labels: { "sidecar.istio.io/inject": "false" } })], expect: [] },
    { title: "gateway from the official chart (UID 1337, image auto)", add: [namespace("istio-ingress"), chartGateway("istio-ingress"), defaultDenyIngress("istio-ingress")], expect: [] },
    { title: "classic gateway opting out (proxyv2 router)", add: [namespace("istio-ingress", MESH_LABELS), classicGateway("istio-ingress"), authorizationPolicy("istio-ingress", "allow-nothing", {}), defaultDenyIngress("istio-ingress")], expect: [] },
    { title: "pinned istiod with hardened meshConfig", add: [helmChart("istiod", { ...ISTIO_REPO, version: "1.30.3", values: { meshConfig: { pathNormalization: { normalization: "MERGE_SLASHES" }, outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } } } })], expect: [] },
    { title: "a chart called base that is not Istio's", add: [helmChart("bitnami/base", { repositoryOpts: { repo: "https://charts.example.com" } })], expect: [] },
    { title: "namespace-wide STRICT without a mesh-wide policy", stack: [namespace("shop", MESH_LABELS), peerAuthentication("shop", "default", { mtls: { mode: "STRICT" } }), authorizationPolicy("shop", "allow-nothing", {}), deployment("shop", "web"), defaultDenyIngress("shop")], expect: [] },
    {
        title: "meshguard's istiod NetworkPolicy (15012 mesh, 15017 any address, 15014 monitoring)",
        add: [
            networkPolicy("istio-system", "istiod-ingress", {
                podSelector: { matchLabels: { app: "istiod", "istio.io/rev": "default" } },
                policyTypes: ["Ingress"],
                ingress: [
                    { from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 15012 }] },
                    { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }], ports: [{ protocol: "TCP", port: 15017 }] },
                    { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 15014 }] },
                ],
            }),
        ],
        expect: [],
    },
    {
        title: "NetworkPolicy allowing the namespace's own pods on every port",
        add: [networkPolicy("shop", "same-namespace", { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })],
        expect: [],
    },
    {
        title: "external ServiceEntry (DNS, exported to its namespace) with istiod REGISTRY_ONLY",
        add: [
            serviceEntry("shop", "external.api.stripe.com", { hosts: ["api.stripe.com"], location: "MESH_EXTERNAL", resolution: "DNS", ports: [{ number: 443, name: "https-443", protocol: "HTTPS" }], exportTo: ["."] }),
            serviceEntry("shop", "external-wildcard.googleapis.com", { hosts: ["*.googleapis.com"], location: "MESH_EXTERNAL", resolution: "DYNAMIC_DNS", ports: [{ number: 443, name: "https-443", protocol: "TLS" }], exportTo: ["."] }),
            helmChart("istiod", { ...ISTIO_REPO, version: "1.30.3", values: { meshConfig: { pathNormalization: { normalization: "MERGE_SLASHES" }, outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } } } }),
        ],
        expect: [],
    },
    { title: "an enrolled namespace without workloads needs no allow-nothing", stack: [namespace("istio-system"), peerAuthentication("istio-system", "default", { mtls: { mode: "STRICT" } }), namespace("empty", MESH_LABELS)], expect: [] },
];

async function verify(c: Case): Promise<void> {
    const stack = c.stack ?? [...secureStack(), ...(c.add ?? [])];
    // Enabled as it will ship (advisory) once MeshPolicy emits NetworkPolicies (see the policy file).
    const verdicts = await runPack(stack, { "mesh-namespace-network-default-deny": { enforcementLevel: "advisory" } });
    assert.deepStrictEqual(violatedPolicies(verdicts), [...c.expect].sort(), verdicts.map((v) => `${v.policyName}: ${v.message}`).join("\n"));
}

describe("policy pack corpus: insecure objects", () => {
    for (const c of insecure) it(c.title, () => verify(c));
});

describe("policy pack corpus: secure objects", () => {
    for (const c of secure) it(c.title, () => verify(c));
});
