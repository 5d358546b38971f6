import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { discover, parsePrometheusResponse, PrometheusInputError } from "../../components/adopt";
import { MeshPolicyInput, parseMeshPolicy } from "../../components/model";
import { BOOKINFO_DISCOVERED, bookinfoService as service } from "./bookinfo";
import { bothReporters, peer, principal, samples } from "./istio-series";

const FIXTURES = path.join(__dirname, "fixtures");
const read = (name: string) => parsePrometheusResponse(fs.readFileSync(path.join(FIXTURES, name), "utf8"), name);
const bookinfo = () => [...read("bookinfo-requests.json"), ...read("bookinfo-tcp.json")];

const summary = (d: ReturnType<typeof discover>["dropped"]) => d.map((x) => `${x.reason} ${x.from} → ${x.to} :${x.port ?? "?"} ${x.protocol} ${x.count}`);

describe("adopt: discover from Istio metrics (Bookinfo)", () => {
    it("declares one service per called identity and one relationship per caller, callee and port", () => {
        const d = discover(bookinfo());
        assert.deepStrictEqual(d.input, BOOKINFO_DISCOVERED);
        parseMeshPolicy(d.input);
        assert.deepStrictEqual(d.addedServices, ["details", "mysqldb", "productpage", "ratings", "reviews"]);
        assert.strictEqual(d.series, 32);
        assert.strictEqual(d.idle, 2);
    });

    it("reports every call it could not turn into a relationship, with its reason", () => {
        const d = discover(bookinfo());
        assert.deepStrictEqual(summary(d.dropped), [
            "callee-without-identity bookinfo/ratings-v1 → bookinfo/mongodb-v1 :27017 tcp 96",
            "caller-not-a-service bookinfo/traffic-generator → bookinfo/productpage-v1 :9080 http 2016",
            "caller-outside-mesh unknown/unknown → bookinfo/productpage-v1 :9080 http 87",
            "plaintext-caller monitoring/prober → bookinfo/details-v1 :9080 http 2016",
            "reporters-disagree bookinfo/reviews-v1 → bookinfo/ratings-v1 :9080 http 25",
        ]);
        assert.deepStrictEqual(summary(d.errorOnly), ["error-only bookinfo/productpage-v1 → bookinfo/ratings-v1 :9080 http 311"]);
    });

    it("reads a range query (matrix): a series counts when any point shows traffic", () => {
        const d = discover(read("bookinfo-requests-matrix.json"));
        assert.deepStrictEqual(d.input, {
            services: [service("productpage", "bookinfo-productpage")],
            allow: [{ from: { ingressGateway: true }, to: "productpage", ports: [9080] }],
        });
        assert.deepStrictEqual(d.added.map((a) => a.count), [48267]);
    });
});

