// Several writers per share (scenario field `writers`): what each writer is called and what it
// writes. Every writer of a session generates its workload as the one writer of a session always
// has (generateWorkload, from its own stream), then takes its place beside the others here:
//   * its own turns: writer b's messages and parts are `msg_b0001_u`, `prt_b1_0`, … (the first
//     writer keeps its ids), so two writers never write one message or part;
//   * the rows they all write: the session row (each writer's first write, under its own title),
//     the session's diff list (every writer's session_diffs replace the same list), and a retitle
//     of the session after each turn a writer finishes, depending on its own previous write of the
//     row when the workload is causal. These rows are where concurrent writes really meet;
//   * a reinstall after the writer's op indexes in `reinstallAfter`, at its next turn boundary
//     (before it starts its next turn, or at the end): an `exit` action the world carries out as a
//     wiped disk and a new writer id (reinstaller.ts), followed by a pause like a clean exit's. A
//     wipe in the middle of a turn would take the session model's record of the turn with it,
//     which no sync product can give back; between turns there is nothing local to lose.
// With `writers` absent none of this runs and nothing is drawn: a one-writer world is unchanged.
import { z } from "zod";
import type { SyncItem } from "../../src/protocol/items.js";
import type { Action } from "./workload.js";

export const WriterSpec = z.object({
  /**
   * After these of its own op indexes (as generated, before retitles are added), at its next turn
   * boundary, the writer is reinstalled: once its outbox has drained, its disk is wiped and it
   * starts again as a new writer (a new writer id, numbering from 1) on the same share.
   */
  reinstallAfter: z.array(z.number().int().nonnegative()).default([]),
}).strict();

/** A number of writers (1 to 3, none reinstalled), or one spec per writer. */
export const WritersSpec = z.union([
  z.number().int().min(1).max(3).transform((n) => Array.from({ length: n }, () => ({ reinstallAfter: [] as number[] }))),
  z.array(WriterSpec).min(1).max(3),
]);
export type WritersSpec = z.infer<typeof WritersSpec>;

const LETTERS = ["", "b", "c"] as const;

/**
 * A reinstall waits for the writer's outbox to drain (reinstaller.ts), and the user's next turn
 * comes this long after that wait begins, plus the writer's downtime: on a lossy wire with crashes
 * the last batch may need a few backoff rounds (up to 2 s each) to be acked.
 */
export const REINSTALL_DRAIN_MS = 10_000;

export interface WriterNames {
  /** The node: the session's client for the first writer ("client", "client2"), then "client-b", "client2-b", … */
  node: string;
  /** The client's own random stream (forked by name, so another writer shifts no stream). */
  stream: string;
  /** The writer's workload stream. */
  workload: string;
  /** "" for the first writer, then "b", "c": the prefix of its message and part ids. */
  letter: string;
}

/** Writer `w` of a session whose first writer has these names. */
export function writerNames(first: { node: string; stream: string; workload: string }, w: number): WriterNames {
  const letter = LETTERS[w]!;
  if (w === 0) return { node: first.node, stream: first.stream, workload: first.workload, letter };
  return { node: `${first.node}-${letter}`, stream: `${first.stream}-${letter}`, workload: `${first.workload}-${letter}`, letter };
}

export interface ShapedActions {
  actions: Action[];
  /** The `exit` actions that are reinstalls, not clean exits. */
  reinstalls: Set<Action>;
}

/**
 * One writer's generated actions, shaped for a share with several writers (see the file comment).
 * Indexes are renumbered in order and `dependsOn` follows them.
 */
export function shapeWriterActions(generated: readonly Action[], w: { letter: string; causalDeps: boolean; reinstallAfter: readonly number[]; downMs: number }): ShapedActions {
  const out: Action[] = [];
  const reinstalls = new Set<Action>();
  const renumbered = new Map<number, number>();
  let next = 0;
  let shift = 0;
  let turns = 0;
  let lastSessionWrite: number | undefined;
  let reinstallDue = false;
  /** After the last action so far; what follows waits for the writer to come back. */
  const reinstall = () => {
    const exit: Action = { kind: "exit", at: out[out.length - 1]!.at + 1, downForMs: w.downMs };
    out.push(exit);
    reinstalls.add(exit);
    shift += 1 + REINSTALL_DRAIN_MS + w.downMs;
    reinstallDue = false;
  };
  const push = (a: Extract<Action, { kind: "enqueue" }>, item: SyncItem, dependsOn: number[]) => {
    const index = next++;
    if (item.type === "session") {
      if (w.causalDeps && lastSessionWrite !== undefined) dependsOn = [...dependsOn, lastSessionWrite];
      lastSessionWrite = index;
    }
    out.push({ kind: "enqueue", at: a.at + shift, index, item, dependsOn: [...new Set(dependsOn)].sort((x, y) => x - y) });
    return index;
  };
  for (const a of generated) {
    if (a.kind !== "enqueue") {
      out.push({ ...a, at: a.at + shift });
      continue;
    }
    const item = renameForWriter(a.item, w.letter);
    if (reinstallDue && item.type === "message" && item.data.role === "user") reinstall();
    renumbered.set(a.index, push(a, item, a.dependsOn.map((d) => renumbered.get(d)!)));
    if (isTurnOutcome(item)) {
      turns += 1;
      const sessionID = (item.data as { sessionID: string }).sessionID;
      push(a, { type: "session", data: { id: sessionID, title: `${writerLabel(w.letter)} after its turn ${turns}` } }, []);
    }
    if (w.reinstallAfter.includes(a.index)) reinstallDue = true;
  }
  if (reinstallDue && out.length > 0) reinstall();
  return { actions: out, reinstalls };
}

function writerLabel(letter: string): string {
  return `writer ${letter || "a"}`;
}

function isTurnOutcome(item: SyncItem): boolean {
  return item.type === "message" && item.data.role === "assistant" && item.data.status !== undefined && item.data.status !== "streaming";
}

/** Writer b's turns are its own: its message and part ids carry its letter; its session row its title. */
function renameForWriter(item: SyncItem, letter: string): SyncItem {
  if (letter === "") return item;
  const tag = (id: string, prefix: string) => (id.startsWith(prefix) ? `${prefix}${letter}${id.slice(prefix.length)}` : id);
  switch (item.type) {
    case "message": return { type: "message", data: { ...item.data, id: tag(item.data.id, "msg_") } };
    case "part": return { type: "part", data: { ...item.data, id: tag(item.data.id, "prt_"), messageID: tag(item.data.messageID, "msg_") } };
    case "session": return { type: "session", data: { ...item.data, title: `${item.data.title} (${writerLabel(letter)})` } };
    default: return item;
  }
}
