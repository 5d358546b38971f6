import { strict as assert } from "assert";
import { checkIstioSecurityObject, isIstioSecurityKind } from "../../components/istio/schema/security";
import { istioKindFromType } from "../../components/istio";

function se(spec: unknown, apiVersion = "networking.istio.io/v1") {
    return { apiVersion, kind: "ServiceEntry", metadata: { name: "external.api.example.com", namespace: "shop" }, spec };
}
const https = { number: 443, name: "https-443", protocol: "HTTPS" };

describe("checkIstioSecurityObject: ServiceEntry (istiod ValidateServiceEntry)", () => {
    it("is a checked kind in every served version", () => {
        for (const v of ["v1", "v1beta1", "v1alpha3"]) assert.equal(isIstioSecurityKind(`networking.istio.io/${v}`, "ServiceEntry"), true);
        assert.equal(istioKindFromType("kubernetes:networking.istio.io/v1:ServiceEntry"), "ServiceEntry");
    });

    it("accepts what meshguard emits and common hand-written entries", () => {
        for (const spec of [
            { hosts: ["api.example.com"], location: "MESH_EXTERNAL", resolution: "DNS", ports: [https], exportTo: ["."] },
            { hosts: ["*.example.com"], location: "MESH_EXTERNAL", resolution: "DYNAMIC_DNS", ports: [{ number: 443, name: "https-443", protocol: "TLS" }], exportTo: ["."] },
            { hosts: ["db.internal"], addresses: ["203.0.113.0/24"], resolution: "STATIC", ports: [{ number: 5432, name: "tcp", protocol: "TCP" }], endpoints: [{ address: "203.0.113.7" }] },
            { hosts: ["legacy.example.com"], addresses: ["203.0.113.9"], resolution: "NONE", ports: [{ number: 9000, name: "tcp" }] },
        ]) {
            assert.deepEqual(checkIstioSecurityObject(se(spec)), [], JSON.stringify(spec));
        }
    });

    it("reports a bare * host, a wildcard inside a host, and a wildcard with DNS resolution", () => {
        assert.deepEqual(checkIstioSecurityObject(se({ hosts: ["*", "api.*.example.com", "*.example.com"], resolution: "DNS", ports: [https] })), [
            { path: "spec.hosts[0]", message: "invalid host * (a ServiceEntry host cannot be the bare wildcard)" },
            { path: "spec.hosts[1]", message: 'domain name "*.example.com" invalid (label "*" invalid)' },
            { path: "spec.hosts[0]", message: "hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode DNS" },
        ]);
        assert.deepEqual(checkIstioSecurityObject(se({ hosts: ["a.example.com", "b.example.com"], resolution: "DNS", ports: [{ number: 5432, name: "tcp", protocol: "TCP" }] })), [
            { path: "spec.ports", message: "multiple hosts provided with non-HTTP, non-TLS ports" },
        ]);
    });

    it("reports DYNAMIC_DNS misuse, CIDRs with DNS, endpoints with NONE, duplicate ports and unknown fields", () => {
        assert.deepEqual(
            checkIstioSecurityObject(se({ hosts: ["api.example.com"], resolution: "DYNAMIC_DNS", addresses: ["10.0.0.1"], ports: [https, { number: 443, name: "https-443", protocol: "bogus" }] })),
            [
                { path: "spec.hosts[0]", message: "host must be wildcarded for resolution mode DYNAMIC_DNS" },
                { path: "spec.ports[0].protocol", message: "only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type DYNAMIC_DNS" },
                { path: "spec.ports[1].name", message: 'service entry port name "https-443" already defined' },
                { path: "spec.ports[1].number", message: "service entry port 443 already defined" },
                { path: "spec.ports[1].protocol", message: "unsupported protocol: bogus" },
                { path: "spec.ports[1].protocol", message: "only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type DYNAMIC_DNS" },
                { path: "spec.addresses", message: "addresses cannot be set for resolution type DYNAMIC_DNS" },
            ],
        );
        assert.deepEqual(checkIstioSecurityObject(se({ hosts: ["a.example.com"], resolution: "DNS", addresses: ["10.0.0.0/8"] })), [
            { path: "spec.addresses[0]", message: "CIDR addresses are allowed only for NONE/STATIC resolution types" },
        ]);
        assert.deepEqual(checkIstioSecurityObject(se({ hosts: ["a.example.com"], endpoints: [{ address: "203.0.113.7" }] })), [
            { path: "spec.endpoints", message: "no endpoints should be provided for resolution type none" },
        ]);
        assert.deepEqual(checkIstioSecurityObject(se({ hosts: ["a.example.com"], resolutions: "DNS" })), [
            { path: "spec.resolutions", message: "unknown field (not part of the schema; check its spelling)" },
        ]);
        assert.deepEqual(checkIstioSecurityObject(se({ hosts: ["a.example.com"], exportTo: [".", "."] })), [{ path: "spec.exportTo[1]", message: "duplicate entries in exportTo for entry ." }]);
    });
});
