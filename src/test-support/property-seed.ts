/**
 * Property tests draw a fresh random seed on every local run, so each run explores new cases; under CI
 * (`CI=true`) they use one fixed seed, so that a CI verdict is reproducible and does not depend on the
 * draw. `FC_SEED=N` picks the seed in either case (fast-check prints the seed of any failure: re-run it
 * with that seed to reproduce).
 */
import fc from "fast-check";

const CI_SEED = 20_261_127;

const given = process.env.FC_SEED;
if (given !== undefined && given !== "") {
  if (!/^-?[0-9]+$/.test(given)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(given)}`);
  fc.configureGlobal({ seed: Number(given) });
} else if (process.env.CI === "true") {
  fc.configureGlobal({ seed: CI_SEED });
}
