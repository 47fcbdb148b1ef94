// SQL per op: runs of one scenario with the statement counter installed, divided by the ops the
// users enqueued. Run apart from every timed phase: counting walks the stack of each statement.
import { runWorld } from "../world/world.js";
import type { Scenario } from "../world/scenario.js";
import { installSqlCounter, type Actor, type Side, type SqlCounts, type SqlTally } from "./sql-counter.js";

export interface SqlPerOp {
  runs: number;
  opsEnqueued: number;
  /** Per side, per actor: statements (writes among them) and transactions, each per op. */
  perOp: Record<Side, Record<Actor, SqlCounts>>;
}

export async function measureSql(scenario: Scenario, runs: number): Promise<SqlPerOp> {
  const counter = installSqlCounter();
  let ops = 0;
  let tally: SqlTally;
  try {
    for (let seed = 1; seed <= runs; seed++) ops += (await runWorld(scenario, seed)).ops.enqueued;
    tally = counter.tally();
  } finally {
    counter.uninstall();
  }
  return { runs, opsEnqueued: ops, perOp: divide(tally, ops) };
}

function divide(tally: SqlTally, ops: number): SqlTally {
  const per = (n: number) => (ops > 0 ? n / ops : 0);
  const out = {} as SqlTally;
  for (const [side, actors] of Object.entries(tally) as [Side, Record<Actor, SqlCounts>][]) {
    out[side] = {} as Record<Actor, SqlCounts>;
    for (const [actor, c] of Object.entries(actors) as [Actor, SqlCounts][]) {
      out[side][actor] = { statements: per(c.statements), writes: per(c.writes), transactions: per(c.transactions) };
    }
  }
  return out;
}
