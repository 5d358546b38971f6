import { strict as assert } from "assert";
import { compileMeshPolicy } from "../../components/compile/mesh-policy";
import { checkIstioSecurityObject } from "../../components/istio/schema/security";
import { K8sManifest } from "../../components/manifest";
import { MeshPolicyInput } from "../../components/model/mesh-policy";
import { rejects } from "../harness/compile-rejects";

const labels = { "app.kubernetes.io/managed-by": "meshguard" };
const api = { id: "api", namespace: "shop", serviceAccount: "api", ports: [{ port: 80, protocol: "http" as const, targetPort: 8080 }] };
const db = { id: "db", namespace: "shop", serviceAccount: "db", ports: [{ port: 5432, protocol: "tcp" as const }] };
const graph: MeshPolicyInput = { services: [api, db], allow: [{ from: { namespace: "front" }, to: "api" }, { from: { service: "api" }, to: "db" }] };

function ap(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): K8sManifest {
    const metadata = annotations === undefined ? { name, namespace: "shop", labels } : { name, namespace: "shop", labels, annotations };
    return { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata, spec };
}
function np(name: string, spec: Record<string, unknown>, namespace = "shop"): K8sManifest {
    return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace, labels }, spec };
}
const DRY_RUN = { "istio.io/dry-run": "true" };
const STAGED = { "meshguard.io/staged-enforcement": "dry-run" };
const allowNothing = ap("allow-nothing", {});
const strict: K8sManifest = { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "shop", labels }, spec: { mtls: { mode: "STRICT" } } };
const apiAllow = { selector: { matchLabels: { app: "api" } }, action: "ALLOW", rules: [{ from: [{ source: { namespaces: ["front"] } }], to: [{ operation: { ports: ["8080"] } }] }] };
const dbAllow = { selector: { matchLabels: { app: "db" } }, action: "ALLOW", rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/api"] } }], to: [{ operation: { ports: ["5432"] } }] }] };
const apiStaged = { selector: { matchLabels: { app: "api" } }, action: "ALLOW", rules: [{ to: [{ operation: { ports: ["8080"] } }] }] };
const dbIngress = {
    podSelector: { matchLabels: { app: "db" } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } }, podSelector: { matchLabels: { app: "api" } } }], ports: [{ protocol: "TCP", port: 5432 }] }],
};

function compile(input: MeshPolicyInput): K8sManifest[] {
    const manifests = compileMeshPolicy(input);
    for (const m of manifests) assert.deepEqual(checkIstioSecurityObject(m), [], `${m.kind} ${m.metadata.name} fails the strict schema`);
    return manifests;
}


