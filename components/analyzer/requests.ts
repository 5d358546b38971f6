import {
    AnalyzeRequest,
    AnalyzerProviderResource,
    AnalyzerPropertyDependencies,
    AnalyzerResource,
    AnalyzerResourceOptions,
    AnalyzeStackRequest,
} from "@pulumi/pulumi/proto/analyzer_pb";
import { RegisteredResource } from "../offline/recorder";
import { toPropertiesStruct } from "./wire-encoding";

/** Resource options as the engine sends them (marshalResourceOptions): timeouts always present. */
function resourceOptions(resource: RegisteredResource): AnalyzerResourceOptions {
    const options = new AnalyzerResourceOptions();
    options.setProtect(false);
    options.setIgnorechangesList([]);
    options.setDeletebeforereplace(false);
    options.setDeletebeforereplacedefined(false);
    options.setAdditionalsecretoutputsList([]);
    options.setAliasesList([]);
    const timeouts = new AnalyzerResourceOptions.CustomTimeouts();
    timeouts.setCreate(0);
    timeouts.setUpdate(0);
    timeouts.setDelete(0);
    options.setCustomtimeouts(timeouts);
    options.setParent(resource.parent ?? "");
    return options;
}

/** `urn:pulumi:stack::project::type::name` → type and name (the URN's last two parts). */
function urnParts(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    const qualified = parts[2] ?? "";
    return { type: qualified.split("$").pop() ?? "", name: parts.slice(3).join("::") };
}

/**
 * The provider of a resource as the engine describes it: its URN, type, name and inputs. The
 * reference is `urn::id`; a provider registered by the program supplies its inputs.
 */
function providerOf(resource: RegisteredResource, byUrn: ReadonlyMap<string, RegisteredResource>): AnalyzerProviderResource | undefined {
    if (resource.provider === undefined) return undefined;
    const urn = resource.provider.slice(0, resource.provider.lastIndexOf("::"));
    const registered = byUrn.get(urn);
    const { type, name } = urnParts(urn);
    const provider = new AnalyzerProviderResource();
    provider.setUrn(urn);
    provider.setType(registered?.type ?? type);
    provider.setName(registered?.name ?? name);
    provider.setProperties(registered === undefined ? toPropertiesStruct({}) : propertiesOf(registered));
    return provider;
}

const indexes = new WeakMap<readonly RegisteredResource[], ReadonlyMap<string, RegisteredResource>>();

/** The resources by URN; cached per array, as every resource of a stack is analyzed against it. */
export function indexByUrn(resources: readonly RegisteredResource[]): ReadonlyMap<string, RegisteredResource> {
    let index = indexes.get(resources);
    if (index === undefined) {
        index = new Map(resources.map((r) => [r.urn, r]));
        indexes.set(resources, index);
    }
    return index;
}

const structs = new WeakMap<RegisteredResource, ReturnType<typeof toPropertiesStruct>>();

/** A resource's inputs as a Struct, encoded once (Analyze and AnalyzeStack both send them). */
function propertiesOf(resource: RegisteredResource): ReturnType<typeof toPropertiesStruct> {
    let struct = structs.get(resource);
    if (struct === undefined) {
        struct = toPropertiesStruct(resource.inputs);
        structs.set(resource, struct);
    }
    return struct;
}

/** The Analyze request the engine sends for one resource (its inputs, before it is created). */
export function analyzeRequest(resource: RegisteredResource, byUrn: ReadonlyMap<string, RegisteredResource>): AnalyzeRequest {
    return describe(new AnalyzeRequest(), resource, byUrn);
}

/** The fields Analyze and AnalyzeStack requests share for one resource. */
interface ResourceMessage {
    setType(value: string): unknown;
    setName(value: string): unknown;
    setUrn(value: string): unknown;
    setProperties(value: ReturnType<typeof toPropertiesStruct>): unknown;
    setOptions(value: AnalyzerResourceOptions): unknown;
    setProvider(value: AnalyzerProviderResource): unknown;
}

function describe<T extends ResourceMessage>(message: T, resource: RegisteredResource, byUrn: ReadonlyMap<string, RegisteredResource>): T {
    message.setType(resource.type);
    message.setName(resource.name);
    message.setUrn(resource.urn);
    message.setProperties(propertiesOf(resource));
    message.setOptions(resourceOptions(resource));
    const provider = providerOf(resource, byUrn);
    if (provider !== undefined) message.setProvider(provider);
    return message;
}

/** The AnalyzeStack request: every resource with parent, dependencies and property dependencies. */
export function analyzeStackRequest(resources: readonly RegisteredResource[]): AnalyzeStackRequest {
    const byUrn = indexByUrn(resources);
    const request = new AnalyzeStackRequest();
    request.setResourcesList(
        resources.map((resource) => {
            const entry = describe(new AnalyzerResource(), resource, byUrn);
            entry.setParent(resource.parent ?? "");
            entry.setDependenciesList([...resource.dependencies]);
            const deps = entry.getPropertydependenciesMap();
            for (const [key, urns] of Object.entries(resource.propertyDependencies)) {
                if (urns.length === 0) continue; // the engine skips properties without dependencies
                const value = new AnalyzerPropertyDependencies();
                value.setUrnsList([...urns]);
                deps.set(key, value);
            }
            return entry;
        }),
    );
    return request;
}
