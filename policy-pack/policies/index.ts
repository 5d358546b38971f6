import { Policies } from "@pulumi/policy";
import { authorizationPolicyMatchesWorkloads } from "./authorization-policy-matches-workloads";
import { authorizationPolicyNoAllowAll } from "./authorization-policy-no-allow-all";
import { authorizationPolicySafePatterns } from "./authorization-policy-safe-patterns";
import { authorizationPolicyStagedEnforcement } from "./authorization-policy-staged-enforcement";
import { authorizationPolicyTargetExists } from "./authorization-policy-target-exists";
import { destinationRuleTlsSan } from "./destination-rule-tls-san";
import { authorizationPolicyTokenNotOptional } from "./authorization-policy-token-not-optional";
import { authorizationPolicyZtunnelHttp } from "./authorization-policy-ztunnel-http";
import { destinationRuleTlsVerified } from "./destination-rule-tls-verified";
import { istioInstallHardening } from "./istio-install-hardening";
import { istioInstallHygiene } from "./istio-install-hygiene";
import { istioResourceSchema } from "./istio-resource-schema";
import { istiodNetworkExposure } from "./istiod-network-exposure";
import { meshBaselineSingleOwner } from "./mesh-baseline-single-owner";
import { meshDefaultDeny } from "./mesh-default-deny";
import { meshStrictMtlsCoverage } from "./mesh-strict-mtls-coverage";
import { meshNamespaceNetworkDefaultDeny } from "./mesh-namespace-network-default-deny";
import { meshOutboundRegistryOnly } from "./mesh-outbound-registry-only";
import { serviceEntryRestricted } from "./service-entry-restricted";
import { namespaceOneDataplane } from "./namespace-one-dataplane";
import { namespaceSidecarInjection } from "./namespace-sidecar-injection";
import { networkPolicyNoAllowAll } from "./network-policy-no-allow-all";
import { peerAuthenticationAmbient } from "./peer-authentication-ambient";
import { peerAuthenticationPermissivePortGuarded } from "./peer-authentication-permissive-port-guarded";
import { peerAuthenticationStrict } from "./peer-authentication-strict";
import { policyReferencesExist } from "./policy-references-exist";
import { requestAuthenticationRequiresPrincipals } from "./request-authentication-requires-principals";
import { workloadNoInjectionOptOut } from "./workload-no-injection-opt-out";
import { workloadNoTrafficCaptureBypass } from "./workload-no-traffic-capture-bypass";

/** Every policy of the meshguard pack, resource policies first. */
export const meshguardPolicies: Policies = [
    peerAuthenticationStrict,
    destinationRuleTlsVerified,
    destinationRuleTlsSan,
    authorizationPolicyNoAllowAll,
    authorizationPolicySafePatterns,
    istioResourceSchema,
    workloadNoInjectionOptOut,
    workloadNoTrafficCaptureBypass,
    istioInstallHygiene,
    istioInstallHardening,
    authorizationPolicyTokenNotOptional,
    namespaceSidecarInjection,
    meshDefaultDeny,
    meshStrictMtlsCoverage,
    meshBaselineSingleOwner,
    requestAuthenticationRequiresPrincipals,
    policyReferencesExist,
    authorizationPolicyMatchesWorkloads,
    networkPolicyNoAllowAll,
    istiodNetworkExposure,
    meshNamespaceNetworkDefaultDeny,
    peerAuthenticationPermissivePortGuarded,
    serviceEntryRestricted,
    meshOutboundRegistryOnly,
    authorizationPolicyStagedEnforcement,
    namespaceOneDataplane,
    peerAuthenticationAmbient,
    authorizationPolicyZtunnelHttp,
    authorizationPolicyTargetExists,
];
