import { strict as assert } from "assert";
import * as path from "path";
import { findingLine, formatImportReport, ImportInputError, importMeshPolicy, MeshImport } from "../../components/adopt";
import { loadManifests } from "../../components/cli/manifest-files";
import { MeshPolicyInput } from "../../components/model";
import { BOOKINFO_IMPORTED } from "./bookinfo-import";
import { authorizationPolicy, deployment, destinationRule, MESH_LABELS, namespace, peerAuthentication, PlainObject, requestAuthentication, service } from "../fixtures/objects";

const pod = (serviceAccountName: string, ports: number[]) => ({ serviceAccountName, containers: [{ name: "app", image: "registry.example.com/shop/app:1.0.0", ports: ports.map((containerPort) => ({ containerPort })) }] });
const app = (ns: string, name: string, sa: string, ports: number[], labels: Record<string, string> = { app: name }) => deployment(ns, name, { labels, selector: labels, spec: pod(sa, ports) });

/** shop: web (8080), api (Service port 80 → container port 9000), db (TCP 5432); ops: a tool nobody declares a Service for. */
const WORLD: PlainObject[] = [
    namespace("shop", MESH_LABELS),
    namespace("ops", MESH_LABELS),
    app("shop", "web", "web", [8080]),
    app("shop", "api", "api", [9000]),
    app("shop", "db", "db", [5432]),
    app("ops", "tool", "tool", [7000]),
    service("shop", "web", { app: "web" }, [{ name: "http", port: 8080 }]),
    service("shop", "api", { app: "api" }, [{ name: "http", port: 80, targetPort: 9000 }]),
    service("shop", "db", { app: "db" }, [{ name: "tcp-pg", port: 5432 }]),
];

const SERVICES: MeshPolicyInput["services"] = [
    { id: "api", namespace: "shop", serviceAccount: "api", selector: { app: "api" }, ports: [{ port: 80, protocol: "http", name: "http", targetPort: 9000 }] },
    { id: "db", namespace: "shop", serviceAccount: "db", selector: { app: "db" }, ports: [{ port: 5432, protocol: "tcp", name: "tcp-pg" }] },
    { id: "web", namespace: "shop", serviceAccount: "web", selector: { app: "web" }, ports: [{ port: 8080, protocol: "http", name: "http" }] },
];

const principal = (ns: string, sa: string) => `cluster.local/ns/${ns}/sa/${sa}`;
const run = (...objects: PlainObject[]): MeshImport => importMeshPolicy([...WORLD, ...objects]);
const keptLines = (r: MeshImport) => r.findings.filter((f) => f.kept).map(findingLine);
const noteLines = (r: MeshImport) => r.findings.filter((f) => !f.kept).map(findingLine);
const allowTo = (name: string, selector: Record<string, string>, rules: unknown[]) => authorizationPolicy("shop", name, { selector: { matchLabels: selector }, rules });

