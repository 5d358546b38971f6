import * as assert from "assert";
import fc from "fast-check";
import "../harness/property-seed";
import { WaypointIndex, waypointPrincipal } from "../../components/istio";

// pilot/pkg/serviceregistry/ambient/waypoints.go (fetchWaypointForTarget/Service/Workload,
// makeAllowedRoutes), services.go (ingressUseWaypointFromLabels) and the waypoint Deployment's
// ServiceAccount (gatewaycommon/deploymentcontroller.go) of Istio 1.30.3.
const ns = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
const gateway = (namespace: string, name: string, extra: { labels?: Record<string, string>; annotations?: Record<string, string>; className?: string; allowedRoutes?: unknown } = {}) => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name, namespace, labels: extra.labels ?? {}, annotations: extra.annotations ?? {} },
    spec: {
        gatewayClassName: extra.className ?? "istio-waypoint",
        listeners: [{ name: "mesh", port: 15008, protocol: "HBONE", ...(extra.allowedRoutes === undefined ? {} : { allowedRoutes: extra.allowedRoutes }) }],
    },
});
const svc = (namespace: string, name: string, labels: Record<string, string> = {}) => ({ namespace, name, labels });

describe("istio/waypoints", () => {
    it("reads a waypoint Gateway: identity from the Gateway name, traffic type service by default", () => {
        const index = new WaypointIndex([gateway("shop", "waypoint")]);
        const w = index.waypoints.get("shop/waypoint");
        assert.deepStrictEqual(w, { namespace: "shop", name: "waypoint", serviceAccount: "waypoint", trafficType: "service", allowedRoutes: { from: "Same" } });
        assert.strictEqual(waypointPrincipal(w!, "cluster.local"), "cluster.local/ns/shop/sa/waypoint");
    });

    it("the service-account annotation names the identity; Gateway label waypoint-for beats the GatewayClass label", () => {
        const index = new WaypointIndex([
            { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "istio-waypoint", labels: { "istio.io/waypoint-for": "all" } } },
            gateway("a", "w1", { annotations: { "gateway.istio.io/service-account": "custom" } }),
            gateway("a", "w2", { labels: { "istio.io/waypoint-for": "workload" } }),
        ]);
        assert.strictEqual(index.waypoints.get("a/w1")?.serviceAccount, "custom");
        assert.strictEqual(index.waypoints.get("a/w1")?.trafficType, "all");
        assert.strictEqual(index.waypoints.get("a/w2")?.trafficType, "workload");
    });

    it("a Gateway of another class is not a waypoint", () => {
        const index = new WaypointIndex([ns("shop", { "istio.io/use-waypoint": "ingress" }), gateway("shop", "ingress", { className: "istio" })]);
        assert.strictEqual(index.waypoints.size, 0);
        assert.deepStrictEqual(index.forService(svc("shop", "reviews")), {
            via: "namespace",
            reason: 'namespace shop is labelled istio.io/use-waypoint=ingress, but Gateway shop/ingress has gatewayClassName "istio", not istio-waypoint, so istiod sends this traffic without a waypoint',
            problem: 'namespace shop is labelled istio.io/use-waypoint=ingress, but Gateway shop/ingress has gatewayClassName "istio", not istio-waypoint, so istiod sends this traffic without a waypoint',
        });
    });

    describe("service traffic", () => {
        const objects = [ns("shop", { "istio.io/use-waypoint": "waypoint" }), gateway("shop", "waypoint"), gateway("shop", "special")];
        const index = new WaypointIndex(objects);
        it("the namespace label", () => {
            const r = index.forService(svc("shop", "reviews"));
            assert.strictEqual(r.waypoint?.name, "waypoint");
            assert.strictEqual(r.via, "namespace");
            assert.strictEqual(r.reason, "namespace shop is labelled istio.io/use-waypoint=waypoint: waypoint shop/waypoint");
        });
        it("the Service's own label wins", () => {
            const r = index.forService(svc("shop", "reviews", { "istio.io/use-waypoint": "special" }));
            assert.deepStrictEqual([r.waypoint?.name, r.via], ["special", "service"]);
        });
        it("none opts out", () => {
            assert.deepStrictEqual(index.forService(svc("shop", "reviews", { "istio.io/use-waypoint": "none" })), { via: "service", reason: "Service shop/reviews is labelled istio.io/use-waypoint=none" });
        });
        it("a missing waypoint named by the Service: no waypoint, no fallback to the namespace's", () => {
            const r = index.forService(svc("shop", "reviews", { "istio.io/use-waypoint": "gone" }));
            assert.strictEqual(r.waypoint, undefined);
            assert.strictEqual(r.problem, "Service shop/reviews is labelled istio.io/use-waypoint=gone, but there is no Gateway shop/gone, so istiod sends this traffic without a waypoint");
        });
        it("no label anywhere", () => {
            assert.deepStrictEqual(new WaypointIndex([ns("shop")]).forService(svc("shop", "reviews")), { reason: "neither Service shop/reviews nor namespace shop names a waypoint (istio.io/use-waypoint)" });
        });
        it("a waypoint's own Service has no waypoint", () => {
            assert.strictEqual(index.forService(svc("shop", "waypoint", { "gateway.istio.io/managed": "istio.io-mesh-controller" })).waypoint, undefined);
        });
        it("a workload-only waypoint refuses service traffic (an error even when inherited)", () => {
            const i = new WaypointIndex([ns("shop", { "istio.io/use-waypoint": "w" }), gateway("shop", "w", { labels: { "istio.io/waypoint-for": "workload" } })]);
            assert.strictEqual(
                i.forService(svc("shop", "reviews")).problem,
                'namespace shop is labelled istio.io/use-waypoint=w, but waypoint shop/w is for "workload" traffic (istio.io/waypoint-for), not service traffic, so istiod sends this traffic without a waypoint',
            );
        });
    });

    describe("cross-namespace use (use-waypoint-namespace, allowedRoutes)", () => {
        const labels = { "istio.io/use-waypoint": "shared", "istio.io/use-waypoint-namespace": "infra" };
        it("the default (Same) refuses other namespaces", () => {
            const i = new WaypointIndex([ns("shop", labels), gateway("infra", "shared")]);
            assert.strictEqual(
                i.forService(svc("shop", "reviews")).problem,
                "namespace shop is labelled istio.io/use-waypoint=shared istio.io/use-waypoint-namespace=infra, but waypoint infra/shared does not accept namespace shop (allowedRoutes.namespaces.from Same on its HBONE listener), so istiod sends this traffic without a waypoint",
            );
        });
        it("All accepts; Selector accepts matching namespaces; Selector without selector accepts none", () => {
            assert.strictEqual(new WaypointIndex([ns("shop", labels), gateway("infra", "shared", { allowedRoutes: { namespaces: { from: "All" } } })]).forService(svc("shop", "r")).waypoint?.namespace, "infra");
            const sel = { namespaces: { from: "Selector", selector: { matchLabels: { team: "x" } } } };
            assert.strictEqual(new WaypointIndex([ns("shop", { ...labels, team: "x" }), gateway("infra", "shared", { allowedRoutes: sel })]).forService(svc("shop", "r")).waypoint?.name, "shared");
            assert.strictEqual(new WaypointIndex([ns("shop", labels), gateway("infra", "shared", { allowedRoutes: sel })]).forService(svc("shop", "r")).waypoint, undefined);
            assert.strictEqual(new WaypointIndex([ns("shop", labels), gateway("infra", "shared", { allowedRoutes: { namespaces: { from: "Selector" } } })]).forService(svc("shop", "r")).waypoint, undefined);
        });
    });

    describe("workload (pod-IP) traffic", () => {
        it("a namespace's service waypoint takes no workload traffic, without error", () => {
            const i = new WaypointIndex([ns("shop", { "istio.io/use-waypoint": "waypoint" }), gateway("shop", "waypoint")]);
            const r = i.forWorkload({ namespace: "shop", labels: {} });
            assert.strictEqual(r.waypoint, undefined);
            assert.strictEqual(r.problem, undefined);
            assert.strictEqual(r.reason, 'namespace shop is labelled istio.io/use-waypoint=waypoint, but waypoint shop/waypoint is for "service" traffic (istio.io/waypoint-for), not workload traffic, so istiod sends this traffic without a waypoint');
        });
        it("a pod's own label naming a service-only waypoint is an error", () => {
            const i = new WaypointIndex([ns("shop"), gateway("shop", "waypoint")]);
            assert.notStrictEqual(i.forWorkload({ namespace: "shop", labels: { "istio.io/use-waypoint": "waypoint" } }).problem, undefined);
        });
        it("an all-traffic waypoint takes pod traffic", () => {
            const i = new WaypointIndex([ns("shop", { "istio.io/use-waypoint": "w" }), gateway("shop", "w", { labels: { "istio.io/waypoint-for": "all" } })]);
            assert.strictEqual(i.forWorkload({ namespace: "shop", labels: {} }).waypoint?.name, "w");
        });
    });

    it("ingress-use-waypoint: Service label over namespace label, Go booleans", () => {
        const i = new WaypointIndex([ns("shop", { "istio.io/ingress-use-waypoint": "true" }), ns("other")]);
        assert.strictEqual(i.ingressUsesWaypoint(svc("shop", "a")), true);
        assert.strictEqual(i.ingressUsesWaypoint(svc("shop", "a", { "istio.io/ingress-use-waypoint": "false" })), false);
        assert.strictEqual(i.ingressUsesWaypoint(svc("other", "a", { "istio.io/ingress-use-waypoint": "T" })), true);
        assert.strictEqual(i.ingressUsesWaypoint(svc("other", "a", { "istio.io/ingress-use-waypoint": "yes" })), false);
        assert.strictEqual(i.ingressUsesWaypoint(svc("other", "a")), false);
    });

    it("instanceOf: a pod labelled gateway.networking.k8s.io/gateway-name", () => {
        const i = new WaypointIndex([gateway("shop", "waypoint")]);
        assert.strictEqual(i.instanceOf("shop", { "gateway.networking.k8s.io/gateway-name": "waypoint" })?.name, "waypoint");
        assert.strictEqual(i.instanceOf("other", { "gateway.networking.k8s.io/gateway-name": "waypoint" }), undefined);
    });
});

