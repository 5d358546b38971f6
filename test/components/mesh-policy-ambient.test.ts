import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { compileMeshPolicy, MeshguardValidationError, MeshNamespace, MeshPolicy, MeshPolicyInput } from "meshguard";
import { failedRegistrations } from "../harness/deferred-errors";
import { outputValue, recorder, registered, settle, urnOf, useMocks } from "../harness/mocks";

const COMPONENT = "meshguard:policy:MeshPolicy";
const AUTHORIZATION_POLICY = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
const PEER_AUTHENTICATION = "kubernetes:security.istio.io/v1:PeerAuthentication";
const REQUEST_AUTHENTICATION = "kubernetes:security.istio.io/v1:RequestAuthentication";

const graph: MeshPolicyInput = {
    networkPolicies: false,
    services: [
        { id: "web", namespace: "front", serviceAccount: "web", ports: [{ port: 8080, protocol: "http" }] },
        { id: "api", namespace: "shop", serviceAccount: "api", ports: [{ port: 80, protocol: "http", targetPort: 8080 }] },
    ],
    allow: [
        { from: { service: "web" }, to: "api", methods: ["GET"] },
        { from: { endUsers: { issuer: "https://idp.example", jwksUri: "https://idp.example/jwks" } }, to: "api" },
    ],
};
const namespaces = { front: { dataplane: "ambient" as const }, shop: { dataplane: "ambient" as const, waypoint: "waypoint", ingressUseWaypoint: true } };

/** The MeshPolicy's own children: what it registered. */
const children = (name: string) => recorder.resources.filter((r) => r.parent === urnOf(COMPONENT, name)).map((r) => `${r.type}::${r.name}`).sort();

describe("MeshPolicy with ambient namespaces (component, mock runtime)", () => {
    before(async () => {
        await useMocks();
    });
    beforeEach(() => recorder.reset());

    it("plain namespaces: registers both layers of the waypoint destination, synchronously known", async () => {
        const policy = new MeshPolicy("mesh", { ...graph, namespaces });
        await registered(policy);
        assert.deepStrictEqual(children("mesh"), [
            `${AUTHORIZATION_POLICY}::mesh-front/allow-nothing`,
            `${AUTHORIZATION_POLICY}::mesh-shop/allow-nothing`,
            `${AUTHORIZATION_POLICY}::mesh-shop/allow-nothing.waypoint`,
            `${AUTHORIZATION_POLICY}::mesh-shop/api-allow`,
            `${AUTHORIZATION_POLICY}::mesh-shop/api.waypoint-allow`,
            `${PEER_AUTHENTICATION}::mesh-front/default`,
            `${PEER_AUTHENTICATION}::mesh-shop/default`,
            `${REQUEST_AUTHENTICATION}::mesh-shop/api.waypoint-jwt`,
        ]);
        assert.deepStrictEqual(policy.manifests, compileMeshPolicy({ ...graph, namespaces }));
        assert.deepStrictEqual(await outputValue(policy.compiled), policy.manifests);
    });

    it("namespaces from MeshNamespace's meshPolicyNamespace output: the same resources once they resolve; `manifests` says to use `compiled`", async () => {
        const front = new MeshNamespace("front", { name: "front", dataplane: "ambient" });
        const shop = new MeshNamespace("shop", { name: "shop", dataplane: "ambient", waypoint: true });
        const policy = new MeshPolicy("mesh", {
            ...graph,
            namespaces: { front: front.meshPolicyNamespace, shop: shop.meshPolicyNamespace.apply((n) => ({ ...n, ingressUseWaypoint: true })) },
        });
        assert.deepStrictEqual(await outputValue(policy.compiled), compileMeshPolicy({ ...graph, namespaces }));
        await registered(policy);
        await settle();
        const viaOutputs = children("mesh");
        recorder.reset();
        await registered(new MeshPolicy("mesh", { ...graph, namespaces }));
        assert.deepStrictEqual(viaOutputs, children("mesh"));
        assert.throws(() => policy.manifests, { message: 'MeshPolicy "mesh": its namespaces are Pulumi outputs, so its manifests are only known once they resolve: use `compiled` (an Output)' });
        assert.throws(() => policy.resources, /use `compiled`/);
    });

    it("bad plain input: throws synchronously naming the relationship and the fix, registers nothing", async () => {
        assert.throws(
            () => new MeshPolicy("mesh", { ...graph, namespaces: { ...namespaces, shop: { dataplane: "ambient" } } }),
            (err: unknown) =>
                err instanceof MeshguardValidationError &&
                err.message ===
                    'invalid MeshPolicy "mesh" args:\n' +
                        '  - allow[0].methods: relationship allow[0] (service "web" → "api") uses methods, but service "api" is in ambient namespace shop without a waypoint, where ztunnel enforces identities and ports only. Fix: give namespace shop a waypoint: namespaces.shop.waypoint\n' +
                        '  - allow[1].from.endUsers: relationship allow[1] (end users of https://idp.example → "api") uses JWT end users, but service "api" is in ambient namespace shop without a waypoint, where ztunnel enforces identities and ports only. Fix: give namespace shop a waypoint: namespaces.shop.waypoint',
        );
        assert.throws(() => new MeshPolicy("mesh", { ...graph, namespaces: { shop: { dataplane: "sidecar", waypoint: "waypoint" } } }), /namespaces\.shop\.waypoint: namespace shop is a sidecar namespace/);
        await settle();
        assert.deepStrictEqual(recorder.resources, []);
    });

    it("bad plain parts next to deferred namespaces: throws synchronously, registers nothing", async () => {
        assert.throws(
            () => new MeshPolicy("mesh", { ...graph, allow: [{ from: { service: "web" }, to: "payments" }], namespaces: { shop: pulumi.output({ dataplane: "ambient" as const }) } }),
            { message: 'invalid MeshPolicy "mesh" args:\n  - allow[0].to: unknown service "payments" (declared: api, web)' },
        );
        await settle();
        assert.deepStrictEqual(recorder.resources, []);
    });

    it("a deferred data plane that makes the input invalid fails with the same message once known, and registers no child", async () => {
        const messages = await failedRegistrations(() => {
            const policy = new MeshPolicy("late", { ...graph, namespaces: { shop: pulumi.output({ dataplane: "ambient" as const }) } });
            void policy.compiled.apply(() => undefined);
        });
        assert.ok(
            messages.some((m) => m.includes('invalid MeshPolicy "late" args:\n  - allow[0].methods: relationship allow[0] (service "web" → "api") uses methods, but service "api" is in ambient namespace shop without a waypoint')),
            messages.join("\n"),
        );
        assert.deepStrictEqual(children("late"), []);
    });
});
