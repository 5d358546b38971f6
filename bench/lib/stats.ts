/** Timing helpers: medians of several runs, wall-clock and process CPU time. */

export interface Sample {
    /** Wall-clock milliseconds. */
    wallMs: number;
    /** CPU milliseconds of this process (user + system, all threads: GC included). */
    cpuMs: number;
}

/** A full GC when the process runs with --expose-gc (each size's process does), so timings start alike. */
export function gc(): void {
    (globalThis as { gc?: () => void }).gc?.();
}

export function median(values: readonly number[]): number {
    if (values.length === 0) return Number.NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function medianSample(samples: readonly Sample[]): Sample {
    return { wallMs: median(samples.map((s) => s.wallMs)), cpuMs: median(samples.map((s) => s.cpuMs)) };
}

/** Times one call of `fn` (awaited when it returns a promise). */
export async function timeOnce<T>(fn: () => T | Promise<T>): Promise<{ sample: Sample; result: T }> {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    const result = await fn();
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const used = process.cpuUsage(cpu);
    return { sample: { wallMs, cpuMs: (used.user + used.system) / 1000 }, result };
}

/** `b / a`, the growth factor between two sizes (NaN when either is missing). */
export function growth(a: number | undefined, b: number | undefined): number {
    return a === undefined || b === undefined || a === 0 ? Number.NaN : b / a;
}
