/**
 * One deserialization of a request's properties for all the policies that see it.
 *
 * @pulumi/policy deserializes an Analyze request's properties (and its provider's) afresh for
 * every resource policy (server.js makeAnalyzeRpcFun and getProviderResource call
 * deserialize.js deserializeProperties(req.getProperties(), false) inside the per-policy loop):
 * with 25+ policies that was the largest cost of the pack under load beyond decoding the request.
 * The protobuf Struct it reads is the same object on every call (google-protobuf caches the
 * wrapper of a message field), so the result is kept per Struct in a WeakMap and lives as long as
 * the request. Policies only read the properties (through the SDK's read-only proxy), so sharing
 * one plain object is safe; and the shared object is what lets reading-cache.ts recognise "the
 * same request" by identity.
 *
 * Only the non-secret-preserving form is shared (`proxySecrets` false: Analyze, provider props);
 * anything else goes to the SDK unchanged. If the SDK's module does not have the shape this
 * relies on, nothing is installed and the pack works as before, only slower.
 */

type Deserialize = (struct: unknown, proxySecrets: boolean) => Record<string, unknown>;

const INSTALLED = Symbol.for("meshguard.sharedRequestProperties");

export function shareRequestProperties(): boolean {
    let sdk: { deserializeProperties?: unknown; [INSTALLED]?: true };
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's internal module, resolved where the pack resolves @pulumi/policy
        sdk = require("@pulumi/policy/deserialize") as typeof sdk;
    } catch {
        return false;
    }
    if (sdk[INSTALLED] === true) return true;
    const original = sdk.deserializeProperties;
    if (typeof original !== "function") return false;
    const deserialize = original as Deserialize;
    const shared = new WeakMap<object, Record<string, unknown>>();
    sdk.deserializeProperties = (struct: unknown, proxySecrets: boolean) => {
        if (proxySecrets || struct === null || typeof struct !== "object") return deserialize(struct, proxySecrets);
        let props = shared.get(struct);
        if (props === undefined) {
            props = deserialize(struct, proxySecrets);
            shared.set(struct, props);
        }
        return props;
    };
    sdk[INSTALLED] = true;
    return true;
}
