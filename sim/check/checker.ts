// The checker the world reports to. It owns no judgement of its own: each invariant lives in its
// module (applies, step-checks, durability, acks, convergence), and every one reads the evidence
// the world can see from outside the product: both databases through SQL, the acks the client
// received, what the user was told, what hostile actors managed to do.
import type Database from "better-sqlite3";
import type { Ack } from "../../src/protocol/envelope.js";
import type { SyncItem } from "../../src/protocol/items.js";
import type { ServerEvent } from "../../src/server/share-store.js";
import { modelKey } from "../model/reference.js";
import { judgeAck } from "./acks.js";
import { AnswerChecks } from "./answers.js";
import { ApplyLog, opContent } from "./applies.js";
import { judgeConvergence } from "./convergence.js";
import { judgeHistory } from "./history.js";
import { judgeSentTurns, judgeShareTurns } from "./turns.js";
import { Durability } from "./durability.js";
import { ledgerCursors, ledgerPolicy, shareCursor, type LedgerPolicy } from "./ledger.js";
import type { HistoryVerdict } from "./history.js";
import { ReadChecks, type ObservedRead } from "./reads.js";
import { decodeShare, readRecordRows, readShareRows } from "./share-reader.js";
import { LostUpdates } from "./lost-updates.js";
import { StepChecks } from "./step-checks.js";
import { ViolationLog, type Report } from "./violations.js";
import { pluck, query } from "./sql.js";

/** One writer of the share, as the end check sees it. */
export interface WriterEvidence {
  /** Its node's name. */
  name: string;
  /** Its outbox database; undefined for the legacy design, which has none. */
  db: Database.Database | undefined;
  /** Every item its user meant the share to hold, in its order. */
  items: SyncItem[];
  outbox?: { pending: number; in_flight: number; failed: number };
}

export class Checker {
  /** Reports into the world's one log; a checker of a second share prefixes its messages. */
  private readonly report: Report;
  readonly applies: ApplyLog;
  private readonly policy: LedgerPolicy;
  private readonly steps: StepChecks;
  private readonly durability: Durability;
  private readonly reads: ReadChecks;
  private readonly answers: AnswerChecks;
  /** op_id → what the user enqueued under it (the latest, if a buggy client reused the id). */
  private readonly ops = new Map<string, { content: string; key: string; dependsOn: readonly string[] }>();
  /** Enqueues whose node crashed before answering: committed or not, nobody was told (Jepsen's :info). */
  private readonly indeterminate: { item: SyncItem; writer: string }[] = [];
  /** Every op acknowledged (applied or duplicate) to any writer of the share: H1 finds each in the order. */
  private readonly acked = new Set<string>();
  /** What the last end check's H1 could judge (for the harness's own figures; not a verdict). */
  lastHistory: HistoryVerdict | undefined;

  /** Stale writes to the share's record, when the server keeps the share as one record (rmw legacy). */
  private readonly lostUpdates: LostUpdates | undefined;

  /** `layout`: how the server stores the share: rows (share_rows), or one record per share (share_records). */
  constructor(dedupe: string, private readonly log = new ViolationLog(), label = "", private readonly layout: "rows" | "record" = "rows") {
    this.report = label ? (i, k, m) => log.report(i, k, `${label}: ${m}`) : log.report;
    this.lostUpdates = layout === "record" ? new LostUpdates() : undefined;
    this.applies = new ApplyLog(this.report);
    this.policy = ledgerPolicy(dedupe);
    this.steps = new StepChecks(this.report, this.policy, this.applies);
    this.durability = new Durability(this.report, this.policy, this.applies);
    this.reads = new ReadChecks(this.report, this.applies);
    this.answers = new AnswerChecks(this.report);
  }

  get violations() { return this.log.violations; }
  set step(n: number) { this.log.step = n; }

  readonly onServerEvent = (e: ServerEvent): void => {
    this.applies.onEvent(e);
    this.lostUpdates?.onEvent(e);
  };

