import * as pulumi from "@pulumi/pulumi";
import { OfflineRecorder, RegisteredResource, toPlainValue } from "../../components/offline";

/** The recorder every component suite shares (one mock runtime per process, state reset per test). */
export const recorder = new OfflineRecorder();

export const TEST_PROJECT = "meshguard-test";
export const TEST_STACK = "test";

/**
 * Call from a suite's `before`: (re)installs the mock runtime in preview mode, hooked to
 * `recorder`. Reinstalling is needed when another suite (an offline program run) replaced the
 * monitor; it must not happen while registrations are in flight, hence suites, not tests.
 */
export async function useMocks(options: { preview?: boolean; config?: Record<string, string> } = {}): Promise<OfflineRecorder> {
    await settle();
    await recorder.install({ project: TEST_PROJECT, stack: TEST_STACK, preview: options.preview ?? true, config: options.config });
    return recorder;
}

/** Waits until every registration started so far has reached the (mock) engine. */
export async function settle(): Promise<void> {
    const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    if (runtime.waitForRPCs) await runtime.waitForRPCs();
}

/** Awaits a component's URN, then every registration it triggered. */
export async function registered(resource: pulumi.Resource): Promise<readonly RegisteredResource[]> {
    await outputValue(resource.urn);
    await settle();
    return recorder.resources;
}

/** The URN a resource of `type` named `name` gets in the test stack, given its parent's URN. */
export function urnOf(type: string, name: string, parentUrn?: string): string {
    const qualified = parentUrn ? `${parentUrn.split("::")[2]}$${type}` : type;
    return `urn:pulumi:${TEST_STACK}::${TEST_PROJECT}::${qualified}::${name}`;
}

/** The single registration with this name (throws when absent or ambiguous, listing what exists). */
export function byName(name: string): RegisteredResource {
    const found = recorder.resources.filter((r) => r.name === name);
    if (found.length !== 1) {
        const names = recorder.resources.map((r) => `${r.type}::${r.name}`).join("\n  ");
        throw new Error(`expected exactly one resource named ${name}, found ${found.length}; registered:\n  ${names}`);
    }
    return found[0];
}

/** Registrations of one type, in registration order. */
export function byType(type: string): RegisteredResource[] {
    return recorder.resources.filter((r) => r.type === type);
}

/** A registration's inputs as plain data (unknowns as `undefined`). */
export function plainInputs(resource: RegisteredResource): Record<string, unknown> {
    return toPlainValue(resource.inputs, undefined) as Record<string, unknown>;
}

/**
 * The value of an output, or `undefined` when it is unknown (as it is for computed values in
 * preview). Never hangs on an unknown value, unlike awaiting `apply`.
 */
export async function outputValue<T>(output: pulumi.Input<T>): Promise<T | undefined> {
    const o = pulumi.output(output) as unknown as {
        isKnown: Promise<boolean>;
        promise(withUnknowns?: boolean): Promise<T>;
    };
    const [known, value] = await Promise.all([o.isKnown, o.promise(true)]);
    return known ? value : undefined;
}

/** Runs `fn` and returns the error it throws synchronously or asynchronously (fails if none). */
export async function captureError(fn: () => unknown): Promise<Error> {
    try {
        await fn();
    } catch (err) {
        return err as Error;
    }
    throw new Error("expected an error, but none was thrown");
}
