// C1 and C2, judged once the world is quiet: the share as read back from the server's database
// against the reference model of what the user did. Legacy's append-only diffs are told apart
// here: an item stored twice is a double-apply (S1); diffs that disagree with the user's latest
// list are a divergence (C1). With several writers per share, a row several of them wrote must hold
// the last write of one of them (which one is the server's apply order's choice: H1, history.ts,
// holds the share to exactly that order); a row one writer wrote, that writer's last write.
import type { SyncItem } from "../../src/protocol/items.js";
import { byFileName, diffCarriers, diffIdentity, lastUserChoice, modelShare, type ShareView } from "../model/reference.js";
import { stableJson } from "../model/stable-json.js";
import type { DecodedShare } from "./share-reader.js";
import type { Report } from "./violations.js";
import type { LostUpdate } from "./lost-updates.js";

export interface ConvergenceInput {
  decoded: DecodedShare;
  /** Every item each writer's user enqueued, in its order: one list per writer of the share. */
  writers: readonly SyncItem[][];
  /** Model keys written by an op that D1 already reported lost: D1's finding, not C1's. */
  excluded: ReadonlySet<string>;
  /** Each writer's outbox (named in the message when the share has several writers). */
  outboxes: readonly { name: string; counts?: { pending: number; in_flight: number; failed: number } }[];
  /** Writes of a share kept as one record that dropped what other syncs had stored (lost-updates.ts). */
  lostUpdates?: readonly LostUpdate[];
}

/**
 * Where a missing or stale row came from, when a lost update explains it: the latest stale write
 * that dropped exactly the value the user last wrote there.
 */
type Explain = (key: string, want: string) => LostUpdate | undefined;

/** Returns how many of the user's rows the share lost or holds stale. */
export function judgeConvergence(input: ConvergenceInput, report: Report): number {
  const views = input.writers.map((items) => modelShare(items));
  const all = input.writers.flat();
  const actual = input.decoded.view;
  const updates = input.lostUpdates ?? [];
  const explain: Explain = (key, want) => updates.findLast((u) => u.key === key && u.value === want);
  // A row a lost update took is reported first, as the run's finding; the rest keep their order.
  const deferred: Parameters<Report>[] = [];
  const judged: Report = (invariant, kind, message) => (kind === "lost-update" ? report(invariant, kind, message) : void deferred.push([invariant, kind, message]));
  let lost = judgeEntities(views, actual, input.excluded, explain, judged);
  lost += judgeDiffs(views, actual, diffCarriers(all), input.excluded, explain, judged);
  for (const r of deferred) report(...r);
  for (const key of input.decoded.garbled) report("C1", "garbled", `row ${key} cannot be read back`);
  for (const { name, counts: o } of input.outboxes) {
    if (!o || o.pending + o.in_flight + o.failed === 0) continue;
    const whose = input.outboxes.length > 1 ? `${name}'s outbox` : "outbox";
    report("C1", "not-drained", `${whose} not drained: ${o.pending} pending, ${o.in_flight} in flight, ${o.failed} failed`);
  }
  // Message and part ids are each writer's own, so the union names every user message once.
  judgeAgentModel(views.length === 1 ? views[0]! : modelShare(all), actual, input.excluded, report);
  return lost;
}

/** Each writer's last write of `pick`'s row, for the writers that wrote it. */
function lastWrites<T>(views: readonly ShareView[], pick: (v: ShareView) => T | undefined): T[] {
  return views.map(pick).filter((x): x is T => x !== undefined);
}

