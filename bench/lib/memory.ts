/** Memory figures: this process's peak RSS and its children's (Linux). */
import * as fs from "fs";

export const MB = 1024 * 1024;

/** Peak resident set size of this process so far, in bytes. */
export function peakRss(): number {
    return process.resourceUsage().maxRSS * 1024;
}

/** Peak RSS (VmHWM) of the live child processes of this process, in bytes (0 where /proc is absent). */
export function childrenPeakRss(): number {
    let total = 0;
    let entries: string[];
    try {
        entries = fs.readdirSync("/proc");
    } catch {
        return 0;
    }
    for (const pid of entries) {
        if (!/^\d+$/.test(pid)) continue;
        try {
            const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
            const ppid = /^PPid:\s+(\d+)/m.exec(status)?.[1];
            if (Number(ppid) !== process.pid) continue;
            const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
            if (hwm !== undefined) total += Number(hwm) * 1024;
        } catch {
            // the process exited while we looked
        }
    }
    return total;
}
