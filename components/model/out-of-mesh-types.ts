// The `outOfMesh` caller kind of a MeshPolicy relationship, written out as plain TypeScript so the
// published declarations never mention zod (see mesh-policy-types.ts). The schema in
// out-of-mesh.ts parses to exactly this type: test/model/public-types.test.ts proves it.

/**
 * Pods without a sidecar (a metrics scraper, a node agent, a job) that call a service in
 * plaintext: they carry no workload identity, so only the NetworkPolicy can say who they are.
 * A relationship from them must list its `ports` (docs/mesh-policy.md, "Callers outside the mesh").
 */
export interface MeshOutOfMeshCaller {
    /** The namespace the pods run in. */
    namespace: string;
    /**
     * Pod labels of the callers; every pod of the namespace when omitted (refused when the
     * namespace holds a declared service: its mesh pods would get the plaintext port too).
     */
    selector?: Record<string, string> | undefined;
}
