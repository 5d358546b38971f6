import * as assert from "assert";
import { istioKindFromType, istioKindOf, parsePrincipal, formatPrincipal } from "../../components/istio";

describe("istio kinds", () => {
    it("matches Pulumi type tokens on group and kind, any version", () => {
        assert.strictEqual(istioKindFromType("kubernetes:security.istio.io/v1:AuthorizationPolicy"), "AuthorizationPolicy");
        assert.strictEqual(istioKindFromType("kubernetes:security.istio.io/v1beta1:AuthorizationPolicy"), "AuthorizationPolicy");
        assert.strictEqual(istioKindFromType("kubernetes:security.istio.io/v1beta1:PeerAuthentication"), "PeerAuthentication");
        assert.strictEqual(istioKindFromType("kubernetes:security.istio.io/v1:RequestAuthentication"), "RequestAuthentication");
        assert.strictEqual(istioKindFromType("kubernetes:networking.istio.io/v1alpha3:DestinationRule"), "DestinationRule");
    });

    it("rejects other groups, kinds and malformed tokens", () => {
        assert.strictEqual(istioKindFromType("kubernetes:networking.istio.io/v1:AuthorizationPolicy"), undefined);
        assert.strictEqual(istioKindFromType("kubernetes:security.istio.io/v1:DestinationRule"), undefined);
        assert.strictEqual(istioKindFromType("kubernetes:networking.istio.io/v1:VirtualService"), undefined);
        assert.strictEqual(istioKindFromType("kubernetes:core/v1:Namespace"), undefined);
        assert.strictEqual(istioKindFromType("meshguard:index:MeshPolicy"), undefined);
        assert.strictEqual(istioKindFromType("kubernetes:security.istio.io:AuthorizationPolicy"), undefined);
        assert.strictEqual(istioKindFromType("kubernetes:security.istio.io/v1:toString"), undefined);
    });

    it("matches manifests by apiVersion group and kind", () => {
        assert.strictEqual(istioKindOf("security.istio.io/v1beta1", "PeerAuthentication"), "PeerAuthentication");
        assert.strictEqual(istioKindOf("networking.istio.io/v1beta1", "DestinationRule"), "DestinationRule");
        assert.strictEqual(istioKindOf("security.istio.io/", "PeerAuthentication"), undefined);
        assert.strictEqual(istioKindOf("v1", "AuthorizationPolicy"), undefined);
        assert.strictEqual(istioKindOf("security.istio.io/v1", "Gateway"), undefined);
    });
});

describe("istio principals", () => {
    it("parses <trust-domain>/ns/<ns>/sa/<sa>", () => {
        assert.deepStrictEqual(parsePrincipal("cluster.local/ns/shop/sa/cart"), {
            trustDomain: "cluster.local",
            namespace: "shop",
            serviceAccount: "cart",
        });
        assert.strictEqual(formatPrincipal({ trustDomain: "td", namespace: "a", serviceAccount: "b" }), "td/ns/a/sa/b");
    });

    it("rejects the spiffe:// form, wildcards and other shapes", () => {
        assert.strictEqual(parsePrincipal("spiffe://cluster.local/ns/shop/sa/cart"), undefined);
        assert.strictEqual(parsePrincipal("cluster.local/ns/shop/sa/*"), undefined);
        assert.strictEqual(parsePrincipal("*"), undefined);
        assert.strictEqual(parsePrincipal("cluster.local/ns/shop"), undefined);
        assert.strictEqual(parsePrincipal("cluster.local/ns/shop/sa/cart/extra"), undefined);
    });
});
