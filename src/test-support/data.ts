import { describe, it } from "vitest";
import { dataDir, hasData } from "../core/data.js";
import { PlurigridError } from "../core/errors.js";

/**
 * A describe block whose tests read ../shared/data. Without the data folder it fails in CI (CI=true),
 * naming the folder, and is reported as skipped with the same message elsewhere, so a user without the
 * data sees why.
 */
export function describeData(title: string, body: () => void): void {
  if (hasData()) {
    describe(title, body);
    return;
  }
  const message = `reference data folder not found: ${dataDir()} (set PLURIGRID_DATA or put shared/data beside the project)`;
  if (process.env.CI === "true" || process.env.CI === "1") {
    describe(title, () => {
      it("has its reference data", () => {
        throw new PlurigridError("DATA_MISSING", message, { dataDir: dataDir() });
      });
    });
    return;
  }
  describe.skipIf(true)(`${title} — skipped: ${message}`, body);
}
