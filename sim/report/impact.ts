// What each invariant means to the person using the product: the loss a reviewer weighs when an
// invariant fails. INVARIANTS (sim/check/violations.ts) says what the checker tests; this says why
// anyone should care. Typed by InvariantId so that a new invariant cannot ship without its words.
import type { InvariantId } from "../check/violations.js";

export const USER_IMPACT: Record<InvariantId, string> = {
  S1: "an edit applied twice: a diff or a message shows up twice, or an older edit lands again over a newer one",
  S2: "the share or the client goes back in time: readers see rows vanish and come back, the client re-sends or skips work",
  S3: "an edit lands before the one it builds on: a newer value is overwritten by an older one, a part appears without its message",
  S4: "someone without write access (a read-only viewer, a revoked link) changed the shared session",
  S5: "after a crash the client and server disagree on what was delivered: work is sent again (risking a double-apply) or never sent",
  A1: "the client was told an edit landed when it did not: it stops retrying and the edit is silently missing",
  D1: "the user was told their work was saved, and it was lost",
  C1: "the shared session differs from what the user has: messages or diffs missing or stale",
  C2: "readers see the wrong agent or model on the user's last message",
  H1: "the shared session is not what the server's own order of edits makes it: an edit acknowledged to one device is missing, one device's edits land out of its order, or a row holds an edit other than the one applied last",
  T1: "readers see a turn that makes no sense: a reply with no question, a part with no message, a finished answer whose tool call still spins, or a finished turn that changed afterwards",
  R1: "a viewer sees a state the share never had (rows that do not match the cursor shown), or sees the share go back in time after a reconnect",
  F1: "the client believed an answer meant for another call: what it records as delivered rests on a broken session's word",
  L1: "the share never catches up: the user's edits stay unsent and readers see a frozen session",
};

/** The user's loss for an invariant id (ids from data files are plain strings). */
export function userImpact(id: string): string {
  return (USER_IMPACT as Record<string, string>)[id] ?? "see the invariant's definition";
}
