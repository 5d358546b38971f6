import { MeshguardValidationError } from "../errors";
import { listed, quoted } from "../validation/quote";
import { unsafeKeyIssues } from "./record";
import { formatPath } from "../validation/validate";

/**
 * Rejects `namespaceDependsOn` keys that are not a namespace of the declared services: a typo there
 * would silently drop the ordering the caller asked for (the objects would race their namespace).
 */
export function checkNamespaceDependencies(byNamespace: Readonly<Record<string, unknown>> | undefined, declaredNamespaces: readonly string[], subject: string): void {
    if (byNamespace === undefined) return;
    const unsafe = unsafeKeyIssues(byNamespace, false, ["namespaceDependsOn"]);
    if (unsafe.length > 0) throw new MeshguardValidationError(subject, unsafe.map((i) => ({ path: formatPath(i.path), message: i.message })));
    const declared = new Set(declaredNamespaces);
    const issues = Object.keys(byNamespace)
        .filter((namespace) => !declared.has(namespace))
        .map((namespace) => ({
            path: `namespaceDependsOn.${namespace}`,
            message: `${quoted(namespace)} is not a namespace of the declared services (${listed([...declared].sort())}); key each entry by one of them`,
        }));
    if (issues.length > 0) throw new MeshguardValidationError(subject, issues);
}
