export type { KubeObject } from "../kube";
export { CRD_FOLDER, kubernetesYaml, kubernetesYamlFiles, kubernetesYamlPath, MANIFEST_FOLDER } from "./yaml-files";
export type { RenderedFile } from "./yaml-files";
export { buildMeshGraph } from "./mesh-graph";
export type { MeshGraph, MeshGraphEdge, MeshGraphNode, MeshGraphOptions, MeshNodeKind } from "./mesh-graph";
export { graphToMermaid, meshMermaid } from "./mermaid";
export { findWorkloads } from "./workloads";
export type { WorkloadInfo } from "./workloads";
