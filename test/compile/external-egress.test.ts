import { strict as assert } from "assert";
import { compileMeshPolicy } from "../../components/compile/mesh-policy";
import { meshPolicyWarnings } from "../../components/compile/warnings";
import { offClusterPeers, serviceEntryName } from "../../components/compile/external-egress";
import { K8sManifest } from "../../components/manifest";
import { MeshPolicyInput } from "../../components/model/mesh-policy";
import { rejects } from "../harness/compile-rejects";

const labels = { "app.kubernetes.io/managed-by": "meshguard" };
const web = { id: "web", namespace: "shop", serviceAccount: "web", ports: [{ port: 80, protocol: "http" as const }] };
const billing = { id: "billing", namespace: "shop", serviceAccount: "billing", selector: { app: "billing", tier: "api" }, ports: [{ port: 8080, protocol: "http" as const }] };
const db = { id: "db", namespace: "data", serviceAccount: "db", ports: [{ port: 5432, protocol: "tcp" as const }] };
const graph: MeshPolicyInput = {
    services: [web, billing, db],
    allow: [{ from: { service: "web" }, to: "billing" }],
    external: [
        { from: { service: "billing" }, hosts: ["api.stripe.com"], ports: [{ port: 443, protocol: "https" }] },
        { from: { namespace: "data" }, hosts: ["backup.example.com"], ports: [{ port: 5432, protocol: "tcp" }] },
        { from: { service: "web" }, hosts: ["*.googleapis.com", "api.stripe.com"], ports: [{ port: 443, protocol: "https" }, { port: 80, protocol: "http" }] },
    ],
};

function serviceEntry(name: string, namespace: string, host: string, resolution: string, ports: { number: number; name: string; protocol: string }[]): K8sManifest {
    return {
        apiVersion: "networking.istio.io/v1",
        kind: "ServiceEntry",
        metadata: { name, namespace, labels },
        spec: { hosts: [host], location: "MESH_EXTERNAL", resolution, ports, exportTo: ["."] },
    };
}
const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
function externalPolicy(name: string, namespace: string, podSelector: Record<string, unknown>, ports: number[], except = RFC1918): K8sManifest {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace, labels },
        spec: { podSelector, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except } }], ports: ports.map((port) => ({ protocol: "TCP", port })) }] },
    };
}
const stripeShop = serviceEntry("external.api.stripe.com", "shop", "api.stripe.com", "DNS", [
    { number: 80, name: "http-80", protocol: "HTTP" },
    { number: 443, name: "https-443", protocol: "HTTPS" },
]);
const googleShop = serviceEntry("external-wildcard.googleapis.com", "shop", "*.googleapis.com", "DYNAMIC_DNS", [
    { number: 80, name: "http-80", protocol: "HTTP" },
    { number: 443, name: "https-443", protocol: "TLS" },
]);
const backupData = serviceEntry("external.backup.example.com", "data", "backup.example.com", "DNS", [{ number: 5432, name: "tcp-5432", protocol: "TCP" }]);

const external = (input: MeshPolicyInput) => compileMeshPolicy(input).filter((m) => m.kind === "ServiceEntry" || m.metadata.name.startsWith("allow-external-egress"));

