import fc from "fast-check";

// Property tests run on a fixed seed so CI is reproducible; set MESHGUARD_PROPERTY_SEED to
// explore other graphs (any integer, or "random"). A failure report prints the seed to replay.
const requested = process.env.MESHGUARD_PROPERTY_SEED;
const seed = requested === "random" ? Date.now() ^ (Math.random() * 0x100000000) : Number(requested ?? 20261123);
if (!Number.isInteger(seed)) {
    throw new Error(`MESHGUARD_PROPERTY_SEED must be an integer or "random", got ${JSON.stringify(requested)}`);
}
fc.configureGlobal({ seed });
if (requested !== undefined) console.log(`fast-check seed: ${seed}`);
