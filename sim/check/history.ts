// H1, the history check: once the world is quiet, the share must be explained by ONE total order of
// applied ops, and that order is the server's own: the cursor each op was applied at (the witness).
// The order is rebuilt from the server's apply reports (first apply of each op, after any power loss
// took applies back: applies.ts) and from the op_id ledger on disk (permanent, window) for an apply
// whose report a crash swallowed. What each op carried comes from its report, or else from what a
// user enqueued under its id or what a writer's outbox holds under it. Then, with several writers as
// with one:
//   (a) every dependency an applied op carried (`depends_on` of the envelope the server applied, or
//       of the outbox row for an apply known only from the disk) was applied, at a lower cursor;
//   (b) each writer's own order, where the product promises it: the ops one appendOps call applied
//       are, per writer, in writer_seq order (a batch goes out in enqueue order and the server applies
//       a call's ops in the order sent); across calls nothing orders two ops of a writer but
//       depends_on, except under writer-seq, where a writer's applied ops are exactly its numbers
//       1 … n, in that order in the cursor order;
//   (c) the share read back with SQL equals the reference model's fold of exactly the applied ops,
//       in cursor order (not a fold of the writers' intents: a row two writers wrote holds the write
//       applied last);
//   (d) the order has one op per cursor and no op twice, agrees with the ledger on disk, and holds
//       every op acknowledged (applied or duplicate) to any writer of the share, unless D1 already
//       reported it lost.
// What cannot be judged is skipped, never guessed: an apply known only from writer-seq's marks has
// no cursor, and takes one only where a single filling of the empty places keeps its writer's
// order (completeInWriterOrder); an op applied twice holds two places; one whose content nobody
// holds cannot be folded. Then (c) is not judged for the run, and (a) and (b) are judged on the
// ops with a place.
import type { SyncItem } from "../../src/protocol/items.js";
import { modelKey, modelShare, type ShareView } from "../model/reference.js";
import { stableJson } from "../model/stable-json.js";
import type { ApplyLog } from "./applies.js";
import { INTRUDER_MARK } from "./intruder.js";
import type { LedgerPolicy } from "./ledger.js";
import type { DecodedShare } from "./share-reader.js";
import type { Report } from "./violations.js";

export interface HistoryInput {
  applies: ApplyLog;
  policy: LedgerPolicy;
  /** The share's cursor as its database holds it: the order has exactly this many places. */
  cursor: number;
  /** op_id → cursor, as the op_id ledger on disk has it (empty for writer-seq). */
  ledger: ReadonlyMap<string, number>;
  /** What an op carried when its apply was not reported: the user's enqueue or a writer's outbox row. */
  lookup: (opID: string) => { content?: string; dependsOn?: readonly string[] } | undefined;
  /** Every op acknowledged as applied or duplicate to any writer of the share. */
  acked: ReadonlySet<string>;
  /** Ops D1 reported lost (or a power loss took back): their absence is D1's finding. */
  lost: (opID: string) => boolean;
  decoded: DecodedShare;
}

/** What H1 could judge: `folded` is false when (c) was skipped (see the file comment). */
export interface HistoryVerdict { placed: number; unplaced: number; folded: boolean }

interface Placed { opID: string; cursor: number; content?: string; dependsOn?: readonly string[]; call?: number }

export function judgeHistory(input: HistoryInput, report: Report): HistoryVerdict {
  const { order, unplaced } = rebuildOrder(input, report);
  completeInWriterOrder(order, unplaced, input);
  const where = new Map<string, number>();
  for (const p of order) if (p) where.set(p.opID, p.cursor);
  judgeDependencies(order, where, unplaced, report);
  judgeWriterOrder(order, unplaced, input.policy, report);
  judgeAcked(input, where, unplaced, report);
  const folded = unplaced.size === 0 && order.every((p) => p?.content !== undefined);
  if (folded) judgeFold(order as Placed[], input.decoded, report);
  return { placed: where.size, unplaced: unplaced.size, folded };
}

