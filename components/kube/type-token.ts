/** Kubernetes types in their two spellings: apiVersion + kind, and Pulumi's type token. */
export interface KubernetesType {
    /** "" for the core group. */
    readonly group: string;
    readonly version: string;
    readonly kind: string;
}

/** The `group/version` of an apiVersion split into group ("" for the core group `v1`) and version. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
    const slash = apiVersion.lastIndexOf("/");
    return slash < 0
        ? { group: "", version: apiVersion }
        : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** apiVersion + kind as a KubernetesType. */
export function typeOfApiVersion(apiVersion: string, kind: string): KubernetesType {
    return { ...splitApiVersion(apiVersion), kind };
}

/** The apiVersion of a group and version (`v1` for the core group). */
export function apiVersionOf(group: string, version: string): string {
    return group === "" ? version : `${group}/${version}`;
}

/**
 * Parses a Pulumi Kubernetes type token `kubernetes:<group>/<version>:<Kind>` ("core" is the empty
 * group). Typed resources, raw CustomResources, ConfigFile/ConfigGroup children and Helm-rendered
 * children all register under this form. `Patch` kinds (`NamespacePatch`) keep their name.
 */
export function parseKubernetesType(token: string): KubernetesType | undefined {
    const known = parsedTypes.get(token);
    if (known !== undefined) return known ?? undefined;
    const parsed = parseUncached(token);
    if (parsedTypes.size < MAX_KEPT_TYPES) parsedTypes.set(token, parsed ?? null);
    return parsed;
}

function parseUncached(token: string): KubernetesType | undefined {
    const match = /^kubernetes:([^:]+):([^:]+)$/.exec(token);
    if (match === null) return undefined;
    const { group, version } = splitApiVersion(match[1]);
    return Object.freeze({ group: group === "core" ? "" : group, version, kind: match[2] });
}

/**
 * Parsed tokens (null: not a Kubernetes type). A stack has a few dozen types and every resource
 * policy of the pack parses the type of every resource; the results are frozen, so sharing is safe.
 */
const parsedTypes = new Map<string, KubernetesType | null>();
const MAX_KEPT_TYPES = 4096;

/** The Pulumi type token of a Kubernetes type (`kubernetes:core/v1:Namespace`). */
export function kubernetesTypeToken(type: KubernetesType): string {
    return `kubernetes:${type.group === "" ? "core" : type.group}/${type.version}:${type.kind}`;
}

/** The kind a `...Patch` resource patches (`NamespacePatch` → `Namespace`), else the kind itself. */
export function patchedKind(kind: string): string {
    return kind.endsWith("Patch") && kind.length > "Patch".length ? kind.slice(0, -"Patch".length) : kind;
}