describe("compileMeshPolicy: external egress (issue 13 section 2)", () => {
    it("egress NetworkPolicies off (default): one ServiceEntry per caller namespace and host, exported to that namespace only, and no NetworkPolicy", () => {
        assert.deepEqual(external(graph), [backupData, googleShop, stripeShop]);
    });

    it("egress on: per caller one NetworkPolicy to addresses outside clusterCidrs on exactly its declared ports", () => {
        assert.deepEqual(external({ ...graph, networkPolicies: { egress: true } }), [
            externalPolicy("allow-external-egress-from.namespace", "data", {}, [5432]),
            backupData,
            externalPolicy("allow-external-egress-from-billing", "shop", { matchLabels: { app: "billing", tier: "api" } }, [443]),
            externalPolicy("allow-external-egress-from-web", "shop", { matchLabels: { app: "web" } }, [80, 443]),
            googleShop,
            stripeShop,
        ]);
    });

    it("nothing external for anyone else: services without `external` get no external rule, and no `external` emits nothing", () => {
        const all = compileMeshPolicy({ ...graph, networkPolicies: { egress: true } });
        const dbPolicies = all.filter((m) => m.metadata.namespace === "data" && m.kind === "NetworkPolicy").map((m) => m.metadata.name);
        assert.deepEqual(dbPolicies, ["allow-egress-from-db", "allow-external-egress-from.namespace", "default-deny-egress", "default-deny-ingress"]);
        assert.deepEqual(external({ ...graph, external: undefined, networkPolicies: { egress: true } }), []);
    });

    it("clusterCidrs: IPv4 ranges are excepted from 0.0.0.0/0; ::/0 is opened only when IPv6 ranges are declared", () => {
        const input: MeshPolicyInput = { services: [web], networkPolicies: { egress: true }, external: [{ from: { service: "web" }, hosts: ["api.stripe.com"], ports: [{ port: 443, protocol: "https" }] }] };
        assert.deepEqual(external({ ...input, clusterCidrs: ["100.64.0.0/10", "10.0.0.0/8"] })[0], externalPolicy("allow-external-egress-from-web", "shop", { matchLabels: { app: "web" } }, [443], ["10.0.0.0/8", "100.64.0.0/10"]));
        assert.deepEqual(offClusterPeers(["10.0.0.0/8", "fd00::/8"]), [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }, { ipBlock: { cidr: "::/0", except: ["fd00::/8"] } }]);
        assert.deepEqual(offClusterPeers(["fd00::/8"]), [{ ipBlock: { cidr: "::/0", except: ["fd00::/8"] } }]);
    });

    it("warns once when external hosts are declared with egress NetworkPolicies off, never with egress on", () => {
        assert.deepEqual(meshPolicyWarnings(graph), [
            {
                path: "external",
                message:
                    "external hosts are declared but networkPolicies.egress is off: only the sidecars (outboundTrafficPolicy REGISTRY_ONLY) limit egress, and a pod without a sidecar reaches any address. Fix: set networkPolicies: { egress: true } (it needs every dependency declared)",
            },
        ]);
        assert.deepEqual(meshPolicyWarnings({ ...graph, networkPolicies: { egress: true } }), []);
    });

    it("ServiceEntry names: exact and wildcard hosts never collide, long hosts are cut with a hash", () => {
        assert.equal(serviceEntryName("wildcard.example.com"), "external.wildcard.example.com");
        assert.equal(serviceEntryName("*.example.com"), "external-wildcard.example.com");
        assert.equal(serviceEntryName(`${"a".repeat(60)}.example.com`).length, 63);
    });
});

const https443 = [{ port: 443, protocol: "https" }];
const withHosts = (...hosts: string[]) => ({ services: [web], external: [{ from: { service: "web" }, hosts, ports: https443 }] });

