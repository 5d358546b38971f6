import * as assert from "assert";
import { z } from "zod";
import {
    istioAuthorizationPolicySpecSchema,
    istioConditionSchema,
    istioOperationSchema,
    istioRuleSchema,
    istioSourceSchema,
} from "../../components/istio/schema/authorization-policy";
import { istioJwtRuleSchema, istioPeerAuthenticationSpecSchema, istioRequestAuthenticationSpecSchema } from "../../components/istio/schema/authentication";
import { istioPolicyTargetReferenceSchema, istioWorkloadSelectorSchema } from "../../components/istio/schema/common";
import { istioClientTlsSchema, istioDestinationRuleSpecSchema, istioTrafficPolicySchema } from "../../components/istio/schema/destination-rule";
import * as spec from "../../components/istio/schema/spec-types";
import { istioServiceEntrySpecSchema } from "../../components/istio/schema/service-entry";
import * as serviceEntry from "../../components/istio/schema/service-entry-types";
import { istioMeshArgsSchema, istioMeshConfigSchema, istioMeshLayoutSchema } from "../../components/model/install";
import * as install from "../../components/model/install-types";
import { parseMeshPolicy } from "../../components/model/mesh-policy";
import { meshPolicySchema } from "../../components/model/mesh-policy-schema";
import * as policy from "../../components/model/mesh-policy-types";
import { meshNamespaceArgsSchema, meshNamespaceInjectionSchema } from "../../components/model/namespace";
import * as namespace from "../../components/model/namespace-types";

// The public types are written out by hand (zod-free declarations, issue 12 item 4); these
// compile-time assertions make `npm run typecheck` fail the moment a schema and its explicit type
// drift apart (a field added to one only, an optional that became required, a widened enum...).

