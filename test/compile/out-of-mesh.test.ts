import { strict as assert } from "assert";
import { compileMeshPolicy } from "../../components/compile/mesh-policy";
import { MeshPolicyInput } from "../../components/model/mesh-policy";
import { rejects } from "../harness/compile-rejects";

const api = {
    id: "api",
    namespace: "shop",
    serviceAccount: "api",
    ports: [
        { port: 80, protocol: "http" as const, targetPort: 8080 },
        { port: 9090, protocol: "http" as const, targetPort: 19090 },
        { port: 9100, protocol: "tcp" as const },
    ],
};
const web = { id: "web", namespace: "shop", serviceAccount: "web", ports: [{ port: 80, protocol: "http" as const }] };
const scraper = { outOfMesh: { namespace: "monitoring", selector: { app: "prometheus" } } };
const MANAGED = { "app.kubernetes.io/managed-by": "meshguard" };


const byId = (manifests: ReturnType<typeof compileMeshPolicy>, kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name);

describe("compileMeshPolicy: callers outside the mesh (outOfMesh)", () => {
    const input: MeshPolicyInput = {
        services: [api, web],
        allow: [
            { from: { service: "web" }, to: "api", ports: [80] },
            { from: scraper, to: "api", ports: [9090, 9100] },
        ],
    };

    it("PERMISSIVE on exactly the callers' container ports (targetPort), STRICT for the rest of the workload", () => {
        assert.deepEqual(byId(compileMeshPolicy(input), "PeerAuthentication", "api-plaintext-ports"), {
            apiVersion: "security.istio.io/v1",
            kind: "PeerAuthentication",
            metadata: { name: "api-plaintext-ports", namespace: "shop", labels: MANAGED },
            spec: { selector: { matchLabels: { app: "api" } }, mtls: { mode: "STRICT" }, portLevelMtls: { "9100": { mode: "PERMISSIVE" }, "19090": { mode: "PERMISSIVE" } } },
        });
    });

    it("an ALLOW rule for plaintext callers (notPrincipals *) on exactly those ports; mesh callers' rules unchanged", () => {
        const manifests = compileMeshPolicy(input);
        assert.deepEqual(byId(manifests, "AuthorizationPolicy", "api-allow-plaintext"), {
            apiVersion: "security.istio.io/v1",
            kind: "AuthorizationPolicy",
            metadata: { name: "api-allow-plaintext", namespace: "shop", labels: MANAGED },
            spec: {
                selector: { matchLabels: { app: "api" } },
                action: "ALLOW",
                rules: [{ from: [{ source: { notPrincipals: ["*"] } }], to: [{ operation: { ports: ["9100", "19090"] } }] }],
            },
        });
        const meshOnly = compileMeshPolicy({ ...input, allow: [input.allow![0]] });
        assert.deepEqual(byId(manifests, "AuthorizationPolicy", "api-allow"), byId(meshOnly, "AuthorizationPolicy", "api-allow"));
        assert.deepEqual(byId(manifests, "PeerAuthentication", "default"), byId(meshOnly, "PeerAuthentication", "default"));
    });

    it("the callee's ingress NetworkPolicy admits exactly the out-of-mesh pods on exactly those ports", () => {
        assert.deepEqual(byId(compileMeshPolicy(input), "NetworkPolicy", "allow-ingress-to-api")?.spec, {
            podSelector: { matchLabels: { app: "api" } },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { app: "prometheus" } } }],
                    ports: [{ protocol: "TCP", port: 9100 }, { protocol: "TCP", port: 19090 }],
                },
                { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } }, podSelector: { matchLabels: { app: "web" } } }], ports: [{ protocol: "TCP", port: 8080 }] },
            ],
        });
    });

    it("mtls: inherit leaves the workload's own mode unset (it inherits), only the ports are PERMISSIVE", () => {
        const pa = byId(compileMeshPolicy({ ...input, mtls: "inherit" }), "PeerAuthentication", "api-plaintext-ports");
        assert.deepEqual(pa?.spec, { selector: { matchLabels: { app: "api" } }, portLevelMtls: { "9100": { mode: "PERMISSIVE" }, "19090": { mode: "PERMISSIVE" } } });
    });

    it("a namespace without declared services may be given without a selector (every pod of it)", () => {
        const manifests = compileMeshPolicy({ services: [api], allow: [{ from: { outOfMesh: { namespace: "monitoring" } }, to: "api", ports: [9100] }] });
        assert.deepEqual((byId(manifests, "NetworkPolicy", "allow-ingress-to-api")?.spec as { ingress: unknown }).ingress, [
            { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 9100 }] },
        ]);
    });

    it("egress on: out-of-mesh pods in a mesh namespace get an egress policy to exactly their callee's ports (plus DNS and istiod)", () => {
        const agent = { outOfMesh: { namespace: "shop", selector: { app: "agent" } } };
        const manifests = compileMeshPolicy({ services: [api, web], allow: [{ from: agent, to: "api", ports: [9100] }], networkPolicies: { egress: true } });
        const egress = manifests.filter((m) => m.kind === "NetworkPolicy" && m.metadata.name.startsWith("allow-egress-from.out-of-mesh-"));
        assert.equal(egress.length, 1);
        assert.deepEqual(egress[0].spec, {
            podSelector: { matchLabels: { app: "agent" } },
            policyTypes: ["Egress"],
            egress: [
                { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } }, podSelector: { matchLabels: { app: "api" } } }], ports: [{ protocol: "TCP", port: 9100 }] },
                { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] },
                { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } }, podSelector: { matchLabels: { app: "istiod" } } }], ports: [{ protocol: "TCP", port: 15012 }] },
            ],
        });
    });
});

