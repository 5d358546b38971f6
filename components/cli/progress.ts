import { CliIO } from "./command";

/** The process streams know whether stderr is a terminal; test buffers do not. */
export interface TerminalIO extends CliIO {
    readonly stderrIsTTY?: boolean;
}

/** From this many resources on, a progress line is shown even when stderr is not a terminal. */
export const PROGRESS_THRESHOLD = 50;

export interface Progress {
    update(done: number, total: number): void;
    finish(): void;
}

/**
 * A progress line on stderr: a first line as soon as it is created (the policy pack takes a few
 * seconds to start), then rewritten in place on a terminal; otherwise (many resources only) one
 * line at each quarter, so CI logs stay short. Silent for small runs without a terminal.
 */
export function progressLine(io: TerminalIO, what: string, expected: number): Progress {
    const tty = io.stderrIsTTY === true;
    if (!tty && expected < PROGRESS_THRESHOLD) return { update: () => undefined, finish: () => undefined };
    let lastQuarter = -1;
    io.stderr(tty ? `\r${what}: starting the policy pack` : `${what}: starting the policy pack (${expected})\n`);
    return {
        update(done, total) {
            if (tty) {
                io.stderr(`\r\x1b[K${what} ${done}/${total}`);
                return;
            }
            const quarter = total === 0 ? 4 : Math.floor((done / total) * 4);
            if (quarter !== lastQuarter) {
                lastQuarter = quarter;
                io.stderr(`${what} ${done}/${total}\n`);
            }
        },
        finish() {
            if (tty) io.stderr("\r\x1b[K");
        },
    };
}
