import * as assert from "assert";
import * as path from "path";
import { formatReplay, replayObservedTraffic } from "../../components/adopt";
import { compileMeshPolicy } from "../../components/compile";
import { loadManifests } from "../../components/cli/manifest-files";
import { bothReporters, peer, samples, SeriesSpec } from "./istio-series";

const FIXTURES = path.join(__dirname, "fixtures");
const before = () => loadManifests(["diff/before"], FIXTURES).manifests.map((m) => m.object);

/** Lets the product page call ratings with any request (no method or path restriction). */
const PRODUCTPAGE_TO_RATINGS = {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name: "ratings-from-productpage", namespace: "bookinfo" },
    spec: { selector: { matchLabels: { app: "ratings" } }, rules: [{ from: [{ source: { principals: ["cluster.local/ns/bookinfo/sa/bookinfo-productpage"] } }], to: [{ operation: { ports: ["9080"] } }] }] },
};

const productpage = peer("bookinfo", "productpage-v1", "bookinfo-productpage");
const reviews = peer("bookinfo", "reviews-v1", "bookinfo-reviews");
const ratings = peer("bookinfo", "ratings-v1", "bookinfo-ratings");
const loadgen = peer("bookinfo", "traffic-generator", "bookinfo-loadgen");
const prober = { namespace: "monitoring", workload: "prober", principal: "unknown" };

const TRAFFIC: SeriesSpec[] = [
    ...bothReporters({ from: productpage, to: ratings, port: 9080, service: "ratings" }),
    ...bothReporters({ from: productpage, to: reviews, port: 9080, service: "reviews" }),
    ...bothReporters({ from: reviews, to: ratings, port: 9080, service: "ratings" }),
    { reporter: "destination", from: prober, to: { ...reviews, principal: "unknown" }, port: 9080, service: "reviews" },
    ...bothReporters({ from: loadgen, to: ratings, port: 9080, service: "ratings" }),
    ...bothReporters({ from: loadgen, to: reviews, service: "reviews" }),
    { reporter: "source", from: ratings, to: { namespace: "unknown", workload: "unknown", principal: "unknown" }, port: 443 },
    // refused today already: not replayed
    ...bothReporters({ from: loadgen, to: productpage, port: 9080, code: "403", service: "productpage" }),
];

describe("adopt: discover --check replays observed traffic over declared policies", () => {
    it("sorts each observed call into would break, might break, not checked or allowed, with the reason", () => {
        const r = replayObservedTraffic(samples(TRAFFIC), [...before(), PRODUCTPAGE_TO_RATINGS]);
        const show = (c: { from: string; to: string; port?: number }) => `${c.from} → ${c.to} :${c.port ?? "?"}`;
        assert.deepStrictEqual(r.wouldBreak.map(show), ["bookinfo/traffic-generator → bookinfo/ratings-v1 :9080", "monitoring/prober → bookinfo/reviews-v1 :9080"]);
        assert.deepStrictEqual(r.partly.map(show), ["bookinfo/productpage-v1 → bookinfo/reviews-v1 :9080", "bookinfo/reviews-v1 → bookinfo/ratings-v1 :9080"]);
        assert.deepStrictEqual(r.unchecked.map(show), ["bookinfo/ratings-v1 → unknown/unknown :443", "bookinfo/traffic-generator → bookinfo/reviews-v1 :?"]);
        assert.strictEqual(r.allowed, 1);
        assert.deepStrictEqual(r.assumed, []);
        assert.deepStrictEqual(r.wouldBreak[1], {
            from: "monitoring/prober",
            to: "bookinfo/reviews-v1",
            port: 9080,
            protocol: "http",
            count: 10,
            as: "plaintext, no identity",
            explanation: "GET /meshguard-probe-undeclared is denied: STRICT mTLS on bookinfo/reviews-v1 port 9080 rejects the plaintext connection of a plaintext caller outside the mesh (PeerAuthentication bookinfo/default)",
        });
        assert.match(r.partly[0].explanation, /^allowed only for GET \/meshguard-probe-undeclared; POST \/meshguard-probe-undeclared is denied: /);
    });

    it("assumes a callee missing from the objects from the metrics (labels app=<Service>, identity from the principal)", () => {
        const db = peer("bookinfo", "mysqldb-v1", "bookinfo-mysqldb");
        const r = replayObservedTraffic(samples(bothReporters({ from: ratings, to: db, port: 3306, protocol: "tcp", service: "mysqldb" })), before());
        assert.deepStrictEqual(r.assumed, ["bookinfo/mysqldb-v1"]);
        assert.deepStrictEqual(r.wouldBreak.map((c) => c.explanation), ["the connection is denied: 1 ALLOW policy selects bookinfo/mysqldb-v1 (bookinfo/allow-nothing) and no rule of it matches the request"]);
    });

    it("lists calls allowed only because the callee is in staged enforcement (dryRunServices) and its dry-run policies deny them", () => {
        const manifests = compileMeshPolicy({
            services: [
                { id: "ratings", namespace: "bookinfo", serviceAccount: "bookinfo-ratings", ports: [{ port: 9080, protocol: "http" }] },
                { id: "reviews", namespace: "bookinfo", serviceAccount: "bookinfo-reviews", ports: [{ port: 9080, protocol: "http" }] },
            ],
            allow: [{ from: { service: "reviews" }, to: "ratings" }],
            dryRunServices: ["ratings"],
            networkPolicies: false,
        });
        const traffic = [...bothReporters({ from: reviews, to: ratings, port: 9080, service: "ratings" }), ...bothReporters({ from: loadgen, to: ratings, port: 9080, service: "ratings" })];
        const r = replayObservedTraffic(samples(traffic), manifests);
        assert.deepStrictEqual([r.wouldBreak, r.partly, r.allowed], [[], [], 1]);
        assert.deepStrictEqual(
            r.breakWhenEnforced.map((c) => `${c.from} → ${c.to}: ${c.explanation}`),
            ["bookinfo/traffic-generator → bookinfo/ratings-v1: GET /meshguard-probe-undeclared is allowed now only because the callee's policies run in dry-run (bookinfo/ratings-allow); enforced, they deny it"],
        );
        assert.match(formatReplay(r, "x"), /\nWould break once enforced \(dry-run now\) \(1\):\n {2}- bookinfo\/traffic-generator → bookinfo\/ratings-v1 :9080 http, .*\nFAILED: 1 observed call would or might be denied\.\n$/);
    });
});
