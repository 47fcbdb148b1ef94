// The CLI's contract: exit 0 when invariants hold, 1 when one is violated, 2 on bad usage or input.
import { describe, expect, it } from "vitest";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sturdy } from "./cli-helpers.js";

describe("sturdy run", () => {
  it("prints a JSON summary with the documented fields as its last line", () => {
    const r = sturdy(["run", "--scenario", "basic", "--seed", "1", "--json"]);
    expect(r.code).toBe(0);
    for (const key of ["seed", "scenario", "design", "traceHash", "steps", "virtualTimeMs", "faults", "ops", "converged", "violations"]) {
      expect(r.json).toHaveProperty(key);
    }
    expect(Object.keys(r.json.faults)).toEqual(expect.arrayContaining(["dropped", "duplicated", "reordered", "delayed", "crashes"]));
    expect(Object.keys(r.json.ops)).toEqual(expect.arrayContaining(["enqueued", "applied", "duplicates", "rejected"]));
    expect(r.json.ops).toMatchObject({ enqueued: 50, applied: 50 });
  }, 30_000);

  it("exits 1 when an invariant is violated (legacy under loss)", () => {
    const r = sturdy(["run", "--scenario", "lossy", "--design", "legacy", "--seed", "3", "--json"]);
    expect(r.code).toBe(1);
    expect(r.json.violations.length).toBeGreaterThan(0);
  }, 30_000);

  it.each([
    [["run", "--scenario", "lossy", "--seed", "1.5"], /bad seed/],
    [["run", "--scenario", "lossy", "--seed", "-3"], /needs a value|bad seed/],
    [["run", "--scenario", "lossy", "--seed", "99999999999"], /out of range/],
    [["run", "--scenario", "nope", "--seed", "1"], /unknown scenario "nope"/],
    [["run", "--scenario", "lossy"], /--seed is required/],
    [["run", "--scenario", "lossy", "--seed", "1", "--design", "magic"], /--design must be/],
    [["run", "--scenario", "lossy", "--seed", "1", "--frobnicate"], /unknown option/],
    [["launch"], /unknown command/],
  ])("bad usage %j exits 2 with one clear line", (args, message) => {
    const r = sturdy(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace for a usage error
  }, 30_000);

  it("rejects a bad scenario file naming the bad field", () => {
    const dir = mkdtempSync(join(tmpdir(), "sturdy-"));
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ name: "bad", faults: { drop: 3 } }));
    const r = sturdy(["run", "--scenario", file, "--seed", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/faults\.drop/);
    writeFileSync(file, "{ not json");
    expect(sturdy(["run", "--scenario", file, "--seed", "1"]).stderr).toMatch(/not valid JSON/);
  }, 30_000);
});
