/** One policy violation reported by the pack, as the Pulumi CLI would print it. */
export interface PolicyVerdict {
    policyPackName: string;
    policyName: string;
    description: string;
    message: string;
    enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled";
    urn?: string;
    resourceName?: string;
    resourceType?: string;
}

export interface PolicyPackRunOptions {
    /** The policy pack directory (PulumiPolicy.yaml, package.json); default: meshguard's own pack. */
    packDir?: string;
    /** Per-policy config as in a policy config JSON file (`{"<policy>": "advisory" | {enforcementLevel?, ...props}}`, `"all"`). */
    config?: Record<string, unknown>;
    /** Called after each resource is analyzed. */
    onProgress?: (done: number, total: number) => void;
}

/** A policy as the pack describes itself (GetAnalyzerInfo). */
export interface PolicyDescription {
    name: string;
    description: string;
    enforcementLevel: string;
    /** JSON schema properties of the policy's config (without `enforcementLevel`). */
    configSchema?: { properties: Record<string, Record<string, unknown>>; required: string[] };
}

export interface PolicyPackInfo {
    name: string;
    version: string;
    description: string;
    supportsConfig: boolean;
    policies: PolicyDescription[];
}

export interface PolicyPackRunResult {
    verdicts: PolicyVerdict[];
    policies: { name: string; description: string; enforcementLevel: string }[];
    /** Resources analyzed one by one (analyzeStack then sees all of them). */
    analyzed: number;
}

/** A mandatory verdict fails the run (`pulumi preview` exits non-zero); advisory ones do not. */
export function verdictFailsRun(verdict: PolicyVerdict): boolean {
    return verdict.enforcementLevel === "mandatory";
}