function judgeEntities(views: readonly ShareView[], actual: ShareView, excluded: ReadonlySet<string>, explain: Explain, report: Report): number {
  let lost = 0;
  const keys = new Set(views.flatMap((v) => [...v.entities.keys()]));
  for (const key of keys) {
    if (excluded.has(key)) continue;
    const wants = lastWrites(views, (v) => v.entities.get(key)).map(stableJson);
    const got = actual.entities.get(key);
    if (got && wants.includes(stableJson(got))) continue;
    lost += 1;
    const update = wants.map((want) => explain(key, want)).find((u) => u !== undefined);
    const last = wants.length === 1 ? `the user's last write is ${wants[0]}` : `the last writes of its writers are ${wants.join(" | ")}`;
    if (update) report("C1", "lost-update", lostUpdateMessage(key, "the user's last write of it", update));
    else if (!got) report("C1", "lost", `lost: ${key} never reached the share`);
    else report("C1", "stale", `stale: ${key} holds ${stableJson(got)}, ${last}`);
  }
  for (const key of actual.entities.keys()) {
    if (!keys.has(key) && !excluded.has(key)) report("C1", "unexpected", `unexpected row ${key}: the user never wrote it`);
  }
  return lost;
}

function judgeDiffs(views: readonly ShareView[], actual: ShareView, carriers: Map<string, number>, excluded: ReadonlySet<string>, explain: Explain, report: Report): number {
  let lost = 0;
  const sessions = new Set([...views.flatMap((v) => [...v.diffs.keys()]), ...actual.diffs.keys()]);
  for (const session of sessions) {
    if (excluded.has(`diffs:${session}`)) continue;
    const stored = actual.diffs.get(session) ?? [];
    const distinct = new Map<string, { diff: Record<string, unknown>; copies: number }>();
    for (const d of stored) {
      const id = diffIdentity(session, d);
      const seen = distinct.get(id);
      if (seen) seen.copies += 1;
      else distinct.set(id, { diff: d, copies: 1 });
    }
    for (const [id, { diff, copies }] of distinct) {
      const carried = carriers.get(id) ?? 0;
      if (carried > 0 && copies > carried) report("S1", "stored-twice", `diff ${stableJson(diff)} of ${session} stored ${copies} times, carried by ${carried} user item(s)`);
    }
    const written = lastWrites(views, (v) => v.diffs.get(session));
    const wantedLists = written.length > 0 ? written : [[]];
    const wants = wantedLists.map(stableJson);
    const got = stableJson([...distinct.values()].map((v) => v.diff).sort(byFileName));
    if (wants.includes(got)) continue;
    lost += 1;
    // A file of the user's latest list that the share lacks because a stale write dropped it.
    const missing = wantedLists.flatMap((wanted) => wanted.filter((d) => !distinct.has(diffIdentity(session, d))));
    const update = missing.map((d) => explain(`diffs:${session}`, stableJson(d))).find((u) => u !== undefined);
    const latest = wants.length === 1 ? `the user's latest list is ${wants[0]}` : `the latest lists of its writers are ${wants.join(" | ")}`;
    if (update) report("C1", "lost-update", lostUpdateMessage(`diffs of ${session}`, `its entry ${update.value} of the user's latest list`, update));
    else report("C1", "diff-diverged", `diffs of ${session} diverged: the share holds ${got}, ${latest}`);
  }
  return lost;
}

function lostUpdateMessage(what: string, written: string, u: LostUpdate): string {
  return `lost update: ${what} — ${written}, held by the share's record (syncCount ${u.held.syncCount}, written at step ${u.held.step}), ` +
    `was overwritten at step ${u.by.step} by a sync that had read the record before it was stored (its write: syncCount ${u.by.syncCount})`;
}

function judgeAgentModel(expected: ShareView, actual: ShareView, excluded: ReadonlySet<string>, report: Report): void {
  const want = lastUserChoice(expected);
  if (!want || excluded.has(`message:${want.id}`)) return;
  const got = lastUserChoice(actual);
  if (!got || got.agent !== want.agent || got.model !== want.model) {
    report("C2", "wrong-choice", `last user message shows ${String(got?.agent)}/${String(got?.model)}, the user chose ${String(want.agent)}/${String(want.model)}`);
  }
}
