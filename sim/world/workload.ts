// What the user does: an opencode-like session. Turns start with a user message carrying agent and
// model; the assistant streams parts that are updated several times; diffs are shared now and then.
// The workload is generated up front from its own rng stream, so faults never change it.
import { z } from "zod";
import type { SyncItem } from "../../src/protocol/items.js";
import { modelKey } from "../model/reference.js";
import type { SimRng } from "./rng.js";

export const WorkloadSpec = z.object({
  /** Stop generating once this many ops exist. */
  ops: z.number().int().positive().max(100_000).default(50),
  /** Parts per assistant message, and how many times each part is rewritten while streaming. */
  partsPerTurn: z.object({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() }).strict().default({ min: 1, max: 3 }),
  partUpdates: z.object({ min: z.number().int().positive(), max: z.number().int().positive() }).strict().default({ min: 1, max: 3 }),
  /** Chance that a turn ends with a session_diff. */
  diffChance: z.number().min(0).max(1).default(0.4),
  /** Virtual ms between consecutive user actions. */
  spacingMs: z.object({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() }).strict().default({ min: 5, max: 60 }),
  /** Revoke the share (and hand the client new credentials) after these op indexes. */
  revokeAfter: z.array(z.number().int().nonnegative()).default([]),
  /**
   * Unshare the session and share it afresh after these op indexes (opencode's unshare, then share):
   * the old share is revoked, a new one is created, and the app syncs the session's whole current
   * state into it, while ops still queued for the old share go to the new one under their old op_ids.
   */
  reshareAfter: z.array(z.number().int().nonnegative()).default([]),
  /**
   * The client exits normally after these op indexes (the app is closed, opencode disposes its
   * instance) and starts again `exitDownMs` of virtual time later. A clean exit is a fault too:
   * whatever the client keeps only in memory is gone, though nothing crashed.
   */
  exitAfter: z.array(z.number().int().nonnegative()).default([]),
  exitDownMs: z.number().int().nonnegative().default(3_000),
  /**
   * Each op depends on the previous op that wrote the same share row (a part's earlier version, the
   * message's streaming state), so the server applies writes to one row in order even when batches
   * overtake each other. Off, pipelined batches can leave a row at an older value.
   */
  causalDeps: z.boolean().default(true),
  /** Chance that a part is a tool call (pending → running → completed | error) rather than text. */
  toolChance: z.number().min(0).max(1).default(0.3),
  /** Chance that the user switches model (or agent) before a turn; otherwise the turn keeps the last one. */
  modelSwitch: z.number().min(0).max(1).default(0.3),
  /** Chance that a turn fails or is aborted instead of completing, and that its assistant message is dropped. */
  turnFailure: z.number().min(0).max(1).default(0.1),
  dropAssistant: z.number().min(0).max(1).default(0.1),
}).strict();
export type WorkloadSpec = z.infer<typeof WorkloadSpec>;

export type Action =
  | { kind: "enqueue"; at: number; index: number; item: SyncItem; dependsOn: number[] }
  | { kind: "revoke"; at: number }
  | { kind: "reshare"; at: number }
  | { kind: "exit"; at: number; downForMs: number };

export const AGENTS = ["build", "plan", "general"] as const;
export const MODELS = ["anthropic/claude-sonnet", "openai/gpt-5", "google/gemini-pro"] as const;
export const TOOLS = ["bash", "read", "edit", "grep"] as const;

/**
 * A tool call's status at update `v` of `updates`: it is announced pending, runs, and its last
 * update finishes it (completed, or now and then an error). A call whose turn ends first is left
 * unfinished here: the session model must end it (as an error) with the turn.
 */
function toolStatus(v: number, updates: number, rng: SimRng): "pending" | "running" | "completed" | "error" {
  if (v === 0) return "pending";
  if (v < updates - 1 || updates < 3) return "running";
  return rng.chance(0.2) ? "error" : "completed";
}