/** The order, place by place (index cursor − 1; a hole is undefined), and the ops without a place. */
function rebuildOrder(input: HistoryInput, report: Report): { order: (Placed | undefined)[]; unplaced: Set<string> } {
  const order: (Placed | undefined)[] = Array.from({ length: input.cursor }, () => undefined);
  const unplaced = new Set<string>();
  const place = (p: Placed) => {
    if (p.cursor > input.cursor) return report("H1", "past-cursor", `op ${p.opID} was applied at cursor ${p.cursor}, past the share's cursor ${input.cursor}`);
    const held = order[p.cursor - 1];
    if (held && held.opID !== p.opID) return report("H1", "cursor-reused", `cursor ${p.cursor} was given to two ops: ${held.opID} and ${p.opID}`);
    order[p.cursor - 1] = p;
  };
  for (const [opID, a] of input.applies.first) {
    if (a.cursor === 0) unplaced.add(opID);
    else place({ opID, cursor: a.cursor, content: a.content, dependsOn: a.dependsOn, call: a.call });
  }
  for (const [cursor, opID] of input.applies.repeatedAt) {
    if (cursor <= input.cursor) report("H1", "applied-twice", `op ${opID} holds two places in the order: cursor ${input.applies.first.get(opID)?.cursor} and cursor ${cursor}`);
  }
  for (const [opID, cursor] of input.ledger) {
    const at = input.applies.first.get(opID)?.cursor;
    if (at === undefined || at === 0) {
      unplaced.delete(opID);
      place({ opID, cursor });
    } else if (at !== cursor && input.applies.repeatedAt.get(cursor) !== opID) {
      report("H1", "ledger-disagrees", `the ledger on disk puts op ${opID} at cursor ${cursor}, its apply was reported at cursor ${at}`);
    }
  }
  for (const p of order) {
    if (!p || (p.content !== undefined && p.dependsOn !== undefined)) continue;
    const known = input.lookup(p.opID);
    p.content ??= known?.content;
    p.dependsOn ??= known?.dependsOn;
  }
  return { order, unplaced };
}

/**
 * Applies known only from writer-seq's marks have no place, and the places whose report was lost
 * have no op: each such op holds exactly one such place. When they are all one writer's, only one
 * filling keeps that writer's order (b), writer-seq's promise: its numbers, ascending, into the
 * places, ascending. Any other filling breaks (b), so judging this one loses nothing; with several
 * writers' ops the interleaving is unknown and the places stay empty.
 */
function completeInWriterOrder(order: (Placed | undefined)[], unplaced: Set<string>, input: HistoryInput): void {
  if (input.policy.kind !== "writer-seq" || unplaced.size === 0) return;
  const writers = new Set([...unplaced].map((op) => parseOpID(op).writer));
  const holes = order.flatMap((p, i) => (p ? [] : [i]));
  if (writers.size !== 1 || holes.length !== unplaced.size) return;
  const ops = [...unplaced].sort((a, b) => parseOpID(a).seq - parseOpID(b).seq);
  holes.forEach((hole, i) => {
    const opID = ops[i]!;
    const known = input.lookup(opID);
    order[hole] = { opID, cursor: hole + 1, content: known?.content, dependsOn: known?.dependsOn };
  });
  unplaced.clear();
}

/** (a): a dependency without a place is judged only for being in the order at all. */
function judgeDependencies(order: readonly (Placed | undefined)[], where: ReadonlyMap<string, number>, unplaced: ReadonlySet<string>, report: Report): void {
  for (const p of order) {
    for (const dep of p?.dependsOn ?? []) {
      const at = where.get(dep);
      if (at === undefined && !unplaced.has(dep)) report("H1", "dependency-never-applied", `op ${p!.opID} (cursor ${p!.cursor}) depends on ${dep}, which is nowhere in the order`);
      else if (at !== undefined && at > p!.cursor) report("H1", "before-dependency", `op ${p!.opID} (cursor ${p!.cursor}) precedes its dependency ${dep} (cursor ${at})`);
    }
  }
}

