/** Inputs and answers of the authorization simulator. */

export type SimProtocol = "http" | "tcp";

/** A port a workload listens on (the container port, which is what Istio policies match). */
export interface SimPort {
    readonly port: number;
    readonly protocol: SimProtocol;
    /** Container port name (NetworkPolicy named ports). */
    readonly name?: string;
}

/** A workload (the pods of one Deployment, say): what Istio selects policies by and who it is. */
export interface SimWorkload {
    readonly namespace: string;
    readonly name: string;
    /** Kubernetes service account: the identity in the workload's mTLS certificate. Default "default". */
    readonly serviceAccount?: string;
    /** Pod labels, matched by policy selectors. */
    readonly labels?: Readonly<Record<string, string>>;
    readonly ports?: readonly SimPort[];
    /** False when the pods run without a sidecar: they send plaintext and enforce nothing. Default true. */
    readonly inMesh?: boolean;
    /**
     * The data plane of its pods when in the mesh: a sidecar, or ambient (ztunnel, and a waypoint
     * when its Service or namespace names one). Default: what its namespace's labels say when the
     * Namespace is among the objects (components/istio/enrolment), else sidecar.
     */
    readonly dataplane?: "sidecar" | "ambient";
    /** Why the workload is in the mesh or not, naming the label (components/istio/enrolment). */
    readonly meshReason?: string;
    /** Pod IP, for ipBlocks and source.ip conditions. */
    readonly ip?: string;
    /** Paths the workload serves (patterns allowed), used by reachability probes. */
    readonly paths?: readonly string[];
}

/** Who sends the request. */
export type RequestSource =
    /** A known workload, `namespace/name`. */
    | { readonly workload: string }
    /** A mesh workload with this identity, `namespace/serviceAccount` (mTLS when the destination accepts it). */
    | { readonly serviceAccount: string }
    /** A caller outside the mesh: plaintext, no workload identity. */
    | { readonly plaintext: true };

export interface SimRequest {
    readonly from: RequestSource;
    /** Destination workload, `namespace/name`. */
    readonly to: string;
    /** Destination container port; default the workload's first declared port, else 80. */
    readonly port?: number;
    /** Default: the declared protocol of the port, else http. */
    readonly protocol?: SimProtocol;
    /** HTTP method; default GET. Ignored for TCP. */
    readonly method?: string;
    /** HTTP path; default "/". Ignored for TCP. */
    readonly path?: string;
    /** HTTP host (:authority); default `<name>.<namespace>.svc.<trust domain>`. */
    readonly host?: string;
    readonly headers?: Readonly<Record<string, string>>;
    /**
     * Claims of a JWT the request presents (signature and expiry assumed valid): `iss`, `sub`,
     * `aud`, `azp` and any others. It is validated only by a RequestAuthentication selecting the
     * destination; without one the token is ignored.
     */
    readonly jwt?: Readonly<Record<string, unknown>>;
    /**
     * How the caller addresses an ambient destination: through its Service (default; a waypoint
     * the Service or namespace names takes the traffic) or straight to a pod IP (bypasses a
     * service waypoint). Sidecar destinations are the same either way.
     */
    readonly via?: "service" | "pod-ip";
    /** The destination's Service, by name, when several select it (default: the first among the objects). */
    readonly service?: string;
    /** Caller IP (source.ip, ipBlocks); default the source workload's ip. */
    readonly sourceIp?: string;
    /** Original client IP (remote.ip, remoteIpBlocks); default sourceIp. */
    readonly remoteIp?: string;
}

export type Verdict = "allowed" | "denied" | "unknown";

/** Where the decision was taken, in Istio's order. */
export type DecisionStage =
    /** Kubernetes NetworkPolicy (L3/L4) denied the connection before any sidecar saw it. */
    | "network-policy"
    | "no-sidecar"
    | "mtls"
    | "jwt"
    | "custom"
    | "deny"
    | "no-allow-policy"
    | "allow"
    | "no-allow-match";

/** A policy, and the rule in it, that took part in a decision. */
export interface PolicyRef {
    readonly kind: "AuthorizationPolicy" | "PeerAuthentication" | "RequestAuthentication" | "NetworkPolicy" | "ServiceEntry";
    readonly namespace: string;
    readonly name: string;
    readonly action?: "ALLOW" | "DENY" | "AUDIT" | "CUSTOM";
    /** Index in spec.rules. */
    readonly rule?: number;
}

/** What a dry-run (`istio.io/dry-run: "true"`) policy would have done. Never enforced. */
export interface DryRunOutcome {
    readonly policy: PolicyRef;
    /** Whether a rule matched (`unknown` when it cannot be decided). */
    readonly matched: "match" | "no-match" | "unknown";
}

/** Which layer took the decision: Kubernetes NetworkPolicy (L3/L4) or Istio (mTLS and authorization). */
export type DecisionLayer = "network-policy" | "istio";

/** What the NetworkPolicy layer said about the connection (present when NetworkPolicies were given). */
export interface NetworkLayerReport {
    readonly verdict: Verdict;
    /** The direction that denied or could not be decided. */
    readonly direction?: "ingress" | "egress";
    /** The rule that admitted the destination's ingress, or the first policy isolating the denying side. */
    readonly policy?: PolicyRef;
    readonly reason: string;
}

export interface Decision {
    readonly verdict: Verdict;
    readonly layer: DecisionLayer;
    readonly stage: DecisionStage;
    /** The NetworkPolicy layer's outcome, when any NetworkPolicy was given. */
    readonly network?: NetworkLayerReport;
    /** One sentence: why. */
    readonly reason: string;
    /** The policy (and rule) that decided, when one did. */
    readonly policy?: PolicyRef;
    /** mTLS mode in force for the destination port, and whether this connection used mTLS. */
    readonly mtls: { readonly mode: MtlsMode; readonly from?: PolicyRef; readonly used: boolean };
    /** The caller's principal as the destination sees it (absent without mTLS). */
    readonly peerPrincipal?: string;
    /** `<iss>/<sub>` of a validated JWT. */
    readonly requestPrincipal?: string;
    /** Dry-run policies selecting the destination and what they would have done. */
    readonly dryRun: readonly DryRunOutcome[];
    /** Every step taken, in order, as sentences. */
    readonly trace: readonly string[];
    /** Things the simulator could not model or that look like mistakes (pruned fields, targetRefs...). */
    readonly warnings: readonly string[];
    /** Ambient destinations: the proxy that decided and the identity it saw (the last one passed, when allowed). */
    readonly enforcedBy?: EnforcementPoint;
    /** Ambient destinations: every enforcement point on the path, in order, with its outcome. */
    readonly hops?: readonly EnforcementHop[];
}

/** A proxy that enforces policy on the way to a destination. */
export interface EnforcementPoint {
    /** sidecar: the destination's own proxy; waypoint: the destination's waypoint; ztunnel: the destination node's ztunnel. */
    readonly proxy: "sidecar" | "waypoint" | "ztunnel";
    /** `waypoint shop/waypoint`, `ztunnel of shop/reviews`. */
    readonly name: string;
    /** The caller principal it saw (undefined: a plaintext connection without identity). */
    readonly identity?: string;
}

export interface EnforcementHop extends EnforcementPoint {
    readonly verdict: Verdict;
    readonly reason: string;
    readonly policy?: PolicyRef;
}

export type MtlsMode = "STRICT" | "PERMISSIVE" | "DISABLE";
