import { ValidationIssue } from "../errors";
import { checkIstioSecurityObject as checkSecurityObject, isIstioSecurityKind as isSecurityKind } from "../istio/schema/security";
import { formatPath as formatFieldPath } from "../validation/validate";
import { checkInjectionWithMesh as checkInjection } from "./namespace";

// The model's public functions whose implementations live in zod-based modules, bound here with
// plain signatures: the published declarations of this file name no zod type, so a user's tsc
// never loads zod's declarations (issue 12: they need esModuleInterop/skipLibCheck). tsc drops
// the imports above from the declarations because they are only used as values.

/**
 * Validates one Istio security object (AuthorizationPolicy, PeerAuthentication,
 * RequestAuthentication, DestinationRule) against the CRD schema, its CEL rules and istiod's
 * webhook. Returns [] when valid, and [] for any other kind. Paths are rooted at the object.
 */
export const checkIstioSecurityObject: (value: unknown) => ValidationIssue[] = checkSecurityObject;

/** True when `checkIstioSecurityObject` validates objects of this apiVersion group and kind. */
export const isIstioSecurityKind: (apiVersion: string, kind: string) => boolean = isSecurityKind;

/** Only "disabled" injection may be combined with a MeshNamespace's `mesh` (see namespace.ts). */
export const checkInjectionWithMesh: (injection: unknown, hasMesh: boolean) => ValidationIssue[] = checkInjection;

/** Renders a field path as a field expression: `services[1].ports[0].protocol`. */
export const formatPath: (path: readonly PropertyKey[]) => string = formatFieldPath;