describe("istio/waypoints: hostile labels (property)", () => {
    // fetchWaypointForService, restated as a table: the Service's label if present (never falling
    // back), else the namespace's; "none" opts out; the named Gateway must exist, be a waypoint,
    // accept the Service's namespace, and take service traffic ("service" or "all", exactly).
    const value = fc.constantFrom(undefined, "none", "w1", "w2", "missing", "W1", "");
    const nsValue = fc.constantFrom(undefined, "a", "b", "zzz");
    const trafficType = fc.constantFrom(undefined, "service", "workload", "all", "none", "Service", "bogus");
    const from = fc.constantFrom(undefined, "Same", "All");
    const arb = fc.record({
        svc: fc.record({ use: value, useNs: nsValue }),
        ns: fc.record({ use: value, useNs: nsValue }),
        gateways: fc.array(fc.record({ ns: fc.constantFrom("a", "b"), name: fc.constantFrom("w1", "w2"), type: trafficType, from, cls: fc.constantFrom("istio-waypoint", "istio") }), { maxLength: 4 }),
    });
    const labels = (l: { use?: string; useNs?: string }) => ({
        ...(l.use === undefined ? {} : { "istio.io/use-waypoint": l.use }),
        ...(l.useNs === undefined ? {} : { "istio.io/use-waypoint-namespace": l.useNs }),
    });

    it("resolves exactly the waypoint istiod would use, and nothing for any other label value", () => {
        fc.assert(
            fc.property(arb, ({ svc, ns, gateways }) => {
                const objects = [
                    { apiVersion: "v1", kind: "Namespace", metadata: { name: "a", labels: labels(ns) } },
                    ...gateways.map((g) =>
                        gateway(g.ns, g.name, { className: g.cls, labels: g.type === undefined ? {} : { "istio.io/waypoint-for": g.type }, allowedRoutes: g.from === undefined ? undefined : { namespaces: { from: g.from } } }),
                    ),
                ];
                const got = new WaypointIndex(objects).forService({ namespace: "a", name: "s", labels: labels(svc) }).waypoint;
                // The last Gateway of a name wins (objects applied in order).
                const find = (gwNs: string, name: string) => [...gateways].reverse().find((g) => g.ns === gwNs && g.name === name);
                const pick = (l: { use?: string; useNs?: string }) => (l.use === undefined ? undefined : l.use === "none" ? null : { name: l.use, ns: l.useNs ?? "a" });
                const chosen = pick(svc) !== undefined ? pick(svc) : pick(ns);
                let want: string | undefined;
                if (chosen) {
                    const g = find(chosen.ns, chosen.name);
                    const accepts = g !== undefined && (g.from === "All" || g.ns === "a");
                    if (g !== undefined && g.cls === "istio-waypoint" && accepts && (g.type === undefined || g.type === "service" || g.type === "all")) want = `${g.ns}/${g.name}`;
                }
                assert.strictEqual(got === undefined ? undefined : `${got.namespace}/${got.name}`, want);
            }),
            { numRuns: 1000 },
        );
    });
});
