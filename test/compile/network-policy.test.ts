import { strict as assert } from "assert";
import { compileMeshPolicy } from "../../components/compile/mesh-policy";
import { K8sManifest } from "../../components/manifest";
import { MeshPolicyInput } from "../../components/model/mesh-policy";
import { rejects } from "../harness/compile-rejects";

const labels = { "app.kubernetes.io/managed-by": "meshguard" };
const web = { id: "web", namespace: "shop", serviceAccount: "web", ports: [{ port: 80, protocol: "http" as const, targetPort: 8080 }] };
const db = { id: "db", namespace: "data", serviceAccount: "db", selector: { app: "postgres", tier: "db" }, ports: [{ port: 5432, protocol: "tcp" as const }] };
const graph: MeshPolicyInput = {
    services: [web, db],
    allow: [
        { from: { ingressGateway: true }, to: "web" },
        { from: { namespace: "ops" }, to: "web" },
        { from: { service: "web" }, to: "db" },
    ],
};

function np(name: string, namespace: string, spec: Record<string, unknown>): K8sManifest {
    return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace, labels }, spec };
}
const inNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } });
const pods = (ns: string, selector: Record<string, string>) => ({ ...inNamespace(ns), podSelector: { matchLabels: selector } });
const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));
const denyIngress = (ns: string) => np("default-deny-ingress", ns, { podSelector: {}, policyTypes: ["Ingress"] });
const denyEgress = (ns: string) => np("default-deny-egress", ns, { podSelector: {}, policyTypes: ["Egress"] });
const ingressToDb = np("allow-ingress-to-db", "data", {
    podSelector: { matchLabels: { app: "postgres", tier: "db" } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [pods("shop", { app: "web" })], ports: tcp(5432) }],
});
const ingressToWeb = np("allow-ingress-to-web", "shop", {
    podSelector: { matchLabels: { app: "web" } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [pods("istio-ingress", { istio: "ingressgateway" }), inNamespace("ops")], ports: tcp(8080) }],
});
const dnsRule = { to: [pods("kube-system", { "k8s-app": "kube-dns" })], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] };
const istiodRule = { to: [pods("istio-system", { app: "istiod" })], ports: tcp(15012) };

const networkPolicies = (input: MeshPolicyInput) => compileMeshPolicy(input).filter((m) => m.kind === "NetworkPolicy");

describe("compileMeshPolicy: NetworkPolicies (issue 13 section 1)", () => {
    it("default (ingress on, egress off): default-deny ingress per namespace, one policy per destination with exactly its callers' pods and container ports", () => {
        assert.deepEqual(networkPolicies(graph), [ingressToDb, denyIngress("data"), ingressToWeb, denyIngress("shop")]);
    });

    it("egress on: default-deny egress per namespace, each service to exactly its callees, kube-dns and istiod", () => {
        assert.deepEqual(networkPolicies({ ...graph, networkPolicies: { egress: true } }), [
            np("allow-egress-from-db", "data", { podSelector: { matchLabels: { app: "postgres", tier: "db" } }, policyTypes: ["Egress"], egress: [dnsRule, istiodRule] }),
            ingressToDb,
            denyEgress("data"),
            denyIngress("data"),
            np("allow-egress-from-web", "shop", {
                podSelector: { matchLabels: { app: "web" } },
                policyTypes: ["Egress"],
                egress: [{ to: [pods("data", { app: "postgres", tier: "db" })], ports: tcp(5432) }, dnsRule, istiodRule],
            }),
            ingressToWeb,
            denyEgress("shop"),
            denyIngress("shop"),
        ]);
    });

    it("egress only, custom DNS, istiod and gateway selectors; a namespace caller that is a mesh namespace gets a namespace-wide egress policy", () => {
        const input: MeshPolicyInput = {
            services: [web, { ...db, namespace: "shop" }],
            allow: [{ from: { namespace: "shop" }, to: "db", ports: [5432] }],
            ingressGateway: { namespace: "gw", serviceAccount: "gw", selector: { app: "edge" } },
            networkPolicies: { ingress: false, egress: true, dns: { namespace: "dns", selector: { app: "coredns" } }, istiod: { namespace: "cp", selector: { app: "pilot" } } },
        };
        const dns = { to: [pods("dns", { app: "coredns" })], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] };
        const istiod = { to: [pods("cp", { app: "pilot" })], ports: tcp(15012) };
        assert.deepEqual(networkPolicies(input), [
            np("allow-egress-from-db", "shop", { podSelector: { matchLabels: { app: "postgres", tier: "db" } }, policyTypes: ["Egress"], egress: [dns, istiod] }),
            np("allow-egress-from-web", "shop", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [dns, istiod] }),
            np("allow-egress-from.namespace", "shop", {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [{ to: [pods("shop", { app: "postgres", tier: "db" })], ports: tcp(5432) }, dns, istiod],
            }),
            denyEgress("shop"),
        ]);
    });

    it("networkPolicies: false emits none, and leaves the Istio objects unchanged", () => {
        const off = compileMeshPolicy({ ...graph, networkPolicies: false });
        assert.deepEqual(off.filter((m) => m.kind === "NetworkPolicy"), []);
        assert.deepEqual(off, compileMeshPolicy(graph).filter((m) => m.kind !== "NetworkPolicy"));
        assert.deepEqual(networkPolicies({ ...graph, networkPolicies: { ingress: false } }), []);
    });

    it("a relationship naming some ports opens only their container ports; JWT end users arrive through the gateway's pods", () => {
        const api = { id: "api", namespace: "shop", serviceAccount: "api", ports: [{ port: 80, protocol: "http" as const, targetPort: 8080 }, { port: 9090, protocol: "http" as const, targetPort: 9091 }] };
        const manifests = networkPolicies({
            services: [api],
            allow: [{ from: { endUsers: { issuer: "https://idp.example", jwksUri: "https://idp.example/keys" } }, to: "api", ports: [9090] }],
        });
        assert.deepEqual(manifests[0], np("allow-ingress-to-api", "shop", {
            podSelector: { matchLabels: { app: "api" } },
            policyTypes: ["Ingress"],
            ingress: [{ from: [pods("istio-ingress", { istio: "ingressgateway" })], ports: tcp(9091) }],
        }));
    });
});

describe("compileMeshPolicy: NetworkPolicy input errors name the field", () => {

    it("empty selectors of the gateway, DNS and istiod", () => {
        rejects(
            { services: [web], ingressGateway: { namespace: "gw", serviceAccount: "gw", selector: {} }, networkPolicies: { egress: true, dns: { selector: {} }, istiod: { selector: {} } } },
            "ingressGateway.selector: must not be empty (an empty selector would select every workload of the namespace)",
            "networkPolicies.dns.selector: must not be empty (an empty selector would select every workload of the namespace)",
            "networkPolicies.istiod.selector: must not be empty (an empty selector would select every workload of the namespace)",
        );
    });

    it("a bad DNS namespace, an unknown field, a non-boolean direction, true instead of an object", () => {
        rejects(
            { services: [web], networkPolicies: { egress: "yes", dns: { namespace: "Kube_System", port: 53 } } },
            `networkPolicies.egress: Invalid input: expected boolean, received string`,
            `networkPolicies.dns.namespace: "Kube_System" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
            "networkPolicies.dns.port: unknown field (not part of the schema; check its spelling)",
        );
        rejects({ services: [web], networkPolicies: true }, "networkPolicies: must be false or an object { ingress?, egress?, dns?, istiod? }");
    });
});
