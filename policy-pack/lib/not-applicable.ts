import { ResourceValidationArgs } from "@pulumi/policy";

/**
 * `args.notApplicable(reason)` without the cost of a stack trace. The SDK reports "not applicable"
 * only through an exception (server.js throwNotApplicable → NotApplicableError, caught per policy
 * and turned into a PolicyNotApplicable with the reason); its stack is never read. Capturing it
 * was the pack's largest single cost under load (every resource × every policy of another kind),
 * so the error is created with stack traces off, then the limit is restored before it propagates.
 */
export function notApplicable(args: Pick<ResourceValidationArgs, "notApplicable">, reason: string): never {
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
    // args.notApplicable always throws; rethrowing outside the try keeps the limit restored first.
    throw thrown;
}
