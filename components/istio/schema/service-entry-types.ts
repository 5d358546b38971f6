// The ServiceEntry spec written out zod-free (the public declarations never mention zod);
// service-entry.ts parses to exactly this type (test/model/public-types.test.ts).

export interface IstioServiceEntryEndpoint {
    address?: string | undefined;
    labels?: Record<string, string> | undefined;
    locality?: string | undefined;
    network?: string | undefined;
    ports?: Record<string, number> | undefined;
    serviceAccount?: string | undefined;
    weight?: number | undefined;
}

export interface IstioServiceEntryPort {
    name: string;
    number: number;
    protocol?: string | undefined;
    targetPort?: number | undefined;
}

/** `spec` of a ServiceEntry (networking.istio.io v1 / v1beta1 / v1alpha3). */
export interface IstioServiceEntrySpec {
    hosts: string[];
    addresses?: string[] | undefined;
    endpoints?: IstioServiceEntryEndpoint[] | undefined;
    exportTo?: string[] | undefined;
    location?: "MESH_EXTERNAL" | "MESH_INTERNAL" | undefined;
    ports?: IstioServiceEntryPort[] | undefined;
    resolution?: "NONE" | "STATIC" | "DNS" | "DNS_ROUND_ROBIN" | "DYNAMIC_DNS" | undefined;
    subjectAltNames?: string[] | undefined;
    workloadSelector?: { labels?: Record<string, string> | undefined } | undefined;
}