  /** `writer`: the node whose user was told (its disk must keep the op). */
  onEnqueue(opID: string, item: SyncItem, dependsOn: readonly string[], writer: string): void {
    this.ops.set(opID, { content: opContent(item), key: modelKey(item), dependsOn });
    this.durability.onEnqueue(opID, writer);
  }

  /** The writer's client crashed inside an enqueue: the item may or may not have been saved. */
  onIndeterminateEnqueue(item: SyncItem, writer: string): void {
    this.indeterminate.push({ item, writer });
  }

  /** A writer's disk was wiped on purpose once it had drained (a reinstall); it starts as a new writer. */
  writerReinstalled(writer: string): void {
    this.durability.writerReinstalled(writer);
  }

  /** The client sent these ops as batch `batchID` (a call whose answer F1 judges). */
  onSend(batchID: string, opIDs: readonly string[]): void {
    this.answers.onSend(batchID, opIDs);
  }

  onAck(ack: Ack, batchID: string): void {
    this.answers.onAck(batchID, ack);
    for (const op of ack.applied) this.acked.add(op);
    for (const op of ack.duplicates) this.acked.add(op);
    judgeAck(ack, this.applies, this.durability.rolledBack, (op) => this.ops.get(op)?.content, this.report);
    this.durability.onAck(ack);
  }

  /** A hostile actor's write was accepted: authority leaked, whatever the database shows later. */
  onIntrusion(actor: string, detail: string): void {
    this.report("S4", "intruder-accepted", `${actor}'s write was accepted: ${detail}`);
  }

  /** A reader's answer (R1); `sentGeneration` is the apply log's generation when it asked. */
  onRead(reader: string, sentGeneration: number, read: ObservedRead): void {
    this.reads.judge(reader, sentGeneration, read);
  }

  checkStep(server: { db: Database.Database; shareID: string } | undefined, client: { db: Database.Database; writer: string } | undefined): void {
    if (server) {
      this.steps.checkServer(server.db, server.shareID);
      this.lostUpdates?.observe(server.db, server.shareID, this.log.step);
    }
    if (client) this.steps.checkClient(client.db, client.writer);
  }

  /** `clients`: the disk of every writer of the share that has one (a down writer's, read through a copy). */
  afterServerRestart(db: Database.Database, shareID: string, clients: readonly Database.Database[]): void {
    this.steps.serverRestarted(this.durability.afterServerRestart(db, shareID, clients));
    this.lostUpdates?.restarted(db, shareID, this.log.step);
  }

  /** This share replaced an earlier one of the same session, whose acks the client's disk still holds. */
  sharedAfresh(client: Database.Database): void {
    this.durability.sharedAfresh(client);
  }

  afterClientRestart(db: Database.Database, writer: string): void {
    this.durability.afterClientRestart(db, writer);
    this.steps.clientRestarted(db, writer);
  }

  /**
   * Once quiet: the share against the model (C1, C2), the ledger's order (S3), and the share's
   * history (H1, for a share written through appendOps). Returns lost-op count.
   */
  checkFinal(server: Database.Database, shareID: string, writers: readonly WriterEvidence[]): number {
    const decoded = decodeShare(this.layout === "record" ? readRecordRows(server, shareID) : readShareRows(server, shareID));
    for (const key of decoded.intruded) this.report("S4", "intruder-row", `row ${key} was written by an intruder`);
    const outboxes = writers.map((w) => w.db).filter((db): db is Database.Database => db !== undefined);
    this.checkLedgerOrder(server, shareID, outboxes);
    const excluded = this.excludedKeys(writers);
    judgeShareTurns(decoded.view, excluded, this.report);
    for (const client of outboxes) judgeSentTurns(client, this.report);
    const lost = judgeConvergence({ decoded, writers: writers.map((w) => w.items), excluded, outboxes: writers.map((w) => ({ name: w.name, counts: w.outbox })), lostUpdates: this.lostUpdates?.found }, this.report);
    if (outboxes.length > 0) this.checkHistory(server, shareID, outboxes, decoded);
    return lost;
  }

