import { settle } from "./mocks";

/**
 * Runs `build` (which creates components from Pulumi outputs) and returns the messages of the
 * registrations that failed once those outputs resolved. Under the mock runtime a failed
 * registration surfaces as an unhandled rejection, the way the engine would report it.
 */
export async function failedRegistrations(build: () => void): Promise<string[]> {
    const messages = new Set<string>();
    const onRejection = (reason: unknown) => messages.add(reason instanceof Error ? reason.message : String(reason));
    process.on("unhandledRejection", onRejection);
    try {
        build();
        await settle();
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    } finally {
        process.off("unhandledRejection", onRejection);
        forgetFailedRegistrations();
    }
    return [...messages];
}

/**
 * A registration that fails leaves its URN promise pending for good; the runtime reports such
 * promises as leaks when the process exits. They are expected here, so drop them from its record.
 */
function forgetFailedRegistrations(): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { leakedPromises(): unknown };
    debuggable.leakedPromises();
}
