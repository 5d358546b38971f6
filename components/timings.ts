/**
 * `MESHGUARD_TIMINGS=1`: per-phase timestamps on stderr, in milliseconds since the process started
 * (performance.now(): its time origin is the process start), to see where a command's time goes.
 * Off by default; a no-op then.
 */
const enabled = process.env["MESHGUARD_TIMINGS"] === "1";

export function timing(phase: string): void {
    if (enabled) process.stderr.write(`meshguard timings: ${performance.now().toFixed(0).padStart(6)} ms  ${phase}\n`);
}
