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
 * A progress line on stderr: rewritten in place on a terminal; otherwise (many resources only)
 * one line at each quarter, so CI logs stay short. Silent for small runs without a terminal.
 */
export function progressLine(io: TerminalIO, what: string, expected: number): Progress {
    const tty = io.stderrIsTTY === true;
    if (!tty && expected < PROGRESS_THRESHOLD) return { update: () => undefined, finish: () => undefined };
    let lastQuarter = -1;
    let shown = false;
    return {
        update(done, total) {
            if (tty) {
                io.stderr(`\r${what} ${done}/${total}`);
                shown = true;
                return;
            }
            const quarter = total === 0 ? 4 : Math.floor((done / total) * 4);
            if (quarter !== lastQuarter) {
                lastQuarter = quarter;
                io.stderr(`${what} ${done}/${total}\n`);
            }
        },
        finish() {
            if (tty && shown) io.stderr("\r\x1b[K");
        },
    };
}