describe("adopt: discover edge cases", () => {
    const web = peer("shop", "web-v1", "web");
    const api = peer("shop", "api-v1", "api");
    const db = peer("shop", "db-0", "db");

    it("refuses a relationship without a known port (it would cover every port of the callee)", () => {
        const d = discover(samples([...bothReporters({ from: web, to: api, service: "api" }), ...bothReporters({ from: api, to: db, port: 5432, protocol: "tcp", service: "db" })]));
        assert.deepStrictEqual(summary(d.dropped), ["port-unknown shop/web-v1 → shop/api-v1 :? http 10", "caller-not-a-service shop/api-v1 → shop/db-0 :5432 tcp 10"].sort());
        assert.deepStrictEqual(d.input?.allow, []);
    });

    it("counts a call seen by only one proxy although both have an identity as a disagreement", () => {
        const d = discover(samples([...bothReporters({ from: web, to: api, port: 8080, service: "api" }), { reporter: "source", from: api, to: db, port: 5432, protocol: "tcp" }]));
        assert.deepStrictEqual(summary(d.dropped), ["caller-not-a-service shop/web-v1 → shop/api-v1 :8080 http 10", "reporters-disagree shop/api-v1 → shop/db-0 :5432 tcp 10"]);
        assert.match(d.dropped[1].detail, /^only the caller's proxy reported this traffic/);
    });

    it("notes that reporters could not be compared when only one reporter was queried", () => {
        const d = discover(samples([{ reporter: "destination", from: web, to: api, port: 8080 }]));
        assert.deepStrictEqual(d.notes[0], `only reporter="destination" series were given: the two proxies of a call could not be compared. Fix: query without a reporter filter`);
        assert.deepStrictEqual(d.input?.allow, []);
    });

    it("drops traffic on a workload port seen both as TCP and HTTP, and traffic of another trust domain", () => {
        const foreign = peer("shop", "legacy", "legacy", "old.example");
        const d = discover(samples([
            ...bothReporters({ from: web, to: api, port: 8080, service: "api" }),
            ...bothReporters({ from: web, to: api, port: 8080, protocol: "tcp", service: "api" }),
            ...bothReporters({ from: web, to: api, port: 9090, service: "api" }),
            ...bothReporters({ from: foreign, to: api, port: 9090, service: "api" }),
        ]));
        assert.deepStrictEqual(summary(d.dropped), [
            "caller-not-a-service shop/web-v1 → shop/api-v1 :9090 http 10",
            "foreign-trust-domain shop/legacy → shop/api-v1 :9090 http 10",
            "protocol-conflict shop/web-v1 → shop/api-v1 :8080 http 10",
            "protocol-conflict shop/web-v1 → shop/api-v1 :8080 tcp 10",
        ]);
        assert.deepStrictEqual(d.input?.services, [{ id: "api", namespace: "shop", serviceAccount: "api", selector: { app: "api" }, ports: [{ port: 9090, protocol: "http" }] }]);
    });

    it("declares grpc when only gRPC was seen, and keeps the trust domain of the traffic", () => {
        const a = peer("shop", "a", "a", "prod.example");
        const b = peer("shop", "b", "b", "prod.example");
        const d = discover(samples([...bothReporters({ from: a, to: b, port: 7000, protocol: "grpc" }), ...bothReporters({ from: b, to: a, port: 8080 })]));
        assert.deepStrictEqual(d.input, {
            trustDomain: "prod.example",
            services: [
                { id: "a", namespace: "shop", serviceAccount: "a", selector: { app: "a" }, ports: [{ port: 8080, protocol: "http" }] },
                { id: "b", namespace: "shop", serviceAccount: "b", selector: { app: "b" }, ports: [{ port: 7000, protocol: "grpc" }] },
            ],
            allow: [
                { from: { service: "b" }, to: "a", ports: [8080] },
                { from: { service: "a" }, to: "b", ports: [7000] },
            ],
        });
    });

    it("gives each identity its own id when Service names collide across namespaces", () => {
        const x = { namespace: "one", workload: "api", principal: principal("one", "api") };
        const y = { namespace: "two", workload: "api", principal: principal("two", "api") };
        const gw = peer("istio-ingress", "istio-ingressgateway");
        const d = discover(samples([...bothReporters({ from: gw, to: x, port: 80, service: "api" }), ...bothReporters({ from: gw, to: y, port: 80, service: "api" })]));
        assert.deepStrictEqual(d.input?.services?.map((s) => `${s.namespace}/${s.id}`), ["one/api", "two/api-two"]);
    });

    it("writes nothing when no call becomes a relationship", () => {
        const d = discover(samples([{ reporter: "destination", from: { namespace: "unknown", workload: "unknown", principal: "unknown" }, to: api, port: 80 }]));
        assert.strictEqual(d.input, undefined);
        assert.deepStrictEqual(summary(d.dropped), ["caller-outside-mesh unknown/unknown → shop/api-v1 :80 http 10"]);
    });

    it("names the series and the missing labels when the query did not group by them", () => {
        const labels = { reporter: "source", source_workload: "a" };
        assert.throws(() => discover([{ origin: "m.json: data.result[4]", labels, value: 1 }]), (err: Error) => {
            assert.ok(err instanceof PrometheusInputError);
            assert.strictEqual(err.message, "m.json: data.result[4].metric: missing Istio labels source_workload_namespace, source_principal, destination_workload, destination_workload_namespace, destination_principal, request_protocol. Fix: group the query by the labels listed in docs/adoption.md (sum by (...))");
            return true;
        });
    });
});

describe("adopt: discover --merge into an existing input", () => {
    const existing: MeshPolicyInput = {
        services: [
            { id: "productpage", namespace: "bookinfo", serviceAccount: "bookinfo-productpage", ports: [{ port: 80, targetPort: 9080, protocol: "http" }] },
            { id: "details", namespace: "bookinfo", serviceAccount: "bookinfo-details", ports: [{ port: 9080, protocol: "http" }] },
            { id: "loadgen", namespace: "bookinfo", serviceAccount: "bookinfo-loadgen", selector: { app: "traffic-generator" }, ports: [{ port: 8080, protocol: "http" }] },
        ],
        allow: [
            { from: { service: "productpage" }, to: "details" },
            { from: { ingressGateway: true }, to: "productpage", methods: ["GET"] },
        ],
        mtls: "inherit",
    };

    it("keeps what exists, adds new services and relationships, and says which are new", () => {
        const d = discover(bookinfo(), { existing });
        assert.deepStrictEqual(d.input, {
            ...existing,
            services: [...existing.services, service("mysqldb", "bookinfo-mysqldb", 3306, "tcp"), service("ratings", "bookinfo-ratings"), service("reviews", "bookinfo-reviews")],
            allow: [
                ...(existing.allow ?? []),
                { from: { service: "ratings" }, to: "mysqldb", ports: [3306] },
                { from: { service: "loadgen" }, to: "productpage", ports: [80] },
                { from: { service: "reviews" }, to: "ratings", ports: [9080] },
                { from: { service: "productpage" }, to: "reviews", ports: [9080] },
            ],
        });
        assert.deepStrictEqual(d.alreadyAllowed, [{ index: 0, from: "bookinfo/productpage-v1", to: "bookinfo/details-v1", port: 9080 }]);
        assert.deepStrictEqual(summary(d.dropped).filter((s) => s.startsWith("restricted")), ["restricted-by-existing istio-ingress/istio-ingressgateway → bookinfo/productpage-v1 :9080 http 48267"]);
        assert.deepStrictEqual(d.addedServices, ["mysqldb", "ratings", "reviews"]);
    });

    it("never adds a port to an existing service", () => {
        const d = discover(bookinfo(), { existing: { services: [{ id: "details", namespace: "bookinfo", serviceAccount: "bookinfo-details", ports: [{ port: 80, protocol: "http" }] }] } });
        assert.deepStrictEqual(summary(d.dropped).filter((s) => s.startsWith("port-not")), ["port-not-declared bookinfo/productpage-v1 → bookinfo/details-v1 :9080 http 48190"]);
    });
});