/** True only when A and B are the same type (modifiers included), not merely mutually assignable. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;

type Gateway = NonNullable<z.output<typeof istioMeshArgsSchema>["gateway"]>;
type Cni = NonNullable<z.output<typeof istioMeshArgsSchema>["cni"]>;

export type PublicTypesMatchSchemas = [
    Assert<Equals<policy.MeshPolicyInput, z.input<typeof meshPolicySchema>>>,
    Assert<Equals<policy.MeshPolicyConfig, z.output<typeof meshPolicySchema>>>,
    Assert<Equals<policy.MeshService, z.output<typeof meshPolicySchema>["services"][number]>>,
    Assert<Equals<policy.MeshServicePort, z.output<typeof meshPolicySchema>["services"][number]["ports"][number]>>,
    Assert<Equals<policy.MeshRelationship, z.output<typeof meshPolicySchema>["allow"][number]>>,
    Assert<Equals<policy.MeshCaller, z.output<typeof meshPolicySchema>["allow"][number]["from"]>>,
    Assert<Equals<policy.MeshEndUsers, NonNullable<z.output<typeof meshPolicySchema>["allow"][number]["from"]["endUsers"]>>>,
    Assert<Equals<policy.MeshOutOfMeshCaller, NonNullable<z.output<typeof meshPolicySchema>["allow"][number]["from"]["outOfMesh"]>>>,
    Assert<Equals<policy.MeshOutOfMeshCaller, NonNullable<NonNullable<z.input<typeof meshPolicySchema>["allow"]>[number]["from"]["outOfMesh"]>>>,
    Assert<Equals<policy.MeshDenyRule, z.output<typeof meshPolicySchema>["deny"][number]>>,
    Assert<Equals<policy.MeshExternalEgress, NonNullable<z.output<typeof meshPolicySchema>["external"]>[number]>>,
    Assert<Equals<serviceEntry.IstioServiceEntrySpec, z.output<typeof istioServiceEntrySpecSchema>>>,
    Assert<Equals<policy.MeshDenyCaller, z.output<typeof meshPolicySchema>["deny"][number]["unlessFrom"][number]>>,
    Assert<Equals<install.IstioMeshSettings, z.output<typeof istioMeshArgsSchema>>>,
    Assert<Equals<install.IstioMeshConfigSettings, z.output<typeof istioMeshConfigSchema>>>,
    Assert<Equals<install.IstioGatewaySettings, Gateway>>,
    Assert<Equals<install.IstioCniSettings, Cni>>,
    Assert<Equals<install.IstioMeshLayout, z.output<typeof istioMeshLayoutSchema>>>,
    Assert<Equals<namespace.MeshNamespaceSettings, z.output<typeof meshNamespaceArgsSchema>>>,
    Assert<Equals<namespace.MeshNamespaceInjection, z.output<typeof meshNamespaceInjectionSchema>>>,
    Assert<Equals<spec.IstioWorkloadSelector, z.output<typeof istioWorkloadSelectorSchema>>>,
    Assert<Equals<spec.IstioPolicyTargetReference, z.output<typeof istioPolicyTargetReferenceSchema>>>,
    Assert<Equals<spec.IstioPeerAuthenticationSpec, z.output<typeof istioPeerAuthenticationSpecSchema>>>,
    Assert<Equals<spec.IstioJwtRule, z.output<typeof istioJwtRuleSchema>>>,
    Assert<Equals<spec.IstioRequestAuthenticationSpec, z.output<typeof istioRequestAuthenticationSpecSchema>>>,
    Assert<Equals<spec.IstioSource, z.output<typeof istioSourceSchema>>>,
    Assert<Equals<spec.IstioOperation, z.output<typeof istioOperationSchema>>>,
    Assert<Equals<spec.IstioCondition, z.output<typeof istioConditionSchema>>>,
    Assert<Equals<spec.IstioRule, z.output<typeof istioRuleSchema>>>,
    Assert<Equals<spec.IstioAuthorizationPolicySpec, z.output<typeof istioAuthorizationPolicySpecSchema>>>,
    Assert<Equals<spec.IstioClientTls, z.output<typeof istioClientTlsSchema>>>,
    Assert<Equals<spec.IstioTrafficPolicy, z.output<typeof istioTrafficPolicySchema>>>,
    Assert<Equals<spec.IstioDestinationRuleSpec, z.output<typeof istioDestinationRuleSpecSchema>>>,
];

describe("public model types", () => {
    it("a MeshPolicyInput written against the explicit type parses to the explicit MeshPolicyConfig, defaults filled", () => {
        const input: policy.MeshPolicyInput = { services: [{ id: "api", namespace: "shop", serviceAccount: "api", ports: [{ port: 8080, protocol: "http" }] }] };
        const config: policy.MeshPolicyConfig = parseMeshPolicy(input);
        assert.deepStrictEqual(config, {
            trustDomain: "cluster.local",
            clusterDomain: "cluster.local",
            services: [{ id: "api", namespace: "shop", serviceAccount: "api", ports: [{ port: 8080, protocol: "http" }] }],
            allow: [],
            deny: [],
            ingressGateway: { namespace: "istio-ingress", serviceAccount: "istio-ingressgateway", selector: { istio: "ingressgateway" } },
            networkPolicies: {
                ingress: true,
                egress: false,
                dns: { namespace: "kube-system", selector: { "k8s-app": "kube-dns" } },
                istiod: { selector: { app: "istiod" } },
            },
            rootNamespace: "istio-system",
            defaultDeny: true,
            mtls: "STRICT",
            destinationRules: false,
            dryRun: false,
            allowSharedServiceAccounts: false,
            clusterCidrs: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
            namespaces: {},
        });
    });

    it("dryRunServices (staged enforcement) written against the explicit type parses to the same list", () => {
        const input: policy.MeshPolicyInput = {
            services: [{ id: "api", namespace: "shop", serviceAccount: "api", ports: [{ port: 8080, protocol: "http" }] }],
            dryRunServices: ["api"],
        };
        const config: policy.MeshPolicyConfig = parseMeshPolicy(input);
        assert.deepStrictEqual(config.dryRunServices, ["api"]);
        assert.strictEqual(parseMeshPolicy({ services: input.services }).dryRunServices, undefined);
    });
});
