import { asList, asRecord } from "./object";
import { PodTemplate, podContainers } from "./workload";

/** Annotation choosing the injection template; the gateway chart sets it to "gateway". */
export const INJECT_TEMPLATES_ANNOTATION = "inject.istio.io/templates";

/**
 * Whether a pod is an Istio gateway, i.e. the pod IS an Envoy proxy and carries no application
 * container that could hide behind the exemption. Decided by what the pod runs, not by its name
 * or labels (both can be copied by any workload):
 * - the official `gateway` Helm chart: every container is `image: auto` with the `gateway`
 *   injection template (`inject.istio.io/templates: gateway`); `auto` only runs once the injector
 *   has replaced it with the proxy image, so an application cannot use this form;
 * - a classic (istioctl/operator) gateway: every container runs the `proxyv2` image as
 *   `proxy router`.
 * Init and ephemeral containers are not allowed in either form.
 */
export function isIstioGatewayPod(template: PodTemplate): boolean {
    const all = podContainers(template.spec);
    if (all.length === 0 || all.some((c) => c.list !== "containers")) return false;
    const gatewayTemplate = (template.annotations[INJECT_TEMPLATES_ANNOTATION] ?? "")
        .split(",")
        .map((t) => t.trim())
        .includes("gateway");
    // Cheap, known-at-preview facts first: an image built by the stack is unknown at preview and
    // is only read when the rest of the container already looks like a gateway proxy.
    return all.every(({ container }) => (gatewayTemplate && container["image"] === "auto") || isProxyRouter(container));
}

function isProxyRouter(container: Record<string, unknown>): boolean {
    const args = asList(asRecord(container)["args"]);
    if (args[0] !== "proxy" || args[1] !== "router") return false;
    const image = container["image"];
    if (typeof image !== "string") return false;
    const repository = image.split("@")[0].replace(/:[^/:]*$/, "");
    return repository.split("/").pop() === "proxyv2";
}
