// Exponential backoff with seeded "equal jitter": half fixed, half random, capped.
import type { Rng } from "../protocol/ports.js";

export interface BackoffPolicy { baseMs: number; maxMs: number }

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 50, maxMs: 2_000 };

export function backoffDelay(policy: BackoffPolicy, attempts: number, rng: Rng): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.floor(exp / 2 + rng.next() * (exp / 2));
}
