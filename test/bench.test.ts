// The bench's pure helpers: what it counts and how it compares. No timing is asserted: on a
// shared machine a time is a measurement, never a pass/fail condition.
import { afterEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { actorOfFile, installSqlCounter, type SqlCounter } from "../sim/perf/sql-counter.js";
import { compareReports, flattenNumbers, formatComparison } from "../sim/perf/compare.js";
import { allocatedBytes } from "../sim/perf/alloc.js";
import { spread } from "../sim/perf/cpu.js";

describe("SQL counter", () => {
  let counter: SqlCounter | undefined;
  afterEach(() => counter?.uninstall());

  it("counts statements, writes and transactions per side; BEGIN/COMMIT and savepoints are not statements", () => {
    const client = new Database(":memory:");
    client.exec("CREATE TABLE outbox (id INTEGER PRIMARY KEY, v TEXT)");
    const server = new Database(":memory:");
    server.exec("CREATE TABLE shares (id TEXT PRIMARY KEY)");
    counter = installSqlCounter();

    const insert = client.prepare("INSERT INTO outbox (v) VALUES (?)");
    const tx = client.transaction((vs: string[]) => {
      for (const v of vs) insert.run(v);
      client.transaction(() => insert.run("nested"))(); // a SAVEPOINT inside the transaction
    });
    tx(["a", "b"]);
    expect(client.prepare("SELECT COUNT(*) FROM outbox").pluck().get()).toBe(3);
    server.prepare("SELECT * FROM shares").all();
    for (const _ of server.prepare("SELECT * FROM shares").iterate()) void _;

    const t = counter.tally();
    // Called from test/: neither the product nor the checker.
    expect(t.client.harness).toEqual({ statements: 4, writes: 3, transactions: 1 });
    expect(t.server.harness).toEqual({ statements: 2, writes: 0, transactions: 0 });
    expect(t.client.product.statements + t.client.checker.statements + t.other.harness.statements).toBe(0);
  });

  it("stops counting when uninstalled and restores better-sqlite3", () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE outbox (id INTEGER)");
    const proto = Object.getPrototypeOf(db.prepare("SELECT 1")) as Record<string, unknown>;
    const run = proto.run;
    counter = installSqlCounter();
    expect(proto.run).not.toBe(run);
    const stmt = db.prepare("INSERT INTO outbox VALUES (1)");
    stmt.run();
    counter.uninstall();
    stmt.run();
    expect(proto.run).toBe(run);
    expect(counter.tally().client.harness.statements).toBe(1);
  });

  it("attributes files to the product, the checker or the harness", () => {
    expect(actorOfFile("src/client/outbox.ts")).toBe("product");
    expect(actorOfFile("sim/plants/split-ack.ts")).toBe("product");
    expect(actorOfFile("sim/check/sql.ts")).toBe("checker");
    expect(actorOfFile("sim/model/reference.ts")).toBe("checker");
    expect(actorOfFile("sim/world/world.ts")).toBe("harness");
    expect(actorOfFile("sim/world/crashing-db.ts")).toBeUndefined(); // the product's view of its disk
  });
});

describe("compare", () => {
  const old = { cores: 2, scenarios: { lossy: { cpuMsPerRun: 20 } }, perOp: [{ ops: 50, cpuUsPerOp: 10 }, { ops: 500, cpuUsPerOp: 12 }], commit: "abc" };
  const now = { cores: 2, scenarios: { lossy: { cpuMsPerRun: 10 } }, perOp: [{ ops: 50, cpuUsPerOp: 15 }, { ops: 2000, cpuUsPerOp: 9 }], commit: "def" };

  it("flattens numbers by path, keying per-op rows by their size", () => {
    expect([...flattenNumbers(old)]).toEqual([
      ["cores", 2], ["scenarios.lossy.cpuMsPerRun", 20],
      ["perOp[ops=50].ops", 50], ["perOp[ops=50].cpuUsPerOp", 10],
      ["perOp[ops=500].ops", 500], ["perOp[ops=500].cpuUsPerOp", 12],
    ]);
  });

  it("gives old → new and new/old, with figures only one side has", () => {
    const rows = compareReports(old, now);
    expect(rows.find((r) => r.path === "scenarios.lossy.cpuMsPerRun")).toEqual({ path: "scenarios.lossy.cpuMsPerRun", old: 20, new: 10, ratio: 0.5 });
    expect(rows.find((r) => r.path === "perOp[ops=50].cpuUsPerOp")?.ratio).toBe(1.5);
    expect(rows.find((r) => r.path === "perOp[ops=2000].cpuUsPerOp")).toEqual({ path: "perOp[ops=2000].cpuUsPerOp", old: undefined, new: 9, ratio: undefined });
    expect(rows.find((r) => r.path === "perOp[ops=500].cpuUsPerOp")).toEqual({ path: "perOp[ops=500].cpuUsPerOp", old: 12, new: undefined, ratio: undefined });
    expect(compareReports({ a: 0, b: 1 }, { a: 0, b: 2 }).map((r) => r.path)).toEqual(["b"]); // 0 → 0 says nothing
    expect(formatComparison(rows).find((l) => l.includes("lossy"))).toMatch(/20 → 10 {2}\(×0\.50\)$/);
  });
});

describe("allocated bytes", () => {
  it("adds the heap's growth between collections", () => {
    const gc = (before: number, after: number) => ({ beforeGC: { heapStatistics: { usedHeapSize: before } }, afterGC: { heapStatistics: { usedHeapSize: after } } });
    // 100 → 180 (80 allocated), GC to 60, → 150 (90), GC to 50, → 70 at the end (20).
    expect(allocatedBytes(100, [gc(180, 60), gc(150, 50)], 70)).toBe(190);
    expect(allocatedBytes(100, [], 130)).toBe(30);
  });
});

describe("spread of blocks", () => {
  it("gives min, median and max", () => {
    expect(spread([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4 });
    expect(spread([])).toEqual({ min: 0, median: 0, max: 0 });
  });
});