  private checkHistory(server: Database.Database, shareID: string, outboxes: readonly Database.Database[], decoded: ReturnType<typeof decodeShare>): void {
    const rows = outboxes.map((db) => query(db, "SELECT item, depends_on FROM outbox WHERE op_id = ?"));
    const lookup = (opID: string) => {
      for (const read of rows) {
        const row = read.get(opID) as { item: string; depends_on: string } | undefined;
        if (row) return { content: opContent(JSON.parse(row.item)), dependsOn: JSON.parse(row.depends_on) as string[] };
      }
      // The user's record gives the content, not the dependencies the envelope carried (a client
      // drops one that can never arrive): (a) is not judged for such an op.
      const mine = this.ops.get(opID);
      return mine && { content: mine.content };
    };
    this.lastHistory = judgeHistory({
      applies: this.applies, policy: this.policy, cursor: shareCursor(server, shareID) ?? 0, ledger: ledgerCursors(server, this.policy, shareID),
      lookup, acked: this.acked, lost: (op) => this.durability.lost.has(op) || this.durability.rolledBack.has(op), decoded,
    }, this.report);
  }

  /**
   * Keys C1 must not judge: those D1 already reported lost, and those of an indeterminate enqueue
   * the client's disk does not hold (it never committed, or a power loss took it: either way the
   * user was never told it was saved).
   */
  private excludedKeys(writers: readonly WriterEvidence[]): Set<string> {
    const excluded = new Set<string>();
    const unknown: string[] = [];
    for (const op of this.durability.lost) {
      const key = this.ops.get(op)?.key;
      if (key) excluded.add(key);
      else unknown.push(op);
    }
    for (const { name, db: client } of writers) {
      if (!client) continue;
      // An op the user was never told about (a crash swallowed the answer) can still be acked and
      // then lost: its item is on the client's disk.
      const items = pluck(client, "SELECT item FROM outbox WHERE op_id IN (SELECT value FROM json_each(?))").all(JSON.stringify(unknown)) as string[];
      for (const item of items) excluded.add(modelKey(JSON.parse(item) as SyncItem));
      const mine = this.indeterminate.filter((x) => x.writer === name);
      if (mine.length === 0) continue;
      const saved = new Set((pluck(client, "SELECT item FROM outbox").all() as string[]).map((t) => opContent(JSON.parse(t))));
      for (const { item } of mine) if (!saved.has(opContent(item))) excluded.add(modelKey(item));
    }
    return excluded;
  }

  /**
   * S3 from the database alone: in an op_id ledger every dependency the user gave an op has a lower
   * cursor, and (permanent) is there at all — unless the client no longer holds it (its disk lost
   * it, or it failed for good): then it can never arrive and the client rightly stopped waiting. A
   * dependency the *server* lost while the client still holds it must be restored.
   */
  private checkLedgerOrder(server: Database.Database, shareID: string, clients: readonly Database.Database[]): void {
    const at = ledgerCursors(server, this.policy, shareID);
    if (at.size === 0 || clients.length === 0) return;
    const held = new Set(clients.flatMap((client) => pluck(client, "SELECT op_id FROM outbox WHERE state <> 'failed'").all() as string[]));
    for (const [opID, { dependsOn }] of this.ops) {
      const c = at.get(opID);
      if (c === undefined) continue;
      for (const dep of dependsOn) {
        const d = at.get(dep);
        if (d !== undefined && d > c) this.report("S3", "ledger-order", `op ${opID} (cursor ${c}) was applied before its dependency ${dep} (cursor ${d})`);
        if (d === undefined && this.policy.kind === "permanent" && held.has(dep)) {
          this.report("S3", "dependency-missing", `op ${opID} was applied but its dependency ${dep} never was`);
        }
      }
    }
  }

}
