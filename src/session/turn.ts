// A turn: one user message and the assistant reply it starts. Its lifecycle is
// streaming → completed | failed | aborted, and the transition happens exactly once.
export const TURN_OUTCOMES = ["completed", "failed", "aborted"] as const;
export type TurnOutcome = (typeof TURN_OUTCOMES)[number];
export type TurnStatus = "streaming" | TurnOutcome;

export interface Turn {
  /** A turn is named by the user message that starts it. */
  id: string;
  sessionID: string;
  userMessageID: string;
  assistantMessageID: string;
  status: TurnStatus;
  /** The assistant message was dropped before it was ever shared: the share never sees it. */
  assistantDropped: boolean;
}

export function isTurnOutcome(value: unknown): value is TurnOutcome {
  return typeof value === "string" && (TURN_OUTCOMES as readonly string[]).includes(value);
}
