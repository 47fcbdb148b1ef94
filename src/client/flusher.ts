// Drains the outbox: each batch is ONE pipelined round trip `redeemShare(id, secret).appendOps(batch)`,
// retried with backoff until acked. By default one batch is in flight at a time; with
// `maxInFlight` > 1 batches may overtake each other, and depends_on keeps the server's order.
import type { RpcStub } from "capnweb";
import type { Ack, Op } from "../protocol/envelope.js";
import type { ShareCapApi } from "../protocol/api.js";
import type { Clock, Rng, TimerHandle } from "../protocol/ports.js";
import { errorCode } from "../protocol/errors.js";
import { isPermanentError } from "../protocol/retryable.js";
import { Outbox, type Credentials, type ReservedBatch } from "./outbox.js";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.js";
import type { Connector } from "./connector.js";
import { withTimeout } from "./timeout.js";
import { ackOfBatch } from "./answer.js";
import type { Probe } from "../protocol/probe.js";

export interface FlusherOptions {
  maxBatch: number;
  timeoutMs: number;
  backoff: BackoffPolicy;
  /** Stamp the first op of each batch with the watermark as an optimistic precondition. */
  expectCursor: boolean;
  /** Batches in flight at once (pipelining). Only 1 makes sense with expectCursor. */
  maxInFlight?: number;
}

export const DEFAULT_FLUSHER: FlusherOptions = { maxBatch: 8, timeoutMs: 500, backoff: DEFAULT_BACKOFF, expectCursor: false, maxInFlight: 1 };

export type FlushEvent =
  | { kind: "send"; batchID: string; shareID: string; opIDs: string[]; resend: boolean }
  | { kind: "ack"; batchID: string; shareID: string; ack: Ack }
  | { kind: "error"; batchID: string; shareID: string; error: string; permanent: boolean };

export class Flusher {
  private inFlight = 0;
  private stopped = false;
  private wake: TimerHandle | undefined;

  constructor(
    private readonly outbox: Outbox,
    private readonly connector: Connector,
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly options: FlusherOptions = DEFAULT_FLUSHER,
    private readonly onEvent?: (e: FlushEvent) => void,
    private readonly probe?: Probe,
  ) {}

  /** Something changed (enqueue, new credentials, restart): flush as soon as possible. */
  kick(): void {
    this.schedule(this.clock.now());
  }

  /** The node crashed: no continuation of this object may touch anything again. */
  stop(): void {
    this.stopped = true;
    if (this.wake) this.clock.clearTimer(this.wake);
  }

  private schedule(at: number | undefined): void {
    if (this.stopped || at === undefined) return;
    if (this.wake) this.clock.clearTimer(this.wake);
    this.wake = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => {
      this.wake = undefined;
      this.flushOnce().catch((e: unknown) => {
        if (!this.stopped) throw e; // a crash unwinds through here; anything else is a bug
      });
    });
  }

  private async flushOnce(): Promise<void> {
    const sends: Promise<void>[] = [];
    while (!this.stopped && this.inFlight < (this.options.maxInFlight ?? 1)) {
      const creds = this.outbox.credentials();
      if (!creds) break;
      const batch = this.outbox.reserveBatch(this.clock.now(), this.options.maxBatch);
      if (this.stopped) return; // crashed at the reservation probe
      if (!batch) {
        if (this.inFlight === 0) this.schedule(this.outbox.nextWakeAt(this.clock.now()));
        break;
      }
      this.inFlight += 1;
      sends.push(this.send(batch, creds));
    }
    await Promise.all(sends);
  }

  private async send(batch: ReservedBatch, creds: Credentials): Promise<void> {
    const expected = this.options.expectCursor ? this.outbox.watermark() : undefined;
    const ops = batch.rows.map((row, i) => Outbox.envelope(row, creds.epoch, i === 0 ? expected : undefined));
    this.onEvent?.({ kind: "send", batchID: batch.batchID, shareID: creds.shareID, opIDs: ops.map((o) => o.op_id), resend: batch.resend });
    let cap: RpcStub<ShareCapApi> | undefined;
    try {
      cap = this.connector.main().redeemShare(creds.shareID, creds.secret) as unknown as RpcStub<ShareCapApi>;
      const call = cap.appendOps(ops);
      this.probe?.("client.send.issued");
      const answer = await withTimeout(call, this.options.timeoutMs, this.clock);
      if (this.stopped) return;
      const ack = this.acceptAnswer(answer, ops);
      if (this.outbox.leftShare(creds.shareID)) this.outbox.requeue(batch, "ShareReplaced");
      else this.outbox.recordAck(batch, ack, this.retryAt(batch));
      this.onEvent?.({ kind: "ack", batchID: batch.batchID, shareID: creds.shareID, ack });
    } catch (e) {
      if (this.stopped) return;
      this.fail(batch, creds.shareID, e);
    } finally {
      disposeQuietly(cap);
      this.inFlight -= 1;
    }
    this.schedule(this.outbox.nextWakeAt(this.clock.now()));
  }

  private fail(batch: ReservedBatch, shareID: string, e: unknown): void {
    if (this.sessionBroken(e)) this.connector.abort(e);
    const code = errorCode(e);
    const permanent = isPermanentError(code);
    const message = code ?? (e instanceof Error ? e.message : String(e));
    // An old share's refusal (a reshare revoked it) is no reason to give up on the rows.
    if (this.outbox.leftShare(shareID)) this.outbox.requeue(batch, message);
    else this.outbox.recordFailure(batch, message, this.retryAt(batch), permanent);
    this.onEvent?.({ kind: "error", batchID: batch.batchID, shareID, error: message, permanent });
  }

  /** The answer as this batch's ack; an UnexpectedAnswer when it is not one (answer.ts says why). */
  protected acceptAnswer(answer: unknown, ops: readonly Op[]): Ack {
    return ackOfBatch(answer, ops);
  }

  /**
   * Whether a failed call leaves its session unfit for the next one. Only the server's typed
   * refusals (an ErrorCode) are answers. Anything else (no answer in time, a lost connection, an
   * answer that is not this batch's, an error from RPC numbers a broken transport put out of step)
   * means the session can no longer be trusted to pair answers with calls: it is aborted, and the
   * retry opens a fresh one. Kept open, it would fail every call after it for good.
   */
  protected sessionBroken(e: unknown): boolean {
    return errorCode(e) === undefined;
  }

  private retryAt(batch: ReservedBatch): number {
    const attempts = Math.max(...batch.rows.map((r) => r.attempts)) + 1;
    return this.clock.now() + backoffDelay(this.options.backoff, attempts, this.rng);
  }
}

function disposeQuietly(stub: { [Symbol.dispose]?: () => void } | undefined): void {
  try { stub?.[Symbol.dispose]?.(); } catch { /* the session may already be gone */ }
}
