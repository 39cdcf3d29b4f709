/** A sweep worker process: runs the variants its parent sends, one at a time, and answers each. */
import { isPlurigridError } from "../core/errors.js";
import { runVariant, type VariantJob } from "./sweep.js";

process.on("message", async (job: VariantJob) => {
  try {
    process.send?.({ ok: true, result: await runVariant(job) });
  } catch (e) {
    process.send?.({
      ok: false,
      error: {
        code: isPlurigridError(e) ? e.code : undefined,
        message: e instanceof Error ? e.message : String(e),
      },
    });
  }
});