describe("compileMeshPolicy: staged enforcement (dryRunServices)", () => {
    it("one shadow and one enforced destination in a namespace: exact manifests", () => {
        assert.deepEqual(compile({ ...graph, dryRunServices: ["api"] }), [
            allowNothing,
            ap("api-allow", apiAllow, DRY_RUN),
            ap("api.staged-allow", apiStaged, STAGED),
            ap("db-allow", dbAllow),
            np("allow-ingress-to-api", { podSelector: { matchLabels: { app: "api" } }, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 8080 }] }] }),
            np("allow-ingress-to-db", dbIngress),
            np("default-deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] }),
            strict,
        ]);
    });

    it("without dryRunServices the same graph is fully enforced (the option changes only the listed destinations)", () => {
        const enforced = compile(graph);
        const staged = compile({ ...graph, dryRunServices: ["api"] });
        const names = (ms: K8sManifest[]) => ms.map((m) => `${m.kind} ${m.metadata.name}`);
        assert.deepEqual(names(enforced).filter((n) => !n.includes("api")), names(staged).filter((n) => !n.includes("api")));
        for (const m of staged.filter((x) => !x.metadata.name.includes("api"))) assert.deepEqual(m, enforced.find((e) => e.kind === m.kind && e.metadata.name === m.metadata.name));
    });

    it("a destination nobody may call gets a dry-run allow-nothing for its workloads, so its shadow decision is still the declared graph", () => {
        const manifests = compile({ services: [api, db], networkPolicies: false, dryRunServices: ["db"] });
        assert.deepEqual(manifests, [
            allowNothing,
            ap("db-allow", { selector: { matchLabels: { app: "db" } }, action: "ALLOW" }, DRY_RUN),
            ap("db.staged-allow", { selector: { matchLabels: { app: "db" } }, action: "ALLOW", rules: [{ to: [{ operation: { ports: ["5432"] } }] }] }, STAGED),
            strict,
        ]);
    });

    it("the destination's deny policy runs in dry-run too; a namespace-wide deny rule stays enforced", () => {
        const manifests = compile({
            ...graph,
            networkPolicies: false,
            deny: [{ to: "api", unlessFrom: [{ namespace: "front" }] }, { toNamespace: "shop", unlessFrom: [{ namespace: "front" }, { namespace: "shop" }] }],
            dryRunServices: ["api"],
        });
        assert.deepEqual(
            manifests.filter((m) => m.kind === "AuthorizationPolicy").map((m) => [m.metadata.name, m.metadata.annotations]),
            [
                ["allow-nothing", undefined],
                ["api-allow", DRY_RUN],
                ["api-deny", DRY_RUN],
                ["api.staged-allow", STAGED],
                ["db-allow", undefined],
                ["deny-unlisted-callers", undefined],
            ],
        );
    });

    it("with egress NetworkPolicies every isolated namespace may reach the shadow destinations on their declared ports", () => {
        const front = { id: "web", namespace: "front", serviceAccount: "web", ports: [{ port: 80, protocol: "http" as const }] };
        const manifests = compile({ ...graph, services: [api, db, front], networkPolicies: { ingress: false, egress: true }, dryRunServices: ["api", "db"] });
        const egress = {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } }, podSelector: { matchLabels: { app: "api" } } }], ports: [{ protocol: "TCP", port: 8080 }] },
                { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } }, podSelector: { matchLabels: { app: "db" } } }], ports: [{ protocol: "TCP", port: 5432 }] },
            ],
        };
        assert.deepEqual(
            manifests.filter((m) => m.metadata.name === "allow-egress-to.dry-run-services"),
            [np("allow-egress-to.dry-run-services", egress, "front"), np("allow-egress-to.dry-run-services", egress, "shop")],
        );
    });

    it("dryRun: true keeps working unchanged (every AuthorizationPolicy in dry-run, no staged allow)", () => {
        assert.deepEqual(
            compile({ ...graph, networkPolicies: false, dryRun: true }).map((m) => [m.kind, m.metadata.name, m.metadata.annotations]),
            [
                ["AuthorizationPolicy", "allow-nothing", DRY_RUN],
                ["AuthorizationPolicy", "api-allow", DRY_RUN],
                ["AuthorizationPolicy", "db-allow", DRY_RUN],
                ["PeerAuthentication", "default", undefined],
            ],
        );
    });

    it("rejects an unknown service id, naming the field", () => {
        rejects({ ...graph, dryRunServices: ["db", "payments"] }, 'dryRunServices[1]: unknown service "payments" (declared: api, db). Fix: list ids of services[]');
    });

    it("rejects a repeated id, an empty list, a combination with dryRun: true, and an id that is not a DNS label", () => {
        rejects({ ...graph, dryRunServices: ["api", "api"] }, 'dryRunServices[1]: duplicate service "api" (also dryRunServices[0])');
        rejects({ ...graph, dryRunServices: [] }, "dryRunServices: must list at least one service id (omit the field to enforce every destination)");
        rejects(
            { ...graph, dryRun: true, dryRunServices: ["api"] },
            "dryRunServices: cannot be combined with dryRun: true (every AuthorizationPolicy is already in dry-run). Fix: remove dryRun, or remove dryRunServices",
        );
        rejects(
            { ...graph, dryRunServices: ["Api"] },
            `dryRunServices[0]: "Api" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
        );
    });
});
