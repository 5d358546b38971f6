import { KubeObject } from "../kube";
import { buildMeshGraph, MeshGraph, MeshGraphEdge, MeshGraphNode, MeshGraphOptions } from "./mesh-graph";

/**
 * A Mermaid flowchart of who may call whom according to the AuthorizationPolicy objects among
 * `objects`: namespaces are boxes, workloads plain nodes, the ingress gateway a hexagon, end users
 * and other outside callers rounded nodes, pods outside the mesh (plaintext callers a NetworkPolicy
 * names) parallelograms; edges carry the allowed methods, paths and ports.
 * and other outside callers rounded nodes, external hosts (ServiceEntries) parallelograms with
 * "egress" edges from the pods allowed to reach them; edges carry the allowed methods, paths and ports.
 * Solid arrows allow, crossed arrows deny, dotted arrows audit or delegate (CUSTOM). Namespaces
 * covered by an allow-nothing policy (their own or the mesh-wide one) are titled "default deny";
 * when some namespace is ambient, every title also names its data plane ("ambient, waypoint W").
 */
export function meshMermaid(objects: readonly KubeObject[], options: MeshGraphOptions = {}): string {
    return graphToMermaid(buildMeshGraph(objects, options));
}

/** Mermaid text of a graph built by buildMeshGraph. */
export function graphToMermaid(graph: MeshGraph): string {
    const lines = ["flowchart LR"];
    if (graph.meshDefaultDeny) lines.push("  %% mesh-wide default deny: an allow-nothing policy in the root namespace covers every workload");
    if (graph.policyCount === 0) lines.push("  %% no AuthorizationPolicy: Istio allows every call (no access control)");
    else if (graph.edges.length === 0) lines.push(`  %% no AuthorizationPolicy allows any call${graph.defaultDenyNamespaces.length > 0 ? ` (default deny: ${graph.defaultDenyNamespaces.join(", ")})` : ""}`);
    for (const w of graph.outsideMesh) lines.push(`  %% ${escape(w.workload)} is outside the mesh (no sidecar: ${escape(w.reason)}): no policy is enforced on it`);
    for (const problem of graph.unreadable) lines.push(`  %% not drawn: ${escape(problem.replace(/\s+/g, " "))}`);
    const namespaces: string[] = [];
    for (const node of graph.nodes) {
        if (node.namespace !== undefined && !namespaces.includes(node.namespace)) namespaces.push(node.namespace);
    }
    for (const node of graph.nodes.filter((n) => n.namespace === undefined)) lines.push(`  ${nodeText(node)}`);
    for (const namespace of namespaces) {
        const defaultDeny = graph.meshDefaultDeny || graph.defaultDenyNamespaces.includes(namespace);
        // In a mesh with ambient namespaces every title names its data plane (and waypoint).
        const notes = [...(graph.dataplanes === undefined ? [] : [graph.dataplanes[namespace] ?? "data plane unknown"]), ...(defaultDeny ? ["default deny"] : [])];
        const title = notes.length > 0 ? `namespace ${namespace} (${notes.join("; ")})` : `namespace ${namespace}`;
        lines.push(`  subgraph ${namespaceId(namespace, graph)}["${escape(title)}"]`);
        for (const node of graph.nodes.filter((n) => n.namespace === namespace)) lines.push(`    ${nodeText(node)}`);
        lines.push("  end");
    }
    for (const edge of [...graph.edges, ...graph.egress]) lines.push(`  ${edgeText(edge)}`);
    return `${lines.join("\n")}\n`;
}

const SHAPES: Readonly<Record<MeshGraphNode["kind"], [string, string]>> = {
    "workload": ["[", "]"],
    "service-account": ["[", "]"],
    "selector": ["[", "]"],
    "target": ["[", "]"],
    "namespace": ["[[", "]]"],
    "mesh": ["[[", "]]"],
    "gateway": ["{{", "}}"],
    "end-users": ["([", "])"],
    "peers": ["([", "])"],
    "anyone": ["((", "))"],
    "ip": [">", "]"],
    "outside-mesh": ["[/", "/]"],
    "external": ["[/", "/]"],
};

function nodeText(node: MeshGraphNode): string {
    const [open, close] = SHAPES[node.kind];
    return `${node.id}${open}"${escape(node.label)}"${close}`;
}

const ARROWS: Readonly<Record<MeshGraphEdge["action"], string>> = {
    ALLOW: "-->",
    DENY: "--x",
    AUDIT: "-.->",
    CUSTOM: "-.->",
};

function edgeText(edge: MeshGraphEdge): string {
    const prefix = edge.action === "DENY" || edge.action === "AUDIT" ? `${edge.action} ` : "";
    const label = edge.labels.map((l) => escape(`${prefix}${l}`)).join("<br/>");
    return `${edge.from} ${ARROWS[edge.action]}|"${label}"| ${edge.to}`;
}

/** Subgraph ids share the node id space: keep them distinct from every node id. */
function namespaceId(namespace: string, graph: MeshGraph): string {
    const base = `ns_${namespace.replace(/[^A-Za-z0-9]+/g, "_")}`;
    let id = base;
    for (let n = 2; graph.nodes.some((node) => node.id === id); n++) id = `${base}_${n}`;
    return id;
}

/** Mermaid entity codes for characters that would end a label or be read as HTML. */
function escape(text: string): string {
    return text.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}
