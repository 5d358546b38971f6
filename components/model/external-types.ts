// The `external` and `clusterCidrs` MeshPolicy inputs, written out zod-free for the public
// declarations (see mesh-policy-types.ts); model/external.ts parses to exactly these types.

/** Protocols of an external port: what the caller speaks to the external host. */
export const EXTERNAL_PORT_PROTOCOLS = ["https", "tls", "http", "tcp"] as const;
export type MeshExternalPortProtocol = (typeof EXTERNAL_PORT_PROTOCOLS)[number];

/** One port of an external destination. */
export interface MeshExternalPort {
    port: number;
    protocol: MeshExternalPortProtocol;
}

/** Who may call an external host: one declared service, or every pod of a declared namespace. */
export interface MeshExternalCaller {
    service?: string | undefined;
    namespace?: string | undefined;
}

/** One external egress declaration: `from` may reach `hosts` (outside the cluster) on `ports`. */
export interface MeshExternalEgress {
    from: MeshExternalCaller;
    /** Fully qualified host names; a leading `*.` label is the only wildcard. */
    hosts: string[];
    ports: MeshExternalPort[];
}
