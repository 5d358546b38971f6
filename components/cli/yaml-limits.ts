/**
 * What one YAML file may hold. Far above any real Kubernetes manifest (the API server refuses
 * objects over 1.5 MiB), low enough that hostile input is refused in about a second instead of
 * exhausting time or memory. docs/cli.md lists them.
 */
export const YAML_LIMITS = {
    /** Bytes per file. */
    bytesPerFile: 16 * 1024 * 1024,
    /** Documents per file, and objects per file (the items of `kind: List` documents count). */
    objectsPerFile: 10_000,
    /** Keys of one mapping. */
    keysPerMapping: 10_000,
    /** Nesting depth of mappings and sequences. */
    depth: 100,
    /** Anchors plus aliases per document (resolving an alias scans them: this bounds the work). */
    anchorsAndAliases: 1_000,
    /** The `yaml` package's maxAliasCount: how far aliases may multiply a document when expanded. */
    aliasExpansion: 100,
} as const;
