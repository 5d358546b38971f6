import * as pulumi from "@pulumi/pulumi";

/** One resource of a component's ordered plan: registered as `<component>-<suffix>`, after the steps it depends on. */
export interface StepLayout<K extends string> {
    readonly key: K;
    readonly suffix: string;
    readonly dependsOn: readonly K[];
}

/**
 * Registers a component's steps in plan order, each parented to the component, named
 * `<name>-<suffix>` and depending on the resources of its earlier steps. Steps that depend on no
 * other step wait for `entryDependsOn` instead (e.g. the mesh a namespace joins). Child names come
 * from the plan's suffixes only, so the shipped names never change here.
 */
export function registerSteps<K extends string, L extends StepLayout<K>>(
    parent: pulumi.ComponentResource,
    name: string,
    layouts: readonly L[],
    register: (resourceName: string, layout: L, opts: pulumi.CustomResourceOptions) => pulumi.Resource,
    entryDependsOn: readonly pulumi.Resource[] = [],
): Partial<Record<K, pulumi.Resource>> {
    const resources: Partial<Record<K, pulumi.Resource>> = {};
    for (const layout of layouts) {
        const dependsOn = layout.dependsOn.length === 0 ? [...entryDependsOn] : layout.dependsOn.map((key) => stepResource(resources, key, layout.key));
        resources[layout.key] = register(`${name}-${layout.suffix}`, layout, { parent, dependsOn });
    }
    return resources;
}

function stepResource<K extends string>(resources: Partial<Record<K, pulumi.Resource>>, key: K, dependent: K): pulumi.Resource {
    const resource = resources[key];
    // The compile layouts list every step after the ones it depends on; anything else is a bug in them.
    if (resource === undefined) throw new Error(`step ${dependent} depends on ${key}, which is not registered before it`);
    return resource;
}

/** The registered resources of `keys` that exist, in that order (what a component's `ready` lists). */
export function stepResources<K extends string>(resources: Partial<Record<K, pulumi.Resource>>, keys: readonly K[]): pulumi.Resource[] {
    return keys.flatMap((key) => (resources[key] === undefined ? [] : [resources[key] as pulumi.Resource]));
}

/** The step of a compiled plan for a layout key (layout and plan come from the same compile function). */
export function planStep<K extends string, S extends { readonly key: K }>(steps: readonly S[], key: K): S {
    const step = steps.find((s) => s.key === key);
    if (step === undefined) throw new Error(`the compiled plan has no step ${key}`);
    return step;
}
