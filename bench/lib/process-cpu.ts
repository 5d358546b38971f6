import * as fs from "fs";

/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ: 100 on every Linux ABI Node supports). */
const USER_HZ = 100;

/**
 * CPU milliseconds (user + system, all threads) another process has used so far, from
 * /proc/<pid>/stat (fields 14 and 15, in clock ticks: 10 ms resolution); undefined where there is
 * no /proc (not Linux) or the process is gone.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
    if (pid === undefined) return undefined;
    let stat: string;
    try {
        stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
        return undefined;
    }
    return statCpuMs(stat);
}

/** utime + stime of one /proc/<pid>/stat line, in milliseconds (proc(5)). */
export function statCpuMs(stat: string): number | undefined {
    // The command name (field 2) is in parentheses and may hold spaces and ")": fields are counted after its last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [utime, stime] = [fields[11], fields[12]].map((f) => (f !== undefined && /^\d+$/.test(f) ? Number(f) : Number.NaN));
    return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / USER_HZ : undefined;
}