describe("compileMeshPolicy: rejected external egress input (exact messages, nothing emitted)", () => {
    it("a host with a scheme or a path", () => {
        rejects(
            withHosts("https://api.stripe.com/v1", "api.stripe.com/v1/charges"),
            'external[0].hosts[0]: "https://api.stripe.com/v1" has a scheme: a host is a name only. Fix: write "api.stripe.com" and give the protocol in ports',
            'external[0].hosts[1]: "api.stripe.com/v1/charges" has a path: egress is decided per host and port, never per path. Fix: write only the host name "api.stripe.com"',
        );
    });

    it("a wildcard in the middle of a host, a partial first label, a bare * and a too broad wildcard", () => {
        rejects(
            withHosts("api.*.example.com", "*api.example.com", "*", "*.com"),
            'external[0].hosts[0]: "api.*.example.com": * is only allowed as the whole first label ("*.example.com"), the one wildcard Istio accepts in ServiceEntry hosts without a warning. Fix: use a leading *. or list the hosts',
            'external[0].hosts[1]: "*api.example.com": * is only allowed as the whole first label ("*.example.com"), the one wildcard Istio accepts in ServiceEntry hosts without a warning. Fix: use a leading *. or list the hosts',
            'external[0].hosts[2]: "*" would allow every external host (Istio rejects a bare * ServiceEntry host). Fix: list the hosts the caller needs, e.g. "api.example.com" or "*.example.com"',
            'external[0].hosts[3]: "*.com" is too broad: a wildcard must keep at least two labels after *. (e.g. "*.example.com")',
        );
    });

    it("an IP, a single-label name, a port in the host, upper case, a duplicate host", () => {
        rejects(
            withHosts("203.0.113.7", "localhost", "api.stripe.com:443", "API.stripe.com", "a.example.com", "a.example.com"),
            'external[0].hosts[0]: "203.0.113.7" looks like an IP address: external destinations are host names (Istio rejects an all-numeric top-level domain). Fix: use the host\'s DNS name',
            'external[0].hosts[1]: "localhost" is not fully qualified (e.g. "api.example.com"): a single-label name could resolve inside the cluster',
            'external[0].hosts[2]: "api.stripe.com:443" has a port (or is an IPv6 address): a host is a name only. Fix: write the name and list the port in ports',
            "external[0].hosts[3]: \"API.stripe.com\" is not a valid host name (lowercase letters, digits and '-' in dot-separated labels of at most 63 characters)",
            'external[0].hosts[5]: duplicate host "a.example.com" (also hosts[4])',
        );
    });

    it("ports out of range, an unknown protocol, a duplicate port", () => {
        rejects(
            { services: [web], external: [{ from: { service: "web" }, hosts: ["a.example.com"], ports: [{ port: 0, protocol: "https" }, { port: 70000, protocol: "udp" }] }] },
            "external[0].ports[0].port: must be a port from 1 to 65535",
            "external[0].ports[1].port: must be a port from 1 to 65535",
            "external[0].ports[1].protocol: must be one of https, tls, http, tcp",
        );
        rejects(
            { services: [web], external: [{ from: { service: "web" }, hosts: ["a.example.com"], ports: [{ port: 443, protocol: "tls" }, { port: 443, protocol: "https" }] }] },
            "external[0].ports[1].port: duplicate port 443 (also ports[0])",
        );
    });

    it("empty lists: external, hosts, ports, clusterCidrs", () => {
        rejects({ services: [web], external: [] }, "external: must not be empty (omit the field instead)");
        rejects(
            { services: [web], clusterCidrs: [], external: [{ from: { service: "web" }, hosts: [], ports: [] }] },
            "external[0].hosts: must list at least one host",
            "external[0].ports: must list at least one port",
            "clusterCidrs: must list the cluster's address ranges (omit the field for the RFC 1918 default)",
        );
    });

    it("invalid CIDRs: not a CIDR, a bare IP, host bits set, a whole family, a duplicate", () => {
        rejects(
            { services: [web], clusterCidrs: ["nope", "10.0.0.1", "10.1.2.3/8", "fd00::1/8", "2001:db8:0:0:1::/64", "0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/8"] },
            'clusterCidrs[0]: "nope" is not a CIDR (e.g. "10.0.0.0/8" or "fd00::/8")',
            'clusterCidrs[1]: "10.0.0.1" is not a CIDR (e.g. "10.0.0.0/8" or "fd00::/8")',
            'clusterCidrs[2]: "10.1.2.3/8" has host bits set (Kubernetes ipBlock needs the network address). Fix: write "10.0.0.0/8"',
            'clusterCidrs[3]: "fd00::1/8" has host bits set (Kubernetes ipBlock needs the network address). Fix: write "fd00::/8"',
            'clusterCidrs[4]: "2001:db8:0:0:1::/64" has host bits set (Kubernetes ipBlock needs the network address). Fix: write "2001:db8::/64"',
            'clusterCidrs[5]: "0.0.0.0/0" covers every address: the external egress rule would then open nothing. Fix: list the cluster\'s pod and service ranges',
            'clusterCidrs[7]: duplicate CIDR "10.0.0.0/8" (also clusterCidrs[6])',
        );
    });

    it("callers: exactly one of service/namespace, an unknown service, a namespace without declared services", () => {
        rejects(
            { services: [web], external: [{ from: { service: "web", namespace: "shop" }, hosts: ["a.example.com"], ports: https443 }, { from: {}, hosts: ["a.example.com"], ports: https443 }] },
            "external[0].from: exactly one of service, namespace must be set (found service, namespace)",
            "external[1].from: exactly one of service, namespace must be set",
        );
        rejects(
            { services: [web], external: [{ from: { service: "api" }, hosts: ["a.example.com"], ports: https443 }, { from: { namespace: "ops" }, hosts: ["a.example.com"], ports: https443 }] },
            'external[0].from.service: unknown service "api" (declared: web)',
            'external[1].from.namespace: no declared service lives in namespace "ops" (declared namespaces: shop)',
        );
    });

    it("tcp with a wildcard host, two hosts on one tcp port, two protocols on one port of a host", () => {
        rejects(
            {
                services: [web],
                external: [
                    { from: { service: "web" }, hosts: ["*.example.com"], ports: [{ port: 9000, protocol: "tcp" }] },
                    { from: { service: "web" }, hosts: ["a.example.com", "b.example.com"], ports: [{ port: 5432, protocol: "tcp" }] },
                    { from: { namespace: "shop" }, hosts: ["a.example.com"], ports: [{ port: 5432, protocol: "tls" }] },
                ],
            },
            'external[0].ports[0].protocol: tcp carries no host name, so wildcard host "*.example.com" cannot be matched on it (Istio resolves wildcard hosts only for HTTP and TLS). Fix: use https, tls or http, or list exact hosts',
            'external[1].ports[0]: tcp port 5432 goes to "a.example.com" (external[1].ports[0]) and to "b.example.com" from namespace shop: plain TCP carries no host name, so the sidecar cannot tell them apart. Fix: one host per tcp port and namespace, or use tls/https',
            'external[2].ports[0].protocol: port 5432 of "a.example.com" is tcp in external[1].ports[0] for namespace shop: one port of a host has one protocol',
        );
    });
});