describe("adopt: meshguard import translates exactly", () => {
    it("ALLOW principals → service callers; container ports → the Service ports whose targetPort they are", () => {
        const r = run(allowTo("api-allow", { app: "api" }, [{ from: [{ source: { principals: [principal("shop", "web")] } }], to: [{ operation: { ports: ["9000"], methods: ["GET"], paths: ["/v1/*"] } }] }]));
        assert.deepEqual(r.input, {
            services: SERVICES,
            allow: [{ from: { service: "web" }, to: "api", ports: [80], methods: ["GET"], paths: ["/v1/*"] }],
            defaultDeny: false,
            mtls: "inherit",
            networkPolicies: false,
        });
        assert.deepEqual(r.imported, [{ object: "AuthorizationPolicy shop/api-allow", became: "1 relationship" }]);
        assert.deepEqual(r.findings, []);
        assert.equal(r.verdict, "equivalent");
    });

    it("namespaces → namespace callers, hosts → hosts, several sources and operations → one relationship each", () => {
        const r = run(
            allowTo("api-allow", { app: "api" }, [
                { from: [{ source: { namespaces: ["ops"] } }, { source: { principals: [principal("shop", "web")] } }], to: [{ operation: { hosts: ["api.shop.example.com"] } }] },
            ]),
        );
        assert.deepEqual(r.input.allow, [
            { from: { namespace: "ops" }, to: "api", hosts: ["api.shop.example.com"] },
            { from: { service: "web" }, to: "api", hosts: ["api.shop.example.com"] },
        ]);
        assert.equal(r.verdict, "equivalent");
    });

    it("the ingress gateway's principal → ingressGateway (its identity from --ingress-gateway)", () => {
        const policy = allowTo("web-allow", { app: "web" }, [{ from: [{ source: { principals: [principal("edge", "gw")] } }] }]);
        const r = importMeshPolicy([...WORLD, policy], { ingressGateway: { namespace: "edge", serviceAccount: "gw" } });
        assert.deepEqual(r.input.allow, [{ from: { ingressGateway: true }, to: "web" }]);
        assert.deepEqual(r.input.ingressGateway, { namespace: "edge", serviceAccount: "gw" });
        assert.equal(r.verdict, "equivalent");
    });

    it("requestPrincipals + RequestAuthentication → endUsers (subjects, the token audiences, claims from when)", () => {
        const r = run(
            requestAuthentication("shop", "web-jwt", { selector: { matchLabels: { app: "web" } }, jwtRules: [{ issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/keys", audiences: ["web", "mobile"] }] }),
            allowTo("web-users", { app: "web" }, [
                {
                    from: [{ source: { requestPrincipals: ["https://idp.example.com/alice", "https://idp.example.com/bob"] } }],
                    to: [{ operation: { methods: ["GET"] } }],
                    when: [{ key: "request.auth.audiences", values: ["web"] }, { key: "request.auth.claims[groups]", values: ["admins"] }],
                },
            ]),
        );
        assert.deepEqual(r.input.allow, [
            {
                from: { endUsers: { issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/keys", audiences: ["web"], claims: { groups: ["admins"] }, subjects: ["alice", "bob"] } },
                to: "web",
                methods: ["GET"],
            },
        ]);
        assert.deepEqual(r.imported.map((i) => i.object), ["AuthorizationPolicy shop/web-users", "RequestAuthentication shop/web-jwt"]);
        assert.equal(r.verdict, "equivalent");
    });

    it("a namespace allow-nothing → defaultDeny, a namespace-wide STRICT PeerAuthentication → mtls STRICT, ISTIO_MUTUAL DestinationRules → destinationRules", () => {
        const r = run(
            authorizationPolicy("shop", "deny-all", {}),
            peerAuthentication("shop", "default", { mtls: { mode: "STRICT" } }),
            ...["api", "db", "web"].map((id) => destinationRule("shop", `${id}-mtls`, { host: `${id}.shop.svc.cluster.local`, trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } })),
        );
        assert.deepEqual(r.input, { services: SERVICES, allow: [], defaultDeny: true, mtls: "STRICT", destinationRules: true, networkPolicies: false });
        assert.deepEqual(r.imported.map((i) => i.became), [
            "defaultDeny (namespace shop)",
            "mtls: STRICT (namespace shop)",
            "destinationRules: true (api)",
            "destinationRules: true (db)",
            "destinationRules: true (web)",
        ]);
        assert.equal(r.verdict, "equivalent");
    });

    it("DENY with notPrincipals/notNamespaces exemptions → deny rules with unlessFrom (ports mapped back); namespace-wide → toNamespace", () => {
        const r = run(
            authorizationPolicy("shop", "db-deny", {
                selector: { matchLabels: { app: "db" } },
                action: "DENY",
                rules: [{ from: [{ source: { notPrincipals: [principal("shop", "api")], notNamespaces: ["ops"] } }], to: [{ operation: { ports: ["5432"] } }] }],
            }),
            authorizationPolicy("shop", "shop-deny", { action: "DENY", rules: [{ from: [{ source: { notNamespaces: ["shop"] } }] }] }),
        );
        assert.deepEqual(r.input.deny, [
            { to: "db", unlessFrom: [{ service: "api" }, { namespace: "ops" }], ports: [5432] },
            { toNamespace: "shop", unlessFrom: [{ namespace: "shop" }] },
        ]);
        assert.equal(r.verdict, "equivalent");
    });

    it("a container port several Service ports target: all of them, with a note", () => {
        const objects = WORLD.map((o) => (o.kind === "Service" && o.metadata.name === "api" ? service("shop", "api", { app: "api" }, [{ name: "http", port: 80, targetPort: 9000 }, { name: "http-alt", port: 8000, targetPort: 9000 }]) : o));
        const r = importMeshPolicy([...objects, allowTo("api-allow", { app: "api" }, [{ from: [{ source: { principals: [principal("shop", "web")] } }], to: [{ operation: { ports: ["9000"] } }] }])]);
        assert.deepEqual(r.input.allow, [{ from: { service: "web" }, to: "api", ports: [80, 8000] }]);
        assert.deepEqual(noteLines(r), [
            "AuthorizationPolicy shop/api-allow: spec.rules[0].to[0].operation.ports: container port 9000 is the targetPort of Service ports 80, 8000 of shop/api: all of them are listed (they reach the same container port)",
        ]);
        assert.equal(r.verdict, "equivalent");
    });
});

describe("adopt: meshguard import reads services from Services and their workloads", () => {
    it("resolves a named targetPort, leaves out UDP ports, and notes Services it cannot declare (never invents one)", () => {
        const r = importMeshPolicy([
            namespace("data", MESH_LABELS),
            deployment("data", "pg", { labels: { app: "pg" }, selector: { app: "pg" }, spec: { serviceAccountName: "pg", containers: [{ name: "pg", image: "postgres:16", ports: [{ name: "pg", containerPort: 5432 }, { containerPort: 9187 }] }] } }),
            deployment("data", "cache-a", { labels: { app: "cache", shard: "a" }, selector: { app: "cache", shard: "a" }, spec: pod("cache-a", [6379]) }),
            deployment("data", "cache-b", { labels: { app: "cache", shard: "b" }, selector: { app: "cache", shard: "b" }, spec: pod("cache-b", [6379]) }),
            service("data", "pg", { app: "pg" }, [{ name: "tcp-postgres", port: 5432, targetPort: "pg" }, { name: "http-metrics", port: 80, targetPort: 9187 }, { name: "dns", port: 53, protocol: "UDP" }]),
            service("data", "cache", { app: "cache" }, [{ name: "tcp-redis", port: 6379 }]),
            service("data", "ghost", { app: "ghost" }, [{ name: "http", port: 80 }]),
            { apiVersion: "v1", kind: "Service", metadata: { name: "external-db", namespace: "data" }, spec: { ports: [{ port: 5432 }] } },
            authorizationPolicy("data", "deny-all", {}),
        ]);
        assert.deepEqual(r.input.services, [
            { id: "pg", namespace: "data", serviceAccount: "pg", selector: { app: "pg" }, ports: [{ port: 5432, protocol: "tcp", name: "tcp-postgres" }, { port: 80, protocol: "http", name: "http-metrics", targetPort: 9187 }] },
        ]);
        assert.deepEqual(noteLines(r), [
            "Service data/pg: spec.ports[2].protocol: port 53 left out: UDP is not TCP (Istio authorizes TCP traffic only)",
            "Service data/cache: spec.selector: not declared: its workloads run as several service accounts (cache-a, cache-b)",
            "Service data/ghost: spec.selector: not declared: it selects no workload among the input (add its Deployment or Pod next to it)",
            "Service data/external-db: spec.selector: not declared: no selector (its endpoints are managed by hand)",
        ]);
        // Notes change nothing by themselves: the namespace stays default deny for every workload.
        assert.equal(r.verdict, "equivalent");
    });
});

describe("adopt: meshguard import reports what it cannot express, and keeps it as is", () => {
    const web = { selector: { matchLabels: { app: "web" } } };
    const fromApi = [{ source: { principals: [principal("shop", "api")] } }];
    const cases: [string, PlainObject, string][] = [
        ["notPaths", authorizationPolicy("shop", "p", { ...web, rules: [{ from: fromApi, to: [{ operation: { notPaths: ["/admin/*"] } }] }] }), "AuthorizationPolicy shop/p: spec.rules[0].to[0].operation.notPaths: notPaths (negative match) is not expressible: a MeshPolicy allows listed paths only"],
        ["notMethods", authorizationPolicy("shop", "p", { ...web, rules: [{ from: fromApi, to: [{ operation: { notMethods: ["DELETE"] } }] }] }), "AuthorizationPolicy shop/p: spec.rules[0].to[0].operation.notMethods: notMethods (negative match) is not expressible: a MeshPolicy allows listed methods only"],
        ["notPorts", authorizationPolicy("shop", "p", { ...web, rules: [{ from: fromApi, to: [{ operation: { notPorts: ["9090"] } }] }] }), "AuthorizationPolicy shop/p: spec.rules[0].to[0].operation.notPorts: notPorts (negative match) is not expressible: a MeshPolicy allows listed ports only"],
        ["ipBlocks", authorizationPolicy("shop", "p", { ...web, rules: [{ from: [{ source: { ipBlocks: ["10.0.0.0/8"] } }] }] }), "AuthorizationPolicy shop/p: spec.rules[0].from[0].source.ipBlocks: ipBlocks (caller IP ranges) is not expressible: a MeshPolicy authorizes identities"],
        ["remoteIpBlocks", authorizationPolicy("shop", "p", { ...web, rules: [{ from: [{ source: { remoteIpBlocks: ["203.0.113.0/24"] } }] }] }), "AuthorizationPolicy shop/p: spec.rules[0].from[0].source.remoteIpBlocks: remoteIpBlocks (client IP ranges) is not expressible: a MeshPolicy authorizes identities"],
        ["CUSTOM", authorizationPolicy("shop", "p", { ...web, action: "CUSTOM", provider: { name: "ext-authz" }, rules: [{ to: [{ operation: { paths: ["/admin/*"] } }] }] }), "AuthorizationPolicy shop/p: spec.action: CUSTOM is not expressible (a MeshPolicy emits ALLOW and DENY policies only)"],
        ["AUDIT", authorizationPolicy("shop", "p", { ...web, action: "AUDIT", rules: [{ from: fromApi }] }), "AuthorizationPolicy shop/p: spec.action: AUDIT is not expressible (a MeshPolicy emits ALLOW and DENY policies only)"],
        ["when", authorizationPolicy("shop", "p", { ...web, rules: [{ from: fromApi, when: [{ key: "request.headers[x-canary]", values: ["yes"] }] }] }), 'AuthorizationPolicy shop/p: spec.rules[0].when[0]: the condition "request.headers[x-canary]" is not expressible (a MeshPolicy states token audiences and claims only)'],
        ["when on a service caller", authorizationPolicy("shop", "p", { ...web, rules: [{ from: fromApi, when: [{ key: "request.auth.claims[groups]", values: ["admins"] }] }] }), "AuthorizationPolicy shop/p: spec.rules[0].when: conditions on callers other than end users (requestPrincipals) are not expressible"],
        ["requestPrincipals: [\"*\"]", authorizationPolicy("shop", "p", { ...web, rules: [{ from: [{ source: { requestPrincipals: ["*"] } }] }] }), 'AuthorizationPolicy shop/p: spec.rules[0].from[0].source.requestPrincipals: "*" accepts a token of any issuer: not expressible (a MeshPolicy\'s end users name their issuer)'],
        ["rules: [{}]", authorizationPolicy("shop", "p", { ...web, rules: [{}] }), "AuthorizationPolicy shop/p: spec.rules[0]: an empty rule (rules: [{}]) allows every request: not expressible (a MeshPolicy names its callers)"],
        ["a rule without from", authorizationPolicy("shop", "p", { ...web, rules: [{ to: [{ operation: { methods: ["GET"] } }] }] }), "AuthorizationPolicy shop/p: spec.rules[0].from: a rule without from allows any caller (plaintext and outside the mesh too): not expressible (a MeshPolicy names its callers)"],
        ["mesh-wide", authorizationPolicy("istio-system", "p", { rules: [{ from: fromApi }] }), "AuthorizationPolicy istio-system/p: metadata.namespace: in the root namespace istio-system it applies mesh-wide: not expressible (a MeshPolicy's policies apply in its services' namespaces)"],
        ["dry-run", authorizationPolicy("shop", "p", { ...web, rules: [{ from: fromApi }] }, { annotations: { "istio.io/dry-run": "true" } }), 'AuthorizationPolicy shop/p: metadata.annotations["istio.io/dry-run"]: a dry-run policy (evaluated, not enforced) is kept as is: MeshPolicy\'s dryRun puts all of its policies in dry run, not one'],
        ["a principal of an unknown account", authorizationPolicy("shop", "p", { ...web, rules: [{ from: [{ source: { principals: [principal("ops", "tool")] } }] }] }), 'AuthorizationPolicy shop/p: spec.rules[0].from[0].source.principals: "cluster.local/ns/ops/sa/tool": no declared service runs as service account ops/tool (a principal of an unknown account)'],
        ["a principal pattern", authorizationPolicy("shop", "p", { ...web, rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/*"] } }] }] }), 'AuthorizationPolicy shop/p: spec.rules[0].from[0].source.principals: "cluster.local/ns/shop/sa/*" is a pattern, not one identity (<trust-domain>/ns/<namespace>/sa/<account>): a MeshPolicy names services'],
        ["a workload not in the input", authorizationPolicy("shop", "p", { selector: { matchLabels: { app: "ghost" } }, rules: [{ from: fromApi }] }), "AuthorizationPolicy shop/p: spec.selector: selects no workload among the input (meshguard does not invent one: add the workload and its Service next to the policy)"],
        ["a workload without a Service", authorizationPolicy("ops", "p", { selector: { matchLabels: { app: "tool" } }, rules: [{ from: fromApi }] }), "AuthorizationPolicy ops/p: spec.selector: selects ops/tool, which no declared Service stands for exactly (a MeshPolicy addresses services)"],
        ["a workload PeerAuthentication", peerAuthentication("shop", "web-pa", { ...web, mtls: { mode: "STRICT" } }), "PeerAuthentication shop/web-pa: spec.selector: a PeerAuthentication for chosen workloads is not expressible (mtls: STRICT applies to whole namespaces)"],
        ["a PERMISSIVE namespace PeerAuthentication", peerAuthentication("shop", "default", { mtls: { mode: "PERMISSIVE" } }), "PeerAuthentication shop/default: spec.mtls.mode: PERMISSIVE is not expressible (a MeshPolicy sets STRICT or inherits)"],
        ["a DestinationRule with other TLS", destinationRule("shop", "web-tls", { host: "web.shop.svc.cluster.local", trafficPolicy: { tls: { mode: "SIMPLE" } } }), "DestinationRule shop/web-tls: spec.trafficPolicy: only a DestinationRule that sets tls.mode ISTIO_MUTUAL and nothing else is expressible (destinationRules: true)"],
    ];
    for (const [name, object, line] of cases) {
        it(`${name}: ${line.slice(0, 60)}...`, () => {
            const r = run(object);
            assert.deepEqual(keptLines(r), [line]);
            assert.deepEqual(r.imported, []);
            assert.equal(r.verdict, "partial");
            assert.ok(formatImportReport(r).includes(`Kept as is, not expressible (keep these objects applied):\n  - ${line}\n`));
        });
    }

    it("translates the other objects of the same input", () => {
        const r = run(authorizationPolicy("shop", "deny-all", {}), cases[0][1]);
        assert.deepEqual(r.imported, [{ object: "AuthorizationPolicy shop/deny-all", became: "defaultDeny (namespace shop)" }]);
        assert.deepEqual(keptLines(r), [cases[0][2]]);
        assert.equal(r.verdict, "partial");
    });
});

describe("adopt: meshguard import proves equivalence by simulation", () => {
    const blog = [namespace("pub", MESH_LABELS), app("pub", "blog", "blog", [8080]), service("pub", "blog", { app: "blog" }, [{ name: "http", port: 8080 }])];

    it("BROADER: a namespace-wide PERMISSIVE PeerAuthentication kept next to the STRICT one it was overridden by (the older one wins)", () => {
        const r = importMeshPolicy([...WORLD, peerAuthentication("shop", "strict", { mtls: { mode: "STRICT" } }), peerAuthentication("shop", "permissive", { mtls: { mode: "PERMISSIVE" } })]);
        assert.equal(r.verdict, "broader");
        assert.deepEqual(r.diff.mtls.map((m) => `${m.workload}:${m.port} ${m.before}→${m.after}`), ["shop/api:9000 STRICT→PERMISSIVE", "shop/db:5432 STRICT→PERMISSIVE", "shop/web:8080 STRICT→PERMISSIVE"]);
        assert.deepEqual(r.diff.allowed.map((c) => `${c.from} → ${c.to}:${c.port}`), ["(external plaintext) → shop/api:9000", "(external plaintext) → shop/db:5432", "(external plaintext) → shop/web:8080"]);
        assert.ok(formatImportReport(r).endsWith("BROADER than the original objects: nothing written (exit 1). Review the calls listed as newly allowed.\n"));
    });

    it("NARROWER: defaultDeny covers a namespace that had no allow-nothing (its open service becomes closed)", () => {
        const r = importMeshPolicy([...WORLD, ...blog, authorizationPolicy("shop", "deny-all", {})]);
        assert.equal(r.verdict, "narrower");
        assert.deepEqual(r.diff.allowed, []);
        assert.deepEqual(
            r.diff.denied.filter((c) => c.to === "pub/blog").map((c) => c.from),
            ["(external plaintext)", "ops/tool", "pub/blog", "shop/api", "shop/db", "shop/web"],
        );
        assert.ok(formatImportReport(r).includes("  - newly denied: shop/web → pub/blog :8080 http GET, POST, PUT, DELETE on (any path)\n"));
    });
});

describe("adopt: meshguard import refuses input it cannot read as a mesh", () => {
    it("no Istio security object", () => {
        assert.throws(() => importMeshPolicy(WORLD), new ImportInputError("no Istio security object (AuthorizationPolicy, PeerAuthentication, RequestAuthentication, DestinationRule) among the input: nothing to import. Fix: give the files or directories that hold the mesh's policies"));
    });

    it("no Service to declare", () => {
        assert.throws(
            () => importMeshPolicy([app("shop", "web", "web", [8080]), authorizationPolicy("shop", "deny-all", {})]),
            new ImportInputError("no Service among the input selects a workload of the input: a MeshPolicy declares services. Fix: give the Services and the Deployments (or Pods) next to the policies"),
        );
    });
});

describe("adopt: meshguard import of Bookinfo's hand-written policies", () => {
    it("translates every object, equivalent by simulation", () => {
        const objects = loadManifests([path.join(__dirname, "fixtures", "import", "bookinfo")], process.cwd()).manifests.map((m) => m.object);
        const r = importMeshPolicy(objects);
        assert.deepEqual(r.input, BOOKINFO_IMPORTED);
        assert.deepEqual(r.findings, []);
        assert.equal(r.diff.workloads.length, 8);
        assert.equal(r.verdict, "equivalent");
    });
});
