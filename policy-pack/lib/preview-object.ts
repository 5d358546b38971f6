import { asRecord, KubeObject, ObjectSource, ReadOptions } from "./object";
import { holdsUnknown, isUnknownValue, markIfHolding, readWithUnknowns, setOwn, strictView, UnknownValue } from "./preview-values";
import { cachedReading, readingKey } from "./reading-cache";

/** How a subject shows a namespace or name that is unknown at preview. */
export const UNKNOWN_NAMESPACE_SHOWN = "<unknown namespace>";
export const UNKNOWN_NAME_SHOWN = "<unknown name>";

/**
 * A Kubernetes object read for a resource policy with its unknown values kept as markers.
 * `body`, `labels` and `annotations` are strict views (reading an unknown throws the SDK's
 * `UnknownValueError`, so code unaware of markers never takes an unknown for an absent value);
 * `values` is the same data with the markers, for checks that decide per field.
 */
export interface PreviewObject extends KubeObject {
    readonly values: Record<string, unknown>;
    /** metadata.namespace (or the provider's namespace it falls back to) is unknown: reading `namespace` throws. */
    readonly unknownNamespace?: UnknownValue;
    /** metadata.name is unknown. */
    readonly unknownName?: UnknownValue;
}

/**
 * Reads an object like `readKubeObject`, but never throws on an unknown: the namespace and name
 * may be unknown (the subject then shows `<unknown namespace>` / `<unknown name>`), and the rest
 * is read lazily through strict views.
 */
export function readPreviewObject(source: ObjectSource, kind: string, options: ReadOptions = {}): PreviewObject {
    // Every policy that applies to the object reads it the same way: once per request (reading-cache.ts).
    const key = readingKey(source.props, source.providerProps, [kind, source.name, options.wholeObject === true, options.clusterScoped === true]);
    return cachedReading(key, () => readUncached(source, kind, options));
}

function readUncached(source: ObjectSource, kind: string, options: ReadOptions): PreviewObject {
    const values = options.wholeObject ? asRecord(readWithUnknowns(source.props)) : headOf(source.props);
    const rawMetadata = values["metadata"];
    const wholeMetadataUnknown = isUnknownValue(rawMetadata) ? rawMetadata : undefined;
    const metadata = wholeMetadataUnknown === undefined ? asRecord(rawMetadata) : {};

    const rawName = metadata["name"];
    const unknownName = wholeMetadataUnknown ?? (isUnknownValue(rawName) ? rawName : undefined);
    const metaName = typeof rawName === "string" && rawName !== "" ? rawName : undefined;
    const name = metaName ?? source.name;
    const autoNamed = metaName === undefined && unknownName === undefined;

    const namespace = options.clusterScoped ? { value: undefined } : namespaceOf(metadata, wholeMetadataUnknown, source.providerProps);
    const shownNamespace = options.clusterScoped ? undefined : namespace.unknown !== undefined ? UNKNOWN_NAMESPACE_SHOWN : namespace.value;
    const shownName = unknownName !== undefined ? UNKNOWN_NAME_SHOWN : autoNamed ? `${name}-<generated>` : name;
    const object: PreviewObject = {
        kind,
        apiVersion: typeof values["apiVersion"] === "string" ? values["apiVersion"] : "",
        name,
        autoNamed,
        namespace: namespace.value,
        labels: strictView(stringEntries(metadata["labels"])),
        annotations: strictView(stringEntries(metadata["annotations"])),
        body: strictView(values),
        subject: shownNamespace === undefined ? `${kind} ${shownName}` : `${kind} ${shownNamespace}/${shownName}`,
        values,
        ...(namespace.unknown === undefined ? {} : { unknownNamespace: namespace.unknown }),
        ...(unknownName === undefined ? {} : { unknownName }),
    };
    if (namespace.unknown !== undefined) {
        const unknown = namespace.unknown;
        Object.defineProperty(object, "namespace", {
            get: () => {
                throw unknown.error;
            },
            enumerable: true,
        });
    }
    return object;
}

/**
 * `{ apiVersion, metadata }` read with unknowns: the two copies put together (and marked when one
 * holds an unknown), as copying them once more would give.
 */
function headOf(props: Record<string, unknown>): Record<string, unknown> {
    const apiVersion = readWithUnknowns(props["apiVersion"]);
    const metadata = readWithUnknowns(props["metadata"]);
    return markIfHolding({ apiVersion, metadata }, { unknowns: holdsUnknown(apiVersion) || holdsUnknown(metadata) ? 1 : 0 }, 0);
}

function namespaceOf(
    metadata: Record<string, unknown>,
    wholeMetadataUnknown: UnknownValue | undefined,
    providerProps: Record<string, unknown> | undefined,
): { value?: string; unknown?: UnknownValue } {
    if (wholeMetadataUnknown !== undefined) return { unknown: wholeMetadataUnknown };
    const own = metadata["namespace"];
    if (isUnknownValue(own)) return { unknown: own };
    if (typeof own === "string" && own !== "") return { value: own };
    const fromProvider = providerProps === undefined ? undefined : readWithUnknowns(providerProps["namespace"]);
    if (isUnknownValue(fromProvider)) return { unknown: fromProvider };
    return { value: typeof fromProvider === "string" && fromProvider !== "" ? fromProvider : "default" };
}

/** String-valued entries of a labels/annotations map, unknown values kept as markers. */
function stringEntries(value: unknown): Record<string, string> {
    if (isUnknownValue(value)) return wholeMapUnknown(value);
    const out: Record<string, string> = {};
    const found = { unknowns: 0 };
    for (const [k, v] of Object.entries(asRecord(value))) {
        if (isUnknownValue(v)) found.unknowns++;
        if (typeof v === "string" || isUnknownValue(v)) setOwn(out, k, v);
    }
    return markIfHolding(out, found, 0);
}

/** A map that is unknown as a whole: reading any key throws the SDK's error. */
function wholeMapUnknown(unknown: UnknownValue): Record<string, string> {
    return new Proxy({} as Record<string, string>, {
        get: (_target, prop) => {
            if (typeof prop === "string") throw unknown.error;
            return undefined;
        },
        ownKeys: () => {
            throw unknown.error;
        },
    });
}
