import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The package's public entry points, as a library user imports them (self-reference through package.json
// "exports" into dist/, which npm test builds first).
describe("typed exports for library users", () => {
  it("plurigrid, plurigrid/core and plurigrid/grid resolve to built modules with type declarations", async () => {
    for (const d of ["dist/index.d.ts", "dist/core/index.d.ts", "dist/grid/index.d.ts"]) {
      expect(existsSync(d), d).toBe(true);
    }
    const root = await import("plurigrid");
    const core = await import("plurigrid/core");
    const grid = await import("plurigrid/grid");
    expect(typeof root.core.encodeCanonical).toBe("function");
    expect(typeof core.merkleRoot).toBe("function");
    expect(typeof grid.parseMatpower).toBe("function");
    expect(typeof grid.runPf).toBe("function");
    expect(typeof grid.solveDcOpf).toBe("function");
  });
});
