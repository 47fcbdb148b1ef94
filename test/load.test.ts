// `npm run load`, short: the real server process SIGKILLed and restarted under honest outbox
// clients on both wires and a hostile one, judged by the simulator's checker (sim/check). The long
// run's figures are in the README. The second test shows the verdict can fail: the same judgement
// on a server database changed after the run finds each change.
import { describe, expect, it } from "vitest";
import { DEFAULT_LOAD, type LoadOptions } from "../scripts/load/options.js";
import { runLoad } from "../scripts/load/run.js";
import { formatReport } from "../scripts/load/report.js";
import { INTRUDER_MARK } from "../sim/check/intruder.js";

const SHORT: LoadOptions = { ...DEFAULT_LOAD, seconds: 4, clients: 4, opsPerSecond: 20, killEveryMs: 1_500, hostiles: 1, drainTimeoutMs: 30_000 };

describe("npm run load, short", () => {
  it("clients on both wires keep writing through SIGKILLs and hostile traffic: nothing lost, doubled, regressed or unauthorised", async () => {
    const report = await runLoad(SHORT);
    console.log(formatReport(report));
    expect(report.clients).toMatchObject({ httpBatch: 2, websocket: 2 });
    expect(report.chaos.kills).toBeGreaterThanOrEqual(1);
    expect(report.chaos.restartsSurvived).toBe(report.chaos.kills);
    expect(report.ops.enqueued).toBeGreaterThan(100);
    expect(report.ops.acked).toBe(report.ops.enqueued);
    expect(report.hostile.rejected).toBeGreaterThan(0);
    expect(report.hostile.unauthorised).toBe(0);
    expect(report.verdict).toMatchObject({ lost: 0, doubleApplied: 0, cursorRegressions: 0, unauthorised: 0, limitsUnenforced: 0, other: {} });
    expect(report.chaos.exitCodeOnSigterm).toBe(0);
    expect(report.ok).toBe(true);
  }, 120_000);

  it("the verdict can fail: a row deleted, an intruder row, a cursor set back and one set ahead are each found", async () => {
    const report = await runLoad({ ...SHORT, seconds: 2, killEveryMs: 0, hostiles: 0 }, undefined, {
      beforeJudge(server, [lostRow, intruded, back, ahead]) {
        server.prepare("DELETE FROM share_rows WHERE rowid = (SELECT MIN(rowid) FROM share_rows WHERE share_id = ?)").run(lostRow);
        server.prepare("INSERT INTO share_rows (share_id, key, dup, value) VALUES (?, 'part:prt_x', 0, ?)").run(intruded, JSON.stringify({ text: INTRUDER_MARK }));
        server.prepare("UPDATE shares SET cursor = cursor - 1 WHERE id = ?").run(back);
        server.prepare("UPDATE shares SET cursor = cursor + 1 WHERE id = ?").run(ahead);
      },
    });
    expect(report.verdict.lost).toBeGreaterThanOrEqual(1);
    expect(report.verdict.unauthorised).toBeGreaterThanOrEqual(1);
    expect(report.verdict.cursorRegressions).toBeGreaterThanOrEqual(1);
    expect(report.verdict.doubleApplied).toBeGreaterThanOrEqual(1);
    expect(report.ok).toBe(false);
  }, 120_000);
});