describe("compileMeshPolicy: rejected outOfMesh input (exact messages)", () => {
    it("outOfMesh without ports", () => {
        rejects(
            { services: [api], allow: [{ from: scraper, to: "api" }] },
            'allow[0].ports: is required for an outOfMesh caller: its plaintext is accepted only on the ports listed here (every port would turn the whole workload PERMISSIVE). Fix: list the ports of service "api" the caller needs, e.g. ports: [9090]',
        );
    });

    it("an outOfMesh namespace that holds declared services, without a selector", () => {
        rejects(
            { services: [api, web], allow: [{ from: { outOfMesh: { namespace: "shop" } }, to: "api", ports: [9090] }] },
            'allow[0].from.outOfMesh.selector: is required: namespace "shop" holds declared services, and without a selector the plaintext port would be open to every pod of it, its mesh pods included. Fix: set selector to the labels of the pods without a sidecar',
        );
    });

    it("an empty selector", () => {
        rejects(
            { services: [api], allow: [{ from: { outOfMesh: { namespace: "monitoring", selector: {} } }, to: "api", ports: [9090] }] },
            "allow[0].from.outOfMesh.selector: must not be empty (an empty selector would select every workload of the namespace)",
        );
    });

    it("methods, paths, hosts or gRPC methods from an outOfMesh caller", () => {
        const reason = (field: string) =>
            `allow[0].${field}: cannot be used with an outOfMesh caller: meshguard limits plaintext callers by port only (the NetworkPolicy that names them is L4), and an HTTP-only rule for a caller without identity would be the only thing between it and the rest of the port. Fix: remove ${field}, or give the caller a sidecar and declare it as a service`;
        rejects({ services: [api], allow: [{ from: scraper, to: "api", ports: [9090], methods: ["GET"], paths: ["/metrics"] }] }, reason("methods"), reason("paths"));
        rejects({ services: [api], allow: [{ from: scraper, to: "api", ports: [9090], hosts: ["api.shop"] }] }, reason("hosts"));
    });

    it("the root namespace as an outOfMesh namespace", () => {
        rejects(
            { services: [api], allow: [{ from: { outOfMesh: { namespace: "istio-system", selector: { app: "x" } } }, to: "api", ports: [9090] }] },
            `allow[0].from.outOfMesh.namespace: "istio-system" is Istio's root namespace (istiod runs there); a caller outside the mesh must run in a namespace of its own. Fix: move the pods to another namespace`,
        );
    });

    it("outOfMesh with the NetworkPolicy layer off", () => {
        rejects(
            { services: [api], allow: [{ from: scraper, to: "api", ports: [9090] }], networkPolicies: false },
            "allow[0].from.outOfMesh: needs networkPolicies.ingress: the NetworkPolicy is the only thing that limits the plaintext port to these pods (they carry no identity an AuthorizationPolicy could check). Fix: remove `networkPolicies: false` / `ingress: false`, or remove this relationship",
        );
    });

    it("a deny rule covering the out-of-mesh ports", () => {
        rejects(
            { services: [api, web], allow: [{ from: scraper, to: "api", ports: [9090] }], deny: [{ to: "api", unlessFrom: [{ service: "web" }] }] },
            'allow[0].from.outOfMesh: deny[0] covers service "api" on the same ports and denies every caller outside its unlessFrom; a plaintext caller carries no identity to be excepted, so this relationship could never be used. Fix: limit deny[0].ports to other ports, or remove this relationship',
        );
    });

    it("outOfMesh together with another caller kind", () => {
        rejects({ services: [api], allow: [{ from: { ...scraper, namespace: "monitoring" }, to: "api", ports: [9090] }] }, "allow[0].from: exactly one of service, namespace, ingressGateway, endUsers, outOfMesh must be set (found namespace, outOfMesh)");
    });
});

describe("compileMeshPolicy: an out-of-mesh port shared with a namespace caller", () => {
    it("is refused: the namespace's pods without a sidecar would reach the PERMISSIVE port in plaintext", () => {
        rejects(
            { services: [api, web], allow: [{ from: { namespace: "shop" }, to: "api" }, { from: scraper, to: "api", ports: [9090] }] },
            'allow[1].ports: container port 19090 of service "api" is also open to every pod of namespace "shop" (allow[0]); accepting plaintext there would let that namespace\'s pods without a sidecar in, since a plaintext caller has no identity to tell them apart. Fix: declare the callers of "shop" as services, or serve the out-of-mesh caller on a port of its own',
        );
    });

    it("is accepted on another port of the same service", () => {
        const manifests = compileMeshPolicy({ services: [api, web], allow: [{ from: { namespace: "shop" }, to: "api", ports: [80] }, { from: scraper, to: "api", ports: [9090] }] });
        assert.deepEqual(Object.keys((byId(manifests, "PeerAuthentication", "api-plaintext-ports")?.spec as { portLevelMtls: object }).portLevelMtls), ["19090"]);
    });
});