export function generateWorkload(spec: WorkloadSpec, rng: SimRng, sessionID = "ses_1"): Action[] {
  const actions: Action[] = [];
  let at = 0;
  let index = 0;
  const between = (r: { min: number; max: number }) => r.min + rng.int(Math.max(0, r.max - r.min) + 1);
  const lastWriter = new Map<string, number>();
  const push = (item: SyncItem, dependsOn: number[] = []): number => {
    at += between(spec.spacingMs);
    const i = index++;
    const deps = new Set(dependsOn);
    const key = modelKey(item);
    const prev = lastWriter.get(key);
    if (spec.causalDeps && prev !== undefined) deps.add(prev);
    lastWriter.set(key, i);
    actions.push({ kind: "enqueue", at, index: i, item, dependsOn: [...deps].sort((a, b) => a - b) });
    if (spec.revokeAfter.includes(i)) actions.push({ kind: "revoke", at: at + 1 });
    if (spec.reshareAfter.includes(i)) actions.push({ kind: "reshare", at: at + 1 });
    if (spec.exitAfter.includes(i)) {
      actions.push({ kind: "exit", at: at + 1, downForMs: spec.exitDownMs });
      // The user comes back with the app: later actions (and the fault horizon) follow the restart.
      at += 1 + spec.exitDownMs;
    }
    return i;
  };
  const full = () => index >= spec.ops;

  push({ type: "session", data: { id: sessionID, title: "sim session" } });
  let turn = 0;
  let choice = { agent: rng.pick(AGENTS), model: rng.pick(MODELS) };
  while (!full()) {
    turn += 1;
    // Users mostly keep their model and agent; now and then they switch mid-session.
    if (turn > 1 && rng.chance(spec.modelSwitch)) choice = { agent: rng.pick(AGENTS), model: rng.pick(MODELS) };
    const userID = `msg_${String(turn).padStart(4, "0")}_u`;
    const user = push({ type: "message", data: { id: userID, sessionID, role: "user", agent: choice.agent, model: choice.model } });
    if (full()) break;
    // Some turns die before the assistant says anything: its message is dropped, never shared.
    if (rng.chance(spec.dropAssistant)) continue;
    const assistantID = `msg_${String(turn).padStart(4, "0")}_a`;
    const assistant = push({ type: "message", data: { id: assistantID, sessionID, role: "assistant", status: "streaming" } }, [user]);
    const parts = between(spec.partsPerTurn);
    for (let p = 0; p < parts && !full(); p++) {
      const partID = `prt_${turn}_${p}`;
      const updates = between(spec.partUpdates);
      const tool = rng.chance(spec.toolChance) ? rng.pick(TOOLS) : undefined;
      let text = "";
      for (let v = 0; v < updates && !full(); v++) {
        text += rng.id(" ");
        const data = { id: partID, messageID: assistantID, text, version: v };
        push({ type: "part", data: tool ? { ...data, tool: { name: tool, status: toolStatus(v, updates, rng) } } : data }, [assistant]);
      }
    }
    if (full()) break;
    const outcome = rng.chance(spec.turnFailure) ? rng.pick(["failed", "aborted"] as const) : "completed";
    push({ type: "message", data: { id: assistantID, sessionID, role: "assistant", status: outcome } }, [assistant]);
    if (!full() && rng.chance(spec.diffChance)) {
      const files = 1 + rng.int(3);
      const diffs = Array.from({ length: files }, () => ({ file: `src/file${rng.int(6)}.ts`, additions: rng.int(50), deletions: rng.int(20) }));
      const unique = [...new Map(diffs.map((d) => [d.file, d])).values()];
      push({ type: "session_diff", data: { sessionID, diffs: unique } });
    }
  }
  return actions;
}

/**
 * Swarm's workload dimension. opencode's stream of part updates carries no depends_on, and a
 * reordering bug hides behind dependencies (the server holds the early op back and the retry
 * mends the order). With one batch in flight order must hold without them, so there swarm drops
 * them for half the seeds; with several in flight they are what keeps order, and stay.
 */
export function sampleSwarmWorkload(rng: SimRng, spec: WorkloadSpec, maxInFlight: number): WorkloadSpec {
  if (!spec.causalDeps || maxInFlight > 1) return spec;
  return { ...spec, causalDeps: rng.chance(0.5) };
}
