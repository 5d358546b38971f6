/** Default wall-clock limit for running a program offline (`--timeout`), in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 120;

/** Why a piece of work did not settle: the wall-clock limit passed, or nothing was left to settle it. */
export type StallReason = "timeout" | "idle";

/** The work did not resolve or reject; `reason` says how that was detected. */
export class DidNotSettle extends Error {
    constructor(readonly reason: StallReason, message: string) {
        super(message);
        this.name = "DidNotSettle";
    }
}

export interface SettleOptions {
    /** Wall-clock limit in milliseconds; undefined for none (only an idle event loop ends the wait). */
    readonly timeoutMs?: number;
    /** Builds the error from the reason (so the message can name what is still pending then). */
    readonly describe: (reason: StallReason) => string;
    /**
     * How many times the event loop must empty before giving up (default 1). An outer watchdog
     * uses 2 so that an inner one, which knows better what is pending, reports first.
     */
    readonly idleRounds?: number;
}

/**
 * Resolves or rejects as `work` does, or rejects with DidNotSettle when it cannot: when the
 * wall-clock limit passes, or when Node's event loop empties while `work` is pending (Node would
 * otherwise exit silently with code 0, since nothing is left that could settle it: 'beforeExit'
 * fires exactly then). The timer is unref'd so it never keeps the process alive by itself.
 */
export function settleWithin<T>(work: Promise<T>, options: SettleOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        let done = false;
        const finish = (settle: () => void) => {
            if (done) return;
            done = true;
            if (timer !== undefined) clearTimeout(timer);
            process.off("beforeExit", onIdle);
            settle();
        };
        const stall = (reason: StallReason) => finish(() => reject(new DidNotSettle(reason, options.describe(reason))));
        let rounds = options.idleRounds ?? 1;
        const onIdle = () => {
            if (--rounds <= 0) stall("idle");
            // Another turn of the loop, so that whatever reacts to inner watchdogs can run.
            else setImmediate(() => undefined);
        };
        const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => stall("timeout"), options.timeoutMs);
        timer?.unref();
        process.on("beforeExit", onIdle);
        work.then((value) => finish(() => resolve(value)), (err: unknown) => finish(() => reject(err)));
    });
}
