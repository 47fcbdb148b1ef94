// One outbox client on the real wire, as the real-wire tests run it: its SQLite file, Flusher and
// connector over HTTP batch or WebSocket. `crash()` drops every JS object; the file stays, and a new
// node on the same path recovers from it.
import type Database from "better-sqlite3";
import { Outbox } from "../../src/client/outbox.js";
import { Flusher, type FlushEvent, type FlusherOptions } from "../../src/client/flusher.js";
import type { ShareInfo } from "../../src/protocol/api.js";
import { SystemClock, SystemRng } from "../../src/runtime/system-clock.js";
import { openFileDatabase } from "../../src/runtime/sqlite.js";
import { HttpBatchConnector, WebSocketConnector } from "../../src/runtime/connectors.js";
import type { ServeInfo } from "./serve-process.js";

export type Transport = "http-batch" | "websocket";

export class RealClientNode {
  readonly clock = new SystemClock();
  readonly rng = new SystemRng();
  readonly db: Database.Database;
  readonly outbox: Outbox;
  readonly connector: HttpBatchConnector | WebSocketConnector;
  readonly flusher: Flusher;
  private down = false;

  constructor(path: string, transport: Transport, info: ServeInfo, share: ShareInfo, options: FlusherOptions, onEvent: (e: FlushEvent, node: RealClientNode) => void) {
    this.db = openFileDatabase(path);
    this.outbox = new Outbox(this.db, this.rng);
    this.outbox.recoverAfterRestart();
    this.outbox.setCredentials(share);
    this.connector = transport === "http-batch" ? new HttpBatchConnector(info.rpc) : new WebSocketConnector(info.ws);
    this.flusher = new Flusher(this.outbox, this.connector, this.clock, this.rng, options, (e) => onEvent(e, this));
  }

  /** The flusher stops at once (a reply still on the wire is never recorded); sockets and db go later. */
  stopFlusher(): void {
    this.flusher.stop();
  }

  crash(): void {
    if (this.down) return;
    this.down = true;
    this.flusher.stop();
    this.clock.clearAll();
    this.connector.close();
    this.db.close();
  }
}
