import { ResourceValidationArgs } from "@pulumi/policy";

type NotApplicableFn = ResourceValidationArgs["notApplicable"];

/** Per `args.notApplicable` function: the prototype of what it throws (the SDK's one function: one entry). */
const thrownPrototypes = new WeakMap<NotApplicableFn, object>();

/** Per `args.notApplicable` function: what was thrown, per reason (at most MAX_KEPT_REASONS). */
const thrownByReason = new WeakMap<NotApplicableFn, Map<string, object>>();

/**
 * Reasons are a few fixed sentences per policy plus exemptions naming a namespace: bounded by the
 * stack, but kept bounded here too.
 */
const MAX_KEPT_REASONS = 1024;

/**
 * `args.notApplicable(reason)` without the cost of an Error. The SDK reports "not applicable"
 * only through an exception (server.js throwNotApplicable → NotApplicableError, caught per policy
 * with `instanceof NotApplicableError` and turned into a PolicyNotApplicable from its `reason`);
 * its stack is never read. Building that Error (with its stack trace) for every resource × every
 * policy of another kind was the pack's largest single cost of its own under load. So the first
 * call per `notApplicable` function throws what the SDK throws, made with stack traces off, and
 * keeps its prototype; later calls throw an object of the same class with the same `reason` and
 * `message`, without running the Error constructor. The SDK only reads what it catches, so one
 * frozen object per reason is thrown again and again.
 */
export function notApplicable(args: Pick<ResourceValidationArgs, "notApplicable">, reason: string): never {
    const kept = thrownByReason.get(args.notApplicable)?.get(reason);
    if (kept !== undefined) throw kept;
    const prototype = thrownPrototypes.get(args.notApplicable);
    if (prototype !== undefined) {
        const thrown = Object.create(prototype) as { reason: string; message: string };
        thrown.message = reason;
        thrown.reason = reason;
        keep(args.notApplicable, reason, Object.freeze(thrown));
        throw thrown;
    }
    const limit = Error.stackTraceLimit;
    let thrown: unknown;
    Error.stackTraceLimit = 0;
    try {
        args.notApplicable(reason);
    } catch (err: unknown) {
        thrown = err;
    } finally {
        Error.stackTraceLimit = limit;
    }
    if (thrown instanceof Error && (thrown as { reason?: unknown }).reason === reason && thrown.message === reason) {
        thrownPrototypes.set(args.notApplicable, Object.getPrototypeOf(thrown) as object);
    }
    // args.notApplicable always throws; rethrowing outside the try keeps the limit restored first.
    throw thrown;
}

function keep(fn: NotApplicableFn, reason: string, thrown: object): void {
    let byReason = thrownByReason.get(fn);
    if (byReason === undefined) {
        byReason = new Map();
        thrownByReason.set(fn, byReason);
    }
    if (byReason.size < MAX_KEPT_REASONS) byReason.set(reason, thrown);
}
