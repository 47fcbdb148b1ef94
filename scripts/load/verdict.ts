// The end of a load run, judged by the simulator's own oracle (sim/check, sim/model), never by the
// product's code: the server's database read with SQL, every client's outbox, the acks each client
// received. Per client, in the order the simulator's checker expects: the server "came back" (its
// disk is read: every apply it holds is learned, every op the client holds as acked must still be
// there), then every ack is judged against those applies (A1), then the share is compared with the
// reference model of what the user enqueued (C1, C2, S3, S4 intruder rows). The four figures:
//   lost             C1 rows lost or stale, and D1 reports (an acked op the server no longer has)
//   double-applied   S1 reports, ops acked `applied` twice, applies the cursor counts beyond the ledger
//   cursor regressions  S2 reports (server cursor or client watermark went back) and acks out of order
//   unauthorised     S4 reports (intruder rows in honest shares), intruder rows in an attacker's own
//                    share from an attack without authority, and hostile requests the server obeyed
//                    without authority (each is a piece of evidence: one breach may show twice)
// and, beside them, limits unenforced: an attacker's write to its own share that a limit or a
// validation should have refused.
import type Database from "better-sqlite3";
import type { Violation } from "../../sim/check/violations.js";
import { ledgerCursors, shareCursor } from "../../sim/check/ledger.js";
import { decodeShare, readShareRows } from "../../sim/check/share-reader.js";
import { LOAD_WRITER, type LoadClient } from "./client.js";
import { attackOfRow } from "./attacks.js";

export interface Verdict {
  lost: number;
  doubleApplied: number;
  cursorRegressions: number;
  unauthorised: number;
  /** Hostile writes to their own share that a limit or a validation should have refused. */
  limitsUnenforced: number;
  /** Every other violation (A1, S3, S5, C2, an outbox not drained, ...), by invariant and kind. */
  other: Map<string, number>;
  /** A few violations verbatim, for the report. */
  samples: string[];
}

export function emptyVerdict(): Verdict {
  return { lost: 0, doubleApplied: 0, cursorRegressions: 0, unauthorised: 0, limitsUnenforced: 0, other: new Map(), samples: [] };
}

export function judgeClient(client: LoadClient, server: Database.Database, verdict: Verdict): void {
  const { checker, share } = client;
  checker.afterServerRestart(server, share.id, [client.db]);
  for (const a of client.answers) {
    if (a.kind === "send") checker.onSend(a.batchID, a.opIDs);
    else checker.onAck(a.ack, a.batchID);
  }
  const counts = client.outbox.counts();
  verdict.lost += checker.checkFinal(server, share.id, [{ name: LOAD_WRITER, db: client.db, items: client.items, outbox: counts }]);
  verdict.doubleApplied += appliedTwice(client) + appliesBeyondLedger(server, share.id);
  verdict.cursorRegressions += client.ackCursorRegressions;
  for (const v of checker.violations) classify(v, verdict, `client ${client.index}`);
}

/**
 * The attackers' own shares: every write an attacker tried carried the intruder mark and had to be
 * refused. A row from an attack without authority is unauthorised; one from an attack on the
 * attacker's own credentials means a limit or a validation let it through.
 */
export function judgeAttackerShare(server: Database.Database, shareID: string, verdict: Verdict): void {
  for (const key of decodeShare(readShareRows(server, shareID)).intruded) {
    const attack = attackOfRow(key);
    if (attack?.breach) verdict.unauthorised += 1;
    else verdict.limitsUnenforced += 1;
    if (verdict.samples.length < 10) verdict.samples.push(`attacker share ${shareID}: intruder row ${key} (${attack?.name ?? "unknown attack"})`);
  }
}

function classify(v: Violation, verdict: Verdict, who: string): void {
  if (v.invariant === "C1" && (v.kind === "lost" || v.kind === "stale" || v.kind === "diff-diverged")) {
    // Counted through checkFinal's return value already.
  } else if (v.invariant === "D1") verdict.lost += 1;
  else if (v.invariant === "S1") verdict.doubleApplied += 1;
  else if (v.invariant === "S2") verdict.cursorRegressions += 1;
  else if (v.invariant === "S4") verdict.unauthorised += 1;
  else {
    const key = `${v.invariant} ${v.kind}`;
    verdict.other.set(key, (verdict.other.get(key) ?? 0) + 1);
  }
  if (verdict.samples.length < 10) verdict.samples.push(`${who}: ${v.invariant} ${v.message}`);
}

/** Ops the server acked as `applied` in more than one ack: each says it applied the op. */
function appliedTwice(client: LoadClient): number {
  const seen = new Set<string>();
  let twice = 0;
  for (const a of client.answers) {
    if (a.kind !== "ack") continue;
    for (const op of a.ack.applied) {
      if (seen.has(op)) twice += 1;
      seen.add(op);
    }
  }
  return twice;
}

/** The permanent ledger holds one row per applied op: a cursor past its row count counts applies no op_id accounts for. */
function appliesBeyondLedger(server: Database.Database, shareID: string): number {
  const cursor = shareCursor(server, shareID) ?? 0;
  return Math.max(0, cursor - ledgerCursors(server, { kind: "permanent" }, shareID).size);
}
