// One script of calls on the share server's capabilities, run the same way on two storages: the
// better-sqlite3 adapter in Node and the Durable Object adapter inside workerd
// (differential.worker.ts). It records what each call answered (an ack, a value, or a refusal's
// code and message) and, at the end, every row of every server table. The test compares the two
// records: they must be identical, byte for byte once serialized.
import type Database from "better-sqlite3";
import { ShareStore } from "../../src/server/share-store.js";
import { ShareServerTarget, type ReadCap, type ShareCap } from "../../src/server/capabilities.js";
import { OperatorAuth } from "../../src/server/auth.js";
import type { DedupePolicy } from "../../src/server/dedupe.js";
import type { Rng } from "../../src/protocol/ports.js";
import { errorCode } from "../../src/protocol/errors.js";
import type { SqlStore } from "../../src/sqlite/sql-store.js";
import { toSqlStore } from "../../src/sqlite/better-sqlite3-store.js";

/** Both sides create shares as the operator (the token check itself is test/serve-limits.test.ts's and test/workerd-limits.test.ts's). */
const OPERATOR_TOKEN = "differential-operator-token";

/** Which secret a call presents: the share's current one, the one it was created with (stale after a revoke), or a wrong one. */
export type SecretChoice = "current" | "first" | "wrong";
export type ReadHow = "read" | "snapshot" | "cursor" | "epoch" | "shareID" | "readOnly";

/** Indices pick among the shares created and capabilities redeemed so far (modulo their count). */
export type Step =
  | { kind: "create"; session: unknown }
  | { kind: "redeem"; share: number; secret: SecretChoice }
  | { kind: "redeemRaw"; shareID: unknown; secret: unknown }
  | { kind: "append"; cap: number; ops: unknown }
  /** The ops of an earlier append, sent again through another capability: a retry. */
  | { kind: "resend"; cap: number; back: number }
  | { kind: "revoke"; share: number; secret: SecretChoice }
  | { kind: "sync"; share: number; secret: SecretChoice; items: unknown }
  | { kind: "read"; cap: number; how: ReadHow };

export type Outcome = { ok: unknown } | { error: { code: string | null; message: string } } | { skipped: true };

export interface ScriptResult {
  outcomes: Outcome[];
  /** Every row of every table, in primary-key order. */
  tables: Record<string, unknown[]>;
}

const TABLES: Record<string, string> = {
  shares: "SELECT * FROM shares ORDER BY id",
  share_rows: "SELECT * FROM share_rows ORDER BY share_id, key, dup",
  op_ledger: "SELECT * FROM op_ledger ORDER BY share_id, op_id",
  writer_hwm: "SELECT * FROM writer_hwm ORDER BY share_id, writer_id",
};

/** The same ids and secrets on both sides: a counter, not randomness. */
export class CountingRng implements Rng {
  private state = 1;
  private ids = 0;
  next(): number {
    this.state = (this.state * 48271) % 2147483647;
    return this.state / 2147483647;
  }
  int(bound: number): number { return Math.floor(this.next() * bound); }
  chance(p: number): boolean { return p > 0 && this.next() < p; }
  id(prefix: string): string { return `${prefix}${++this.ids}`; }
}

interface Share { id: string; secret: string; first: string }

class Interpreter {
  readonly main: ShareServerTarget;
  private readonly shares: Share[] = [];
  private readonly caps: ShareCap[] = [];
  private readonly sent: unknown[] = [];

  constructor(store: ShareStore) {
    this.main = new ShareServerTarget(store, { operator: new OperatorAuth(OPERATOR_TOKEN) });
  }

  step(s: Step): Outcome {
    try {
      const value = this.call(s);
      return value === SKIPPED ? { skipped: true } : { ok: value };
    } catch (e) {
      return { error: { code: errorCode(e) ?? null, message: e instanceof Error ? e.message : String(e) } };
    }
  }

  private call(s: Step): unknown {
    switch (s.kind) {
      case "create": {
        const info = this.main.createShare(s.session, OPERATOR_TOKEN);
        this.shares.push({ id: info.id, secret: info.secret, first: info.secret });
        return info;
      }
      case "redeem": return this.withShare(s.share, (sh) => this.redeemed(this.main.redeemShare(sh.id, secretOf(sh, s.secret))));
      case "redeemRaw": return this.redeemed(this.main.redeemShare(s.shareID, s.secret));
      case "append": {
        this.sent.push(s.ops);
        return this.withCap(s.cap, (cap) => cap.appendOps(s.ops));
      }
      case "resend": {
        if (this.sent.length === 0) return SKIPPED;
        return this.withCap(s.cap, (cap) => cap.appendOps(this.sent[this.sent.length - 1 - (s.back % this.sent.length)]));
      }
      case "revoke": return this.withShare(s.share, (sh) => {
        const info = this.main.revoke(sh.id, secretOf(sh, s.secret));
        sh.secret = info.secret;
        return info;
      });
      case "sync": return this.withShare(s.share, (sh) => this.main.syncShare(sh.id, secretOf(sh, s.secret), s.items));
      case "read": return this.withCap(s.cap, (cap) => read(cap, s.how));
    }
  }

  private redeemed(cap: ShareCap): unknown {
    this.caps.push(cap);
    return { cap: this.caps.length - 1, epoch: cap.epoch() };
  }

  private withShare(i: number, fn: (share: Share) => unknown): unknown {
    return this.shares.length === 0 ? SKIPPED : fn(this.shares[i % this.shares.length]!);
  }

  private withCap(i: number, fn: (cap: ShareCap) => unknown): unknown {
    return this.caps.length === 0 ? SKIPPED : fn(this.caps[i % this.caps.length]!);
  }
}

const SKIPPED = Symbol("skipped");

function secretOf(share: Share, choice: SecretChoice): string {
  return choice === "current" ? share.secret : choice === "first" ? share.first : `${share.secret}x`;
}

function read(cap: ShareCap, how: ReadHow): unknown {
  switch (how) {
    case "read": return cap.readOnly().read();
    case "snapshot": return cap.snapshot();
    case "cursor": return cap.cursor();
    case "epoch": return cap.epoch();
    case "shareID": return cap.shareID();
    case "readOnly": {
      const ro: ReadCap = cap.readOnly();
      return [ro.cursor(), ro.snapshot()];
    }
  }
}

/** Runs `steps` on a fresh server over `db` (empty): what each call answered, then every table. */
export function runScript(db: Database.Database | SqlStore, policy: DedupePolicy, steps: readonly Step[]): ScriptResult {
  const store = new ShareStore(db, { dedupe: policy, rng: new CountingRng() });
  const interpreter = new Interpreter(store);
  const outcomes = steps.map((s) => interpreter.step(s));
  const sql = toSqlStore(db);
  const tables: Record<string, unknown[]> = {};
  for (const [name, query] of Object.entries(TABLES)) tables[name] = sql.prepare(query).all();
  return { outcomes, tables };
}
