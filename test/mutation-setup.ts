// Setup file of the Stryker vitest run only (vitest.stryker.config.ts). @fast-check/vitest puts the
// seed in the test's name ("… (with seed=N)"), and Stryker selects a mutant's tests by name: with a
// fresh random seed per run, the names of the dry run would match nothing later and the property
// tests would silently never run against a mutant. A fixed seed keeps the names stable.
import fc from "fast-check";

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(process.env.STRYKER_FC_SEED ?? 20_240_601) });
