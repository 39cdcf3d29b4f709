/**
 * Meter tampering after Jokar, Arianpoo & Leung (2016), "Electricity Theft Detection in AMI Using Customers'
 * Consumption Patterns" (data/theft/jokar2016_attack_models.json): a day's true consumption x (here the
 * run's intervals of one day instead of 24 hours) becomes the reported h(x).
 *
 * h1 α·x (α ~ U(0.1, 0.8) per day); h2 zero inside a random window of at least 4 hours; h3 γ_t·x_t (γ_t ~
 * U(0.1, 0.8) per interval); h4 γ_t·mean(x); h5 mean(x); h6 the day reversed. The draws come from the run's
 * seeded generator, one stream per meter and day.
 */
import type { Rng } from "../core/prng.js";

export type AttackId = "h1" | "h2" | "h3" | "h4" | "h5" | "h6";

const uniform = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng.nextFloat();

/** The reported consumption of one day under `attack`. */
export function tamperDay(attack: AttackId, x: ArrayLike<number>, rng: Rng): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  let mean = 0;
  for (let t = 0; t < n; t++) mean += x[t] / n;
  switch (attack) {
    case "h1": {
      const a = uniform(rng, 0.1, 0.8);
      for (let t = 0; t < n; t++) out[t] = a * x[t];
      break;
    }
    case "h2": {
      const minLen = Math.max(1, Math.round(n / 6));
      const start = rng.int(0, n - minLen + 1);
      const end = start + minLen + rng.int(0, n - start - minLen + 1);
      for (let t = 0; t < n; t++) out[t] = t >= start && t < end ? 0 : x[t];
      break;
    }
    case "h3":
      for (let t = 0; t < n; t++) out[t] = uniform(rng, 0.1, 0.8) * x[t];
      break;
    case "h4":
      for (let t = 0; t < n; t++) out[t] = uniform(rng, 0.1, 0.8) * mean;
      break;
    case "h5":
      out.fill(mean);
      break;
    case "h6":
      for (let t = 0; t < n; t++) out[t] = x[n - 1 - t];
      break;
  }
  return out;
}
