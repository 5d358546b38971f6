// Bad ambient input (docs/mesh-policy.md, "Ambient namespaces"): one test per rule, exact messages.
import { strict as assert } from "assert";
import { compileMeshPolicy } from "../../components/compile/mesh-policy";
import { rejects } from "../harness/compile-rejects";

const api = { id: "api", namespace: "shop", serviceAccount: "api", ports: [{ port: 80, protocol: "http" as const, targetPort: 8080 }] };
const web = { id: "web", namespace: "front", serviceAccount: "web", ports: [{ port: 8080, protocol: "http" as const }] };
const ambient = { dataplane: "ambient" as const };
const withWaypoint = { dataplane: "ambient" as const, waypoint: "waypoint" };


const NO_WAYPOINT_FIX = "where ztunnel enforces identities and ports only. Fix: give namespace shop a waypoint: namespaces.shop.waypoint";

describe("compileMeshPolicy: rejected ambient input (exact messages)", () => {
    it("an unknown dataplane value, naming namespaces.<ns>.dataplane", () => {
        rejects({ services: [api], namespaces: { shop: { dataplane: "ambiant" } } }, "namespaces.shop.dataplane: must be one of sidecar, ambient");
        rejects({ services: [api], namespaces: { shop: { dataplane: true } } }, "namespaces.shop.dataplane: must be one of sidecar, ambient");
    });

    it("a waypoint in a sidecar namespace, explicit or by default", () => {
        const message =
            'namespaces.shop.waypoint: namespace shop is a sidecar namespace (namespaces.shop.dataplane, "sidecar" by default): only ambient namespaces have waypoints. Fix: set namespaces.shop.dataplane: "ambient", or remove the waypoint';
        rejects({ services: [api], namespaces: { shop: { waypoint: "waypoint" } } }, message);
        rejects({ services: [api], namespaces: { shop: { dataplane: "sidecar", waypoint: "waypoint" } } }, message);
    });

    it("a waypoint name that is not a DNS label, and an unknown field", () => {
        rejects(
            { services: [api], namespaces: { shop: { dataplane: "ambient", waypoint: "Way_point", extra: 1 } } },
            `namespaces.shop.waypoint: "Way_point" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
            "namespaces.shop.extra: unknown field (not part of the schema; check its spelling)",
        );
    });

    it("ingressUseWaypoint without a waypoint, and a listed namespace nothing lives in or calls from", () => {
        rejects(
            { services: [api], namespaces: { shop: { ...ambient, ingressUseWaypoint: true }, ops: ambient } },
            "namespaces.shop.ingressUseWaypoint: namespace shop has no waypoint for the ingress gateway to use. Fix: set namespaces.shop.waypoint, or remove ingressUseWaypoint",
            "namespaces.ops: no declared service lives in namespace ops and no rule names it as a caller (declared namespaces: shop)",
        );
    });

    it("a namespace named only as a deny exception may be listed", () => {
        assert.doesNotThrow(() => compileMeshPolicy({ services: [api], namespaces: { front: ambient }, deny: [{ to: "api", unlessFrom: [{ namespace: "front" }] }] }));
    });

    it("an L7 or JWT relationship to an ambient service without a waypoint names the relationship and the fix", () => {
        rejects(
            {
                services: [api, web],
                namespaces: { shop: ambient },
                allow: [
                    { from: { service: "web" }, to: "api", methods: ["GET"] },
                    { from: { endUsers: { issuer: "https://idp.example", jwksUri: "https://idp.example/jwks" } }, to: "api" },
                    { from: { namespace: "front" }, to: "api", hosts: ["api.example"], paths: ["/a"] },
                ],
            },
            `allow[0].methods: relationship allow[0] (service "web" → "api") uses methods, but service "api" is in ambient namespace shop without a waypoint, ${NO_WAYPOINT_FIX}`,
            `allow[1].from.endUsers: relationship allow[1] (end users of https://idp.example → "api") uses JWT end users, but service "api" is in ambient namespace shop without a waypoint, ${NO_WAYPOINT_FIX}`,
            `allow[2].paths: relationship allow[2] (namespace front → "api") uses paths, hosts, but service "api" is in ambient namespace shop without a waypoint, ${NO_WAYPOINT_FIX}`,
        );
    });

    it("an L7 relationship from a sidecar caller to a waypoint destination (sidecars do not send through waypoints in Istio 1.30)", () => {
        rejects(
            { services: [api, web], namespaces: { shop: withWaypoint }, allow: [{ from: { service: "web" }, to: "api", paths: ["/a"] }] },
            'allow[0].paths: relationship allow[0] (service "web" → "api") uses paths, but the caller runs in sidecar namespace front, and Istio 1.30 sidecars do not send through waypoints: ztunnel, which enforces identities and ports only, decides. Fix: make namespace front ambient (namespaces.front.dataplane: "ambient"), or drop the HTTP fields',
        );
    });

    it("an L7 or JWT relationship from the ingress gateway to a waypoint destination without ingressUseWaypoint", () => {
        const why =
            "but the ingress gateway sends to namespace shop's waypoint only when the namespace (or Service) is labelled istio.io/ingress-use-waypoint=true; otherwise ztunnel, which enforces identities and ports only, decides. Fix: label namespace shop istio.io/ingress-use-waypoint=true and set namespaces.shop.ingressUseWaypoint: true";
        rejects(
            {
                services: [api],
                namespaces: { shop: withWaypoint },
                allow: [
                    { from: { ingressGateway: true }, to: "api", methods: ["GET"] },
                    { from: { endUsers: { issuer: "https://idp.example", jwksUri: "https://idp.example/jwks" } }, to: "api" },
                ],
            },
            `allow[0].methods: relationship allow[0] (the ingress gateway → "api") uses methods, ${why}`,
            `allow[1].from.endUsers: relationship allow[1] (end users of https://idp.example → "api") uses JWT end users, ${why}`,
        );
    });

    it("a service running as the waypoint's service account (its identity would pass ztunnel as the waypoint's)", () => {
        rejects(
            { services: [{ ...api, serviceAccount: "waypoint" }], namespaces: { shop: withWaypoint } },
            `services[0].serviceAccount: service "api" runs as service account waypoint, the identity of namespace shop's waypoint (namespaces.shop.waypoint): ztunnel admits that identity behind the waypoint, so the service could skip every L7 rule. Fix: give the service or the waypoint another name`,
        );
    });

    it("plaintext callers from outside the mesh to an ambient service", () => {
        rejects(
            { services: [api], namespaces: { shop: ambient }, allow: [{ from: { outOfMesh: { namespace: "legacy" } }, to: "api", ports: [80] }] },
            'allow[0].from.outOfMesh: relationship allow[0] (callers outside the mesh → "api"): service "api" is in ambient namespace shop, where meshguard does not admit plaintext callers from outside the mesh. Fix: enrol the caller in the mesh, or run "api" in a sidecar namespace',
        );
    });

    it("staged enforcement of an ambient service without a waypoint (ztunnel gets no dry-run policy: nothing would be observed)", () => {
        rejects(
            { services: [api], namespaces: { shop: ambient }, dryRunServices: ["api"] },
            'dryRunServices[0]: service "api" is in ambient namespace shop without a waypoint, where only ztunnel enforces, and istiod sends ztunnel no dry-run policy (pilot/pkg/serviceregistry/ambient/authorization.go): nothing would be observed. Fix: give namespace shop a waypoint: namespaces.shop.waypoint',
        );
    });

    it("accepts what the rules allow: L4 to ambient without a waypoint, L7 from ambient callers and (with ingressUseWaypoint) the ingress gateway to a waypoint", () => {
        assert.doesNotThrow(() => compileMeshPolicy({ services: [api, web], namespaces: { shop: ambient }, allow: [{ from: { service: "web" }, to: "api", ports: [80] }] }));
        assert.doesNotThrow(() =>
            compileMeshPolicy({
                services: [api, web],
                namespaces: { shop: { ...withWaypoint, ingressUseWaypoint: true }, front: ambient },
                allow: [
                    { from: { service: "web" }, to: "api", methods: ["GET"] },
                    { from: { ingressGateway: true }, to: "api", paths: ["/"] },
                ],
            }),
        );
    });
});
