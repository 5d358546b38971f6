import * as assert from "assert";
import { AuthorizationSimulator, defaultProbes, EXTERNAL_CALLER, formatReachability, reachability, samplePath } from "../../components/simulate";
import { authz, shop, strictMesh, webPrincipal, workload } from "./fixtures";

describe("reachability", () => {
    const manifests = [
        strictMesh,
        authz("shop", "allow-nothing", {}),
        authz("shop", "cart", {
            selector: { matchLabels: { app: "cart" } },
            rules: [
                { from: [{ source: { principals: [webPrincipal] } }], to: [{ operation: { ports: ["8080"], methods: ["GET"], paths: ["/api/*"] } }] },
                { from: [{ source: { principals: [webPrincipal] } }], to: [{ operation: { ports: ["9000"] } }] },
            ],
        }),
    ];
    const workloads = shop.map((w) => (w.name === "cart" ? { ...w, paths: ["/api/*"] } : w));

    it("samples concrete paths from Istio patterns", () => {
        assert.deepStrictEqual(
            ["/api/*", "*.json", "*", "/users/{*}/orders", "/files/{**}", "/exact"].map(samplePath),
            ["/api/meshguard-probe", "/meshguard-probe.json", "/meshguard-probe", "/users/meshguard-probe/orders", "/files/meshguard-probe/x", "/exact"],
        );
    });

    it("probes every port: TCP once, HTTP per method and path", () => {
        const probes = defaultProbes(workloads[1], ["GET", "POST"]);
        assert.deepStrictEqual(probes, [
            { port: 8080, protocol: "http", method: "GET", path: "/api/meshguard-probe" },
            { port: 8080, protocol: "http", method: "GET", path: "/meshguard-probe-undeclared" },
            { port: 8080, protocol: "http", method: "POST", path: "/api/meshguard-probe" },
            { port: 8080, protocol: "http", method: "POST", path: "/meshguard-probe-undeclared" },
            { port: 9000, protocol: "tcp" },
        ]);
    });

    it("lists exactly what each pair may do", () => {
        const sim = new AuthorizationSimulator({ manifests, workloads });
        const report = reachability(sim, { methods: ["GET", "POST"] });
        assert.deepStrictEqual(report.callers, ["shop/web", "shop/cart", "shop/db", "ops/monitor", EXTERNAL_CALLER]);
        const ref = (rule: number) => ({ kind: "AuthorizationPolicy", namespace: "shop", name: "cart", action: "ALLOW", rule });
        assert.deepStrictEqual(
            report.pairs.filter((p) => p.to.startsWith("shop/")),
            [
                {
                    from: "shop/web",
                    to: "shop/cart",
                    allowed: [
                        { port: 8080, protocol: "http", method: "GET", path: "/api/meshguard-probe", verdict: "allowed", policy: ref(0) },
                        { port: 9000, protocol: "tcp", verdict: "allowed", policy: ref(1) },
                    ],
                    unknown: [],
                    denied: 3,
                },
            ],
        );
        // ops has no policy: everyone in the mesh may call it; the plaintext caller is refused by STRICT mTLS.
        const monitor = report.pairs.filter((p) => p.to === "ops/monitor").map((p) => p.from);
        assert.deepStrictEqual(monitor, ["shop/web", "shop/cart", "shop/db", "ops/monitor"]);
        assert.strictEqual(report.probes, 5 * (2 + 5 + 1 + 2));
        assert.strictEqual(
            formatReachability({ ...report, pairs: report.pairs.slice(0, 1) }).split("\n")[1],
            "  shop/web → shop/cart: GET /api/meshguard-probe :8080, tcp/9000 (3 denied)",
        );
    });

    it("agrees with one-by-one decisions (the caller pre-filter loses nothing)", () => {
        const extra = [
            ...manifests,
            authz("ops", "p", { rules: [{ from: [{ source: { notNamespaces: ["shop"] } }] }, { when: [{ key: "source.principal", values: ["*/sa/db"] }] }] }),
            authz("istio-system", "deny-delete", { action: "DENY", rules: [{ to: [{ operation: { methods: ["DELETE"] } }] }] }),
        ];
        const sim = new AuthorizationSimulator({ manifests: extra, workloads: [...workloads, workload("ops", "legacy", { inMesh: false })] });
        const report = reachability(sim);
        for (const callee of sim.workloads) {
            for (const caller of [...sim.workloads.map((w) => `${w.namespace}/${w.name}`), EXTERNAL_CALLER]) {
                const to = `${callee.namespace}/${callee.name}`;
                const from = caller === EXTERNAL_CALLER ? { plaintext: true as const } : { workload: caller };
                const expected = defaultProbes(callee).filter((p) => sim.decide({ from, to, ...p }).verdict === "allowed");
                const pair = report.pairs.find((p) => p.from === caller && p.to === to);
                assert.deepStrictEqual((pair?.allowed ?? []).map(({ port, protocol, method, path }) => ({ port, protocol, method, path })), expected.map(({ port, protocol, method, path }) => ({ port, protocol, method, path })), `${caller} → ${to}`);
            }
        }
    });
});
