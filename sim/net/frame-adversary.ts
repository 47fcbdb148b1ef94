// The adversarial wire mode: a broken proxy inside a live socket session. It drops a single frame
// (the connection stays up and later frames still arrive), delivers one twice, or holds one back so
// that later frames of the same direction overtake it. capnweb numbers its imports and exports by
// the order of pushes and trusts the transport to be reliable and FIFO, so none of this is
// something it promises to survive: what the product must do is fail closed (the session is
// aborted or the call errors; nothing is applied twice; nothing acked is lost). Opt-in: only a
// fault mix with `frames` (faults.ts) ever reaches these rolls.
import type { FrameFaults } from "./faults.js";
import type { Network } from "./network.js";

/** A held frame waits this long on top of its latency: the frames sent right after it (the rest of a call) overtake it. */
const REORDER_HOLD_MS = { min: 5, spread: 100 };

export type FrameFate =
  | { kind: "pass" }
  | { kind: "drop" }
  | { kind: "duplicate" }
  | { kind: "reorder"; holdMs: number };

const PASS: FrameFate = { kind: "pass" };

/** What the adversary does to one frame about to go out on `channel` (a socket direction). */
export function frameFate(network: Network, frames: FrameFaults | undefined, channel: string, message: string, site: string): FrameFate {
  if (!frames) return PASS;
  const { gate, rng } = network.ctx;
  const what = `${channel} ${frameKind(message)}`;
  if (gate.roll("frameDrop", frames.drop, what, site)) {
    network.record("net", "frame-drop", what);
    return { kind: "drop" };
  }
  if (gate.roll("frameDuplicate", frames.duplicate, what, site)) {
    network.record("net", "frame-duplicate", what);
    return { kind: "duplicate" };
  }
  if (gate.roll("frameReorder", frames.reorder, what, site)) {
    const { min, spread } = REORDER_HOLD_MS;
    const holdMs = gate.pick(`frame-hold@${channel}`, [min, min + spread - 1], () => min + rng.int(spread));
    network.record("net", "frame-reorder", `${what} held ${holdMs}ms`);
    return { kind: "reorder", holdMs };
  }
  return PASS;
}

/** capnweb's message type (push, pull, resolve, reject, release, abort), for the trace. */
export function frameKind(message: string): string {
  return /^\["([a-z]+)"/.exec(message)?.[1] ?? "frame";
}

/**
 * How a session the adversary hit came to an end, from the reason it was severed (sim/net and
 * sim/world word these): capnweb itself aborted it (either end met a frame that made no sense for
 * its import/export tables), the client refused an answer that was not its batch's ack, a call
 * got no answer in time (a lost frame), the client gave it up after another untyped error, or it
 * ended for a reason of its own (a crash, the end of the run) with the faults it took doing no harm.
 */
export type SessionEnd = "capnweb-abort" | "answer-refused" | "timed-out" | "call-error" | "ended-otherwise";

export const SESSION_ENDS: readonly SessionEnd[] = ["capnweb-abort", "answer-refused", "timed-out", "call-error", "ended-otherwise"];

export function sessionEnd(why: string): SessionEnd {
  if (why.startsWith("aborted:")) return "capnweb-abort";
  if (!why.startsWith("client gave up:") || why.endsWith("crashed")) return "ended-otherwise";
  if (why.includes("unexpected answer")) return "answer-refused";
  return why.includes("timed out") ? "timed-out" : "call-error";
}
