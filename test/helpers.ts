// Shared fixtures: a real server on an in-memory SQLite db behind a real capnweb session.
import type { RpcStub } from "capnweb";
import { openDatabase, ShareServer } from "../src/server/share-server.js";
import { parsePolicy, type DedupePolicy } from "../src/server/dedupe.js";
import type { ServerEvent } from "../src/server/share-store.js";
import type { ShareServerApi } from "../src/protocol/api.js";
import type { Op } from "../src/protocol/envelope.js";
import type { SyncItem } from "../src/protocol/items.js";
import { formatOpId } from "../src/protocol/op-id.js";
import { SimRng } from "../sim/world/rng.js";
import { directPair } from "../sim/net/direct-pair.js";
import { expect } from "vitest";
import { SturdyError, type ErrorCode } from "../src/protocol/errors.js";
import { OperatorAuth } from "../src/server/auth.js";

/** The operator token of serverFixture's server: createShare needs it. */
export const OPERATOR_TOKEN = "operator-token-of-the-test-fixture";

export function serverFixture(policy: DedupePolicy | string = "permanent") {
  const db = openDatabase();
  const events: ServerEvent[] = [];
  const server = new ShareServer(db, {
    dedupe: typeof policy === "string" ? parsePolicy(policy) : policy,
    rng: new SimRng(1, "server"),
    observer: (e) => void events.push(e),
  });
  const pair = directPair<ShareServerApi>(server.main({ operator: new OperatorAuth(OPERATOR_TOKEN) }));
  const share = server.store.createShare("ses_1");
  return { db, server, events, share, rpc: pair.main as RpcStub<ShareServerApi>, close: pair.close };
}

export function part(id: string, version: number): SyncItem {
  return { type: "part", data: { id, messageID: "msg_1", text: `v${version}`, version } };
}

export function op(seq: number, item: SyncItem, extra: Partial<Op> = {}): Op {
  return {
    op_id: formatOpId("w1", seq),
    batch_id: "w1/b1",
    seq: seq - 1,
    writer_id: "w1",
    writer_seq: seq,
    depends_on: [],
    capability_epoch: 0,
    item,
    ...extra,
  };
}

/** Every row of every table: "changes nothing" means this is byte-for-byte equal. */
export function dump(db: ReturnType<typeof openDatabase>): string {
  return Buffer.from(db.serialize()).toString("base64");
}

/** The SturdyError `fn` throws: its code, and its message without the code it starts with. */
export function refusal(fn: () => unknown): { code: ErrorCode; message: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SturdyError);
    const err = e as SturdyError;
    expect(err.message.startsWith(`${err.code}: `)).toBe(true);
    return { code: err.code, message: err.message.slice(err.code.length + 2) };
  }
  throw new Error("expected a refusal");
}