/** (b): a writer's ops within one call, in writer_seq order; under writer-seq, 1 … n in cursor order. */
function judgeWriterOrder(order: readonly (Placed | undefined)[], unplaced: ReadonlySet<string>, policy: LedgerPolicy, report: Report): void {
  const lastInCall = new Map<string, { call: number; seq: number; opID: string }>();
  const lastOfWriter = new Map<string, { seq: number; opID: string }>();
  const numbers = new Map<string, number[]>();
  for (const p of order) {
    if (!p) continue;
    const { writer, seq } = parseOpID(p.opID);
    pushTo(numbers, writer, seq);
    const inCall = lastInCall.get(writer);
    if (p.call !== undefined && inCall?.call === p.call && seq < inCall.seq) {
      report("H1", "call-out-of-order", `one appendOps call applied ${inCall.opID} before ${p.opID}: against their writer's order`);
    }
    if (p.call !== undefined) lastInCall.set(writer, { call: p.call, seq, opID: p.opID });
    const before = lastOfWriter.get(writer);
    if (policy.kind === "writer-seq" && before && seq <= before.seq) {
      report("H1", "writer-out-of-order", `writer-seq applied ${before.opID} before ${p.opID}: against their writer's order`);
    }
    lastOfWriter.set(writer, { seq, opID: p.opID });
  }
  if (policy.kind !== "writer-seq") return;
  for (const opID of unplaced) {
    const { writer, seq } = parseOpID(opID);
    pushTo(numbers, writer, seq);
  }
  for (const [writer, seqs] of numbers) {
    const sorted = [...seqs].sort((a, b) => a - b);
    const gap = sorted.findIndex((s, i) => s !== i + 1);
    if (gap >= 0) report("H1", "writer-gap", `writer-seq applied writer ${writer}'s numbers ${sorted.slice(0, 12).join(",")}${sorted.length > 12 ? ",…" : ""}: not exactly 1 … ${sorted.length}`);
  }
}

/** (d): every acknowledged op is in the order (with or without a place), unless D1 reported it lost. */
function judgeAcked(input: HistoryInput, where: ReadonlyMap<string, number>, unplaced: ReadonlySet<string>, report: Report): void {
  for (const opID of input.acked) {
    if (where.has(opID) || unplaced.has(opID) || input.lost(opID)) continue;
    report("H1", "acked-not-applied", `op ${opID} was acknowledged to its writer but is nowhere in the server's order of applies`);
  }
}

/** (c): the share is the fold of exactly the applied ops, in cursor order (the intruder's rows are S4's). */
function judgeFold(order: readonly Placed[], decoded: DecodedShare, report: Report): void {
  const items = order.filter((p) => !p.content!.includes(INTRUDER_MARK)).map((p) => JSON.parse(p.content!) as SyncItem);
  const folded = modelShare(items);
  const actual = decoded.view;
  const lastAt = new Map<string, string>();
  for (const p of order) lastAt.set(modelKey(JSON.parse(p.content!) as SyncItem), `${p.opID} at cursor ${p.cursor}`);
  for (const key of new Set([...folded.entities.keys(), ...actual.entities.keys()])) {
    const want = folded.entities.get(key);
    const got = actual.entities.get(key);
    if (stableJson(want ?? null) === stableJson(got ?? null)) continue;
    report("H1", "not-the-fold", `row ${key} holds ${stableJson(got ?? null)}; the applied order ends it with ${stableJson(want ?? null)} (${lastAt.get(key) ?? "never written"})`);
  }
  for (const session of new Set([...folded.diffs.keys(), ...actual.diffs.keys()])) {
    const want = stableJson(sortedDiffs(folded, session));
    const got = stableJson(sortedDiffs(actual, session));
    if (want !== got) report("H1", "not-the-fold", `the diffs of ${session} are ${got}; the applied order ends them with ${want} (${lastAt.get(`diffs:${session}`) ?? "never written"})`);
  }
}

function sortedDiffs(view: ShareView, session: string): Record<string, unknown>[] {
  return [...(view.diffs.get(session) ?? [])].sort((a, b) => (String(a.file) < String(b.file) ? -1 : String(a.file) > String(b.file) ? 1 : 0));
}

function pushTo(lists: Map<string, number[]>, key: string, n: number): void {
  const list = lists.get(key);
  if (list) list.push(n);
  else lists.set(key, [n]);
}

/** `<writer_id>/<writer_seq>`, read the way the op_id format is written (the writer id may hold '/'). */
function parseOpID(opID: string): { writer: string; seq: number } {
  const at = opID.lastIndexOf("/");
  return { writer: opID.slice(0, at), seq: Number(opID.slice(at + 1)) };
}
