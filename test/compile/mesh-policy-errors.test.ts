import { strict as assert } from "assert";
import { compileMeshPolicy } from "../../components/compile/mesh-policy";
import { MeshguardValidationError } from "../../components/errors";
import { rejects } from "../harness/compile-rejects";

const web = { id: "web", namespace: "apps", serviceAccount: "web", ports: [{ port: 80, protocol: "http" as const }] };
const db = { id: "db", namespace: "data", serviceAccount: "db", ports: [{ port: 5432, protocol: "tcp" as const }] };
const shop = { id: "shop", namespace: "apps", serviceAccount: "shop", ports: [{ port: 8080, protocol: "http" as const }, { port: 9000, protocol: "tcp" as const }] };


describe("compileMeshPolicy: rejected input (one test per rule, exact message)", () => {
    it("an unknown service as callee", () => {
        rejects({ services: [web, db], allow: [{ from: { service: "web" }, to: "payments" }] }, 'allow[0].to: unknown service "payments" (declared: db, web)');
    });

    it("an unknown service as caller", () => {
        rejects({ services: [web, db], allow: [{ from: { service: "api" }, to: "web" }] }, 'allow[0].from.service: unknown service "api" (declared: db, web)');
    });

    it("duplicate service ids", () => {
        rejects({ services: [web, { ...db, id: "web" }] }, 'services[1].id: duplicate service id "web" (ids must be unique)');
    });

    it("invalid DNS-1123 names", () => {
        rejects(
            { services: [{ ...web, id: "Web_1", namespace: "-apps" }] },
            `services[0].id: "Web_1" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
            `services[0].namespace: "-apps" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
        );
    });

    it("a service account that is not a Kubernetes name", () => {
        rejects({ services: [{ ...web, serviceAccount: "web/*" }] }, `services[0].serviceAccount: "web/*" is not a valid service account name (a DNS-1123 subdomain: lowercase letters, digits, '-' and '.')`);
    });

    it("empty lists", () => {
        rejects({ services: [] }, "services: must declare at least one service");
        rejects({ services: [{ ...web, ports: [] }] }, "services[0].ports: must declare at least one port");
        rejects({ services: [web], allow: [{ from: { namespace: "apps" }, to: "web", methods: [] }] }, "allow[0].methods: must not be empty (omit the field instead)");
        rejects({ services: [web], allow: [{ from: { namespace: "apps" }, to: "web", paths: [] }] }, "allow[0].paths: must not be empty (omit the field instead)");
    });

    it("* in the middle of a path", () => {
        rejects(
            { services: [web], allow: [{ from: { namespace: "apps" }, to: "web", paths: ["/api/*/items"] }] },
            'allow[0].paths[0]: "/api/*/items": * in the middle of a path is matched literally by Istio; use it only as the first or the last character',
        );
    });

    it("* at both ends of a path", () => {
        rejects(
            { services: [web], allow: [{ from: { namespace: "apps" }, to: "web", paths: ["*/api/*"] }] },
            'allow[0].paths[0]: "*/api/*": a path may use * at its start (suffix match) or at its end (prefix match), not both',
        );
    });

    it("* in the middle of a request principal", () => {
        rejects(
            { services: [web], allow: [{ from: { endUsers: { issuer: "https://idp", jwksUri: "https://idp/keys", subjects: ["*-admin"] } }, to: "web" }] },
            'allow[0].from.endUsers.subjects[0]: "https://idp/*-admin": * in the middle of a request principal is matched literally by Istio; use it only as the first or the last character',
        );
    });

    it("a spiffe:// prefix", () => {
        rejects({ trustDomain: "spiffe://cluster.local", services: [web] }, 'trustDomain: must not start with spiffe:// (Istio principals are <trust-domain>/ns/<namespace>/sa/<account>; use "cluster.local")');
    });

    it("a wildcard trust domain", () => {
        rejects({ trustDomain: "*.local", services: [web] }, "trustDomain: must not contain * (a trust domain is matched exactly)");
    });

    it("HTTP fields on a TCP-only port", () => {
        rejects(
            { services: [shop, web], allow: [{ from: { service: "web" }, to: "shop", ports: [8080, 9000], methods: ["GET"] }] },
            'allow[0].ports[1]: port 9000 of service "shop" is tcp, and methods only match traffic on an HTTP port (http, http2 or grpc) (list this port in a separate relationship without HTTP fields)',
        );
    });

    it("HTTP fields on a service without HTTP ports", () => {
        rejects(
            { services: [db, web], allow: [{ from: { service: "web" }, to: "db", paths: ["/x"], hosts: ["db"] }] },
            'allow[0].paths: service "db" has no HTTP port (http, http2 or grpc), and paths, hosts only match HTTP traffic',
        );
    });

    it("JWT end users on a service without HTTP ports", () => {
        rejects(
            { services: [db], allow: [{ from: { endUsers: { issuer: "https://idp", jwksUri: "https://idp/keys" } }, to: "db" }] },
            'allow[0].from.endUsers: service "db" has no HTTP port (http, http2 or grpc), and JWT end users only match HTTP traffic',
        );
    });

    it("gRPC methods on a port that is not grpc or http2", () => {
        rejects(
            { services: [web], allow: [{ from: { namespace: "apps" }, to: "web", grpcMethods: ["pkg.Svc/Get"] }] },
            'allow[0].grpcMethods: service "web" has no grpc or http2 port, and grpcMethods only match HTTP traffic',
        );
    });

    it("gRPC methods mixed with methods", () => {
        rejects(
            { services: [{ ...web, ports: [{ port: 80, protocol: "grpc" }] }], allow: [{ from: { namespace: "apps" }, to: "web", grpcMethods: ["pkg.Svc/Get"], methods: ["GET"] }] },
            "allow[0].grpcMethods: cannot be combined with methods or paths (a gRPC call is POST /package.Service/Method)",
        );
    });

    it("a malformed gRPC method", () => {
        rejects(
            { services: [web], allow: [{ from: { namespace: "apps" }, to: "web", grpcMethods: ["/pkg.Svc/Get"] }] },
            'allow[0].grpcMethods[0]: "/pkg.Svc/Get" is not a gRPC method (use package.Service/Method, or package.Service/* for all its methods)',
        );
    });

    it("a port the callee does not declare", () => {
        rejects({ services: [web], allow: [{ from: { namespace: "apps" }, to: "web", ports: [8443] }] }, 'allow[0].ports[0]: service "web" has no port 8443 (declared: 80)');
    });

    it("methods outside the HTTP set", () => {
        rejects(
            { services: [web], allow: [{ from: { namespace: "apps" }, to: "web", methods: ["GET", "get", "FETCH"] }] },
            'allow[0].methods[1]: "get" is not an HTTP method (allowed: CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE; upper case)',
            'allow[0].methods[2]: "FETCH" is not an HTTP method (allowed: CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE; upper case)',
        );
    });

    it("two services sharing a service account, unless explicitly allowed", () => {
        const twin = { ...shop, serviceAccount: "web" };
        rejects(
            { services: [web, twin] },
            'services[1].serviceAccount: service "shop" shares service account apps/web with service "web": their identities are indistinguishable (give each its own service account, or set allowSharedServiceAccounts: true)',
        );
        assert.equal(compileMeshPolicy({ services: [web, twin], allowSharedServiceAccounts: true }).length, 3);
    });

    it("a service in Istio's root namespace", () => {
        rejects({ services: [{ ...web, namespace: "istio-system" }] }, "services[0].namespace: istio-system is Istio's root namespace, where policies apply to the whole mesh: declare services of other namespaces only");
        rejects({ rootNamespace: "mesh-root", services: [{ ...web, namespace: "mesh-root" }] }, "services[0].namespace: mesh-root is Istio's root namespace, where policies apply to the whole mesh: declare services of other namespaces only");
    });

    it("two services selecting the same workloads", () => {
        rejects(
            { services: [web, { ...shop, selector: { app: "web" } }] },
            `services[1].selector: service "shop" (services[1].selector {"app":"web"}) selects the same workloads as service "web" (services[0].id, default selector {"app":"web"}) in namespace apps: a pod carrying both label sets gets both services' policies, so each service's callers could reach the other. Fix: give them disjoint labels (a key both selectors set with different values, e.g. component: shop and component: web)`,
        );
    });

    it("issue 10 item 1: a selector that is a subset of another (web {app: cart} would widen admin {app: cart, role: admin})", () => {
        const admin = { id: "admin", namespace: "apps", serviceAccount: "admin", selector: { app: "cart", role: "admin" }, ports: [{ port: 80, protocol: "http" as const }] };
        rejects(
            { services: [{ ...web, selector: { app: "cart" } }, admin], allow: [{ from: { service: "web" }, to: "web" }] },
            `services[1].selector: service "admin" (services[1].selector {"app":"cart","role":"admin"}) can select the same pods as service "web" (services[0].selector {"app":"cart"}) in namespace apps: a pod carrying both label sets gets both services' policies, so each service's callers could reach the other. Fix: give them disjoint labels (a key both selectors set with different values, e.g. component: admin and component: web)`,
        );
    });

    it("issue 10 item 1: compatible selectors without shared keys ({app: web} and {tier: front}) can select one pod", () => {
        rejects(
            { services: [web, { ...shop, selector: { tier: "front" } }] },
            `services[1].selector: service "shop" (services[1].selector {"tier":"front"}) can select the same pods as service "web" (services[0].id, default selector {"app":"web"}) in namespace apps: a pod carrying both label sets gets both services' policies, so each service's callers could reach the other. Fix: give them disjoint labels (a key both selectors set with different values, e.g. component: shop and component: web)`,
        );
    });

    it("issue 10 item 1: selectors that differ on a shared key, or live in other namespaces, are accepted", () => {
        const admin = { id: "admin", namespace: "apps", serviceAccount: "admin", selector: { app: "cart", role: "admin" }, ports: [{ port: 80, protocol: "http" as const }] };
        assert.equal(compileMeshPolicy({ services: [{ ...web, selector: { app: "cart", role: "web" } }, admin] }).length, 3);
        assert.equal(compileMeshPolicy({ services: [{ ...web, selector: { app: "cart" } }, { ...admin, namespace: "ops" }] }).length, 6);
    });

    it("a service in the ingress gateway's namespace", () => {
        rejects(
            { services: [{ ...web, namespace: "istio-ingress" }] },
            "services[0].namespace: istio-ingress is the ingress gateway's namespace (ingressGateway.namespace): meshguard's namespace-wide policies there would also select the gateway pods. Fix: run the service in its own namespace",
        );
        rejects(
            { ingressGateway: { namespace: "edge", serviceAccount: "gw" }, services: [{ ...web, namespace: "edge" }] },
            "services[0].namespace: edge is the ingress gateway's namespace (ingressGateway.namespace): meshguard's namespace-wide policies there would also select the gateway pods. Fix: run the service in its own namespace",
        );
    });

    it("an empty selector", () => {
        rejects({ services: [{ ...web, selector: {} }] }, "services[0].selector: must not be empty (an empty selector would select every workload of the namespace)");
    });

    it("a JWT caller without issuer", () => {
        rejects({ services: [web], allow: [{ from: { endUsers: { jwksUri: "https://idp/keys" } }, to: "web" }] }, "allow[0].from.endUsers.issuer: Invalid input: expected string, received undefined");
        rejects({ services: [web], allow: [{ from: { endUsers: { issuer: " ", jwksUri: "https://idp/keys" } }, to: "web" }] }, "allow[0].from.endUsers.issuer: must be set: a JWT caller needs the token issuer (iss)");
    });

    it("a JWT caller with a non-http jwksUri", () => {
        rejects({ services: [web], allow: [{ from: { endUsers: { issuer: "https://idp", jwksUri: "file:///keys" } }, to: "web" }] }, "allow[0].from.endUsers.jwksUri: must be an http:// or https:// URL of the issuer's JSON Web Key Set");
    });

    it("one issuer with two key sets for the same service", () => {
        rejects(
            {
                services: [web],
                allow: [
                    { from: { endUsers: { issuer: "https://idp", jwksUri: "https://idp/keys" } }, to: "web" },
                    { from: { endUsers: { issuer: "https://idp", jwksUri: "https://idp/other-keys" } }, to: "web", methods: ["GET"] },
                ],
            },
            'allow[1].from.endUsers.jwksUri: issuer https://idp is declared with another jwksUri in allow[0] for service "web" (one issuer, one key set)',
        );
    });

    it("wildcards in claim values", () => {
        rejects(
            { services: [web], allow: [{ from: { endUsers: { issuer: "https://idp", jwksUri: "https://idp/keys", claims: { groups: ["admin*"] } } }, to: "web" }] },
            'allow[0].from.endUsers.claims.groups[0]: "admin*": wildcards are not supported here (values are matched exactly)',
        );
    });

    it("bad path templates", () => {
        rejects(
            { services: [web], allow: [{ from: { namespace: "apps" }, to: "web", paths: ["/v1/{id}/{*}", "/v1/{**}/items/{*}", "/v1/x{*}", "/v1//{*}", "/v1/a\"b/{*}"] }] },
            'allow[0].paths[0]: "/v1/{id}/{*}" is not a valid path template (only whole-segment {*} and {**} operators; no named variables or bare *)',
            'allow[0].paths[1]: "/v1/{**}/items/{*}" is not a valid path template ({**} must be the last operator)',
            'allow[0].paths[2]: "/v1/x{*}" is not a valid path template ({*} and {**} must each be a whole path segment)',
            `allow[0].paths[3]: "/v1//{*}" is not a valid path template (segment "" must be made of letters, digits and - . _ ~ % ! $ & ' ( ) + , ; : @ =)`,
            `allow[0].paths[4]: "/v1/a\\"b/{*}" is not a valid path template (segment "a\\"b" must be made of letters, digits and - . _ ~ % ! $ & ' ( ) + , ; : @ =)`,
        );
    });

    it("a path that is not a URL path", () => {
        rejects(
            { services: [web], allow: [{ from: { namespace: "apps" }, to: "web", paths: ["api/*", "/a?b=1", "*"] }] },
            'allow[0].paths[0]: "api/*": a path must start with / (or with * for a suffix match)',
            'allow[0].paths[1]: "/a?b=1": paths match the URL path only (no query, fragment or whitespace)',
            'allow[0].paths[2]: "*" matches every path: omit paths to allow them all',
        );
    });

    it("a caller of two kinds at once, or of none", () => {
        rejects({ services: [web], allow: [{ from: { service: "web", namespace: "apps" }, to: "web" }] }, "allow[0].from: exactly one of service, namespace, ingressGateway, endUsers, outOfMesh must be set (found service, namespace)");
        rejects({ services: [web], allow: [{ from: {}, to: "web" }] }, "allow[0].from: exactly one of service, namespace, ingressGateway, endUsers, outOfMesh must be set");
    });

    it("an unknown field", () => {
        rejects({ services: [web], allow: [{ from: { namespace: "apps" }, to: "web", path: ["/x"] }] }, "allow[0].path: unknown field (not part of the schema; check its spelling)");
    });

    it("a deny rule without exceptions, with two targets, or on an undeclared namespace", () => {
        rejects({ services: [web], deny: [{ to: "web", unlessFrom: [] }] }, "deny[0].unlessFrom: must list at least one caller (a deny rule without exceptions would deny everything: use defaultDeny)");
        rejects({ services: [web], deny: [{ to: "web", toNamespace: "apps", unlessFrom: [{ namespace: "apps" }] }] }, "deny[0]: exactly one of to, toNamespace must be set (found to, toNamespace)");
        rejects({ services: [web], deny: [{ toNamespace: "payments", unlessFrom: [{ namespace: "apps" }] }] }, 'deny[0].toNamespace: no declared service lives in namespace "payments" (declared namespaces: apps)');
    });

    it("a deny rule with ports on a namespace, or JWT exceptions", () => {
        rejects({ services: [web], deny: [{ toNamespace: "apps", unlessFrom: [{ namespace: "apps" }], ports: [80] }] }, "deny[0].ports: ports can only be used with `to` (a service); a namespace-wide deny covers every port");
        rejects(
            { services: [web], deny: [{ to: "web", unlessFrom: [{ endUsers: { issuer: "https://idp", jwksUri: "https://idp/keys" } }] }] },
            "deny[0].unlessFrom[0].endUsers: unknown field (not part of the schema; check its spelling)",
            "deny[0].unlessFrom[0]: exactly one of service, namespace, ingressGateway must be set",
        );
    });

    it("a port out of range and an unknown protocol", () => {
        rejects(
            { services: [{ ...web, ports: [{ port: 70000, protocol: "https" }] }] },
            "services[0].ports[0].port: must be a port from 1 to 65535",
            "services[0].ports[0].protocol: must be one of http, http2, grpc, tcp",
        );
    });

    it("issue 10 item 4: a JWT claim or selector key named __proto__ is refused, not dropped", () => {
        const refused = (key: string) => `the key ${JSON.stringify(key)} is not allowed: it names a JavaScript object built-in and would be dropped or misread when copied into a plain object (rename it)`;
        const input = JSON.parse(
            '{"services":[{"id":"web","namespace":"apps","serviceAccount":"web","selector":{"__proto__":"x","app":"web"},"ports":[{"port":80,"protocol":"http"}]}],' +
                '"allow":[{"from":{"endUsers":{"issuer":"https://idp","jwksUri":"https://idp/keys","claims":{"__proto__":["admin"],"groups":["ops"]}}},"to":"web"}]}',
        );
        rejects(input, `services[0].selector.__proto__: ${refused("__proto__")}`, `allow[0].from.endUsers.claims.__proto__: ${refused("__proto__")}`);
    });

    it("issue 10 item 4: constructor, prototype and Object.prototype member names are refused as keys", () => {
        const claims = { constructor: ["a"], prototype: ["b"], toString: ["c"], hasOwnProperty: ["d"] };
        const refused = (key: string) => `the key ${JSON.stringify(key)} is not allowed: it names a JavaScript object built-in and would be dropped or misread when copied into a plain object (rename it)`;
        rejects(
            { services: [web], allow: [{ from: { endUsers: { issuer: "https://idp", jwksUri: "https://idp/keys", claims } }, to: "web" }] },
            ...["constructor", "prototype", "toString", "hasOwnProperty"].map((k) => `allow[0].from.endUsers.claims.${k}: ${refused(k)}`),
        );
    });

    it("issue 10 item 4: an object literal whose __proto__ key replaced the prototype is refused", () => {
        const claims = { __proto__: { role: ["admin"] }, groups: ["ops"] } as unknown as Record<string, string[]>;
        rejects(
            { services: [web], allow: [{ from: { endUsers: { issuer: "https://idp", jwksUri: "https://idp/keys", claims } }, to: "web" }] },
            "allow[0].from.endUsers.claims: must be a plain object: its prototype was replaced (an object literal key written __proto__ sets the prototype instead of a key; rename the key)",
        );
    });

    it("an invalid selector label key names the key", () => {
        rejects(
            { services: [{ ...web, selector: { "bad key": "x" } }] },
            `services[0].selector["bad key"]: key "bad key" is not a valid label key (an optional DNS prefix of at most 253 characters and '/', then alphanumerics, '-', '_' or '.', at most 63 characters)`,
        );
    });

    it("issue 10 item 10: more than 512 rules for one destination is refused at validation, with the limit and the field", () => {
        const allow = Array.from({ length: 513 }, (_, i) => ({ from: { namespace: "apps" }, to: "web", paths: [`/v${i}`] }));
        rejects(
            { services: [web], allow },
            'allow: the relationships to service "web" (allow[0], allow[1], allow[2], allow[3], allow[4], … (513 in all)) compile to 513 rules in AuthorizationPolicy apps/web-allow; Istio accepts at most 512 rules per AuthorizationPolicy. Fix: merge relationships: those with the same ports, methods, paths, hosts and JWT conditions share one rule, whatever their callers',
        );
        assert.equal(compileMeshPolicy({ services: [web], allow: allow.slice(0, 512) }).length, 5);
    });

    it("issue 10 item 10: more than 512 deny rules for one target is refused", () => {
        const ids = Array.from({ length: 513 }, (_, i) => `ns-${i}`);
        rejects(
            { services: [web], deny: ids.map((namespace) => ({ to: "web", unlessFrom: [{ namespace }] })) },
            'deny: the deny rules to service "web" (deny[0], deny[1], deny[2], deny[3], deny[4], … (513 in all)) compile to 513 rules in AuthorizationPolicy apps/web-deny; Istio accepts at most 512 rules per AuthorizationPolicy. Fix: merge deny rules of this target into fewer rules with more unlessFrom callers',
        );
    });

    it("issue 10 item 10: more than 4,096 JWT issuers for one destination is refused at the issuer that exceeds it", () => {
        const allow = Array.from({ length: 4097 }, (_, i) => ({ from: { endUsers: { issuer: `https://idp-${i}`, jwksUri: `https://idp-${i}/keys` } }, to: "web" }));
        rejects(
            { services: [web], allow },
            'allow[4096].from.endUsers.issuer: is the 4097th distinct issuer for service "web"; its RequestAuthentication holds one jwtRule per issuer and Istio accepts at most 4096. Fix: accept fewer issuers per service (e.g. federate them behind one issuer)',
        );
    });

    it("issue 10 item 10: an object larger than etcd's 1.5 MiB request limit is refused", () => {
        const paths = Array.from({ length: 20000 }, (_, i) => `/a-rather-long-path-segment-for-size/${String(i).padStart(40, "0")}`);
        assert.throws(
            () => compileMeshPolicy({ services: [web], allow: [{ from: { namespace: "apps" }, to: "web", paths }] }),
            (err: unknown) => {
                assert.ok(err instanceof MeshguardValidationError);
                assert.equal(err.issues.length, 1);
                assert.equal(err.issues[0].path, "allow");
                assert.match(
                    err.issues[0].message,
                    /^the relationships to service "web" \(allow\[0\]\) compile to AuthorizationPolicy apps\/web-allow of \d+ bytes; Kubernetes stores an object in one etcd request of at most 1572864 bytes \(1\.5 MiB by default\)\. Fix: shorten or merge the lists of paths, hosts and callers$/,
                );
                return true;
            },
        );
    });

    it("a selector with more than 4096 labels", () => {
        const selector = Object.fromEntries(Array.from({ length: 4097 }, (_, i) => [`k${i}`, "v"]));
        rejects({ services: [{ ...web, selector }] }, "services[0].selector: must have at most 4096 labels (Istio's WorkloadSelector limit)");
    });

    it("quotes at most 80 characters of user input and lists at most 10 declared items", () => {
        const id = "A".repeat(10_000_000);
        rejects(
            { services: [{ ...web, id }] },
            `services[0].id: "${"A".repeat(80)}…" (10000000 characters) is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
        );
        const ports = Array.from({ length: 600 }, (_, i) => ({ port: i + 1, protocol: "tcp" as const }));
        rejects(
            { services: [{ ...web, ports }], allow: [{ from: { namespace: "apps" }, to: "web", ports: [700] }] },
            'allow[0].ports[0]: service "web" has no port 700 (declared: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … (600 in all))',
        );
    });

    it("names the component in the error subject and lists every issue", () => {
        const err = assert.throws;
        err(() => compileMeshPolicy({ services: [web], allow: [{ from: { service: "x" }, to: "y" }] }, 'MeshPolicy "mesh" args'), {
            message: 'invalid MeshPolicy "mesh" args:\n  - allow[0].from.service: unknown service "x" (declared: web)\n  - allow[0].to: unknown service "y" (declared: web)',
        });
    });
});
