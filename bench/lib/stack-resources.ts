/**
 * The stack the policy pack analyzes: what a platform team's preview registers for a synthetic
 * mesh — the mesh-wide STRICT PeerAuthentication IstioMesh installs, a Namespace per team (sidecar
 * injection on) and for the ingress gateway, a Deployment per service (its service account and
 * `app` label) and every object MeshPolicy compiles, as `meshguard check` sends YAML.
 */
import { manifestResources } from "../../components/analyzer/run";
import { strictPeerAuthentication } from "../../components/compile/security-manifests";
import { DEFAULT_ROOT_NAMESPACE } from "../../components/constants";
import { K8sManifest } from "../../components/manifest";
import { DEFAULT_INGRESS_GATEWAY, MeshPolicyInput } from "../../components/model/mesh-policy";
import { RegisteredResource } from "../../components/offline/recorder";

export function workloadManifests(input: MeshPolicyInput): K8sManifest[] {
    const gatewayNamespace = input.ingressGateway?.namespace ?? DEFAULT_INGRESS_GATEWAY.namespace;
    const namespaces = [...new Set([gatewayNamespace, ...input.services.map((s) => s.namespace)])];
    return [
        strictPeerAuthentication(DEFAULT_ROOT_NAMESPACE),
        ...namespaces.map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "istio-injection": "enabled" } } })),
        ...input.services.map((s) => {
            const labels = s.selector ?? { app: s.id };
            return {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: s.id, namespace: s.namespace, labels },
                spec: {
                    replicas: 2,
                    selector: { matchLabels: labels },
                    template: {
                        metadata: { labels },
                        spec: {
                            serviceAccountName: s.serviceAccount,
                            containers: [
                                {
                                    name: "app",
                                    image: `registry.example.com/${s.id}:1.0.0`,
                                    ports: s.ports.map((p) => ({ containerPort: p.targetPort ?? p.port })),
                                },
                            ],
                        },
                    },
                },
            };
        }),
    ];
}

/** Resources of the whole stack (the stack resource first). */
export function stackResources(input: MeshPolicyInput, compiled: readonly K8sManifest[]): RegisteredResource[] {
    return manifestResources([...workloadManifests(input), ...compiled]);
}
