// Istio security semantics shared by the simulator and the policy pack (one implementation, so
// the two can never disagree).
export { ISTIO_KIND_TABLE, isIstioSecurityKindName, IstioSecurityKind, istioKindFromType, istioKindOf, istioKindOfGroup, NETWORKING_GROUP, SECURITY_GROUP } from "./kinds";
export { DryRunState, dryRunState, isDryRun, parseGoBool } from "./dry-run";
export { STAGED_ENFORCEMENT_ANNOTATION, STAGED_ENFORCEMENT_VALUE, StagedAllow, stagedAllowOf } from "./staged-enforcement";
export {
    Dataplane,
    EnrolmentNote,
    NamespaceEnrolment,
    namespaceEnrolment,
    NamespaceInput,
    NEVER_INJECTED_NAMESPACES,
    OutsideCause,
    PodEnrolmentInput,
    WorkloadEnrolment,
    workloadEnrolment,
} from "./enrolment";
export { ManifestWorkload, manifestWorkloads, namespaceLabels } from "./mesh-workloads";
export { hasInnerWildcard, isPathTemplate, isValidPathTemplate, matchPath, matchString, stripQuery } from "./match";
export { formatPrincipal, IstioPrincipal, parsePrincipal } from "./principal";
export { ipInBlock, parseIpBlock } from "./ip";
export { AuthzAttributes, PeerIdentity, RequestAuthIdentity } from "./attributes";
export { conditionKey, KeySemantics, matchRequestPrincipal, OPERATION_KEYS, SOURCE_KEYS, Tri } from "./authz-keys";
export { AuthzActionName } from "./authz-spec";
export { compileRule, CompiledRule, Constraint, evaluateRule, ruleResult, RuleMatch, RulePart } from "./authz-rule";
export { AuthorizationSpecCompiler, CompiledAuthorizationSpec, compileAuthorizationSpec, readMatchLabels, selectorMatches } from "./authz-policy";
export { SelectorIndex } from "./selector-index";
export { SpecReadContext } from "./authz-spec";
export { findAllowAnyCaller, findIneffectiveRules, RuleFinding } from "./rule-findings";
export { admitsOnlyPlaintextOnNamedPorts, plaintextOnlyRules } from "./plaintext-rule";
export {
    describeIdentitySet,
    IdentityReach,
    identityReach,
    IdentitySet,
    identityInSet,
    identitySetCovers,
    matchNamespacePattern,
    matchServiceAccountPattern,
    matchTrustDomainPattern,
    NamePart,
    namespacePatternSet,
    principalPatternSet,
    serviceAccountPatternSet,
    trustDomainPatternSet,
} from "./identity-patterns";
export { CallerReach, constraintReach, ReachLevel, ruleCallerReach } from "./caller-reach";
export { attachingRef, GATEWAY_API_GROUP, PolicyTargets, readPolicyTargets, TargetKind, TargetRef, WAYPOINT_GATEWAY_CLASS_NAME, WaypointAttachment } from "./target-refs";
export {
    GATEWAY_NAME_LABEL,
    GATEWAY_SERVICE_ACCOUNT_ANNOTATION,
    INGRESS_USE_WAYPOINT_LABEL,
    USE_WAYPOINT_LABEL,
    USE_WAYPOINT_NAMESPACE_LABEL,
    Waypoint,
    WAYPOINT_FOR_LABEL,
    WAYPOINT_HBONE_PORT,
    WaypointIndex,
    waypointKey,
    waypointPrincipal,
    WaypointResolution,
    WaypointTraffic,
} from "./waypoints";
export { ZtunnelAuthorization, ztunnelAuthorization, ZtunnelRule, ZtunnelRuleFate } from "./ztunnel-authz";
