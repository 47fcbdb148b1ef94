// A node's disk. `synchronous` is data: with `full` every commit is durable; with `normal` or `off`
// only the image at the last durable point (a checkpoint) survives a power loss, so commits after
// it (and any acks sent for them) are lost — exactly what an ack-before-fsync node risks.
import type Database from "better-sqlite3";
import { z } from "zod";
import { openDatabase } from "../../src/server/share-server.js";

export const Synchronous = z.enum(["full", "normal", "off"]);
export type Synchronous = z.infer<typeof Synchronous>;

/** Virtual ms between durable points when commits are not synced one by one. */
export const CHECKPOINT_MS: Record<Synchronous, number | undefined> = { full: undefined, normal: 200, off: 2_000 };

/** A fresh disk starts as an image with the schema already in it: copying it is ~5× cheaper than DDL. */
const templates = new Map<string, Buffer>();
function template(schema: string): Buffer {
  let image = templates.get(schema);
  if (!image) {
    const db = openDatabase();
    db.exec(schema);
    image = db.serialize();
    db.close();
    templates.set(schema, image);
  }
  return image;
}

/**
 * Connections with the schema and no rows, kept per thread for the next run's first boots: a fresh
 * disk is most of what a run opens, and a pooled connection comes with the statements the last run
 * prepared on it (sim/world/crashing-db.ts, sim/check/sql.ts). Emptying it leaves no trace a run can
 * see: every row goes, `sqlite_sequence` included, so AUTOINCREMENT and rowids start over (the
 * determinism tests compare trace hashes of fresh and reused connections).
 */
const POOL_SIZE = 8;
const pools = new Map<string, Database.Database[]>();
const pooled = new WeakSet<Database.Database>();
/** An image's content key, computed once per image (exploration asks at every step). */
const contentKeys = new WeakMap<Buffer, string>();

function takeEmpty(schema: string): Database.Database {
  const db = pools.get(schema)?.pop() ?? openDatabase(template(schema));
  pooled.add(db);
  return db;
}

/** Empties a pooled connection and keeps it, or closes any other. */
function retire(db: Database.Database, schema: string): void {
  if (!db.open) return;
  let pool = pools.get(schema);
  if (!pool) pools.set(schema, (pool = []));
  if (!pooled.has(db) || db.inTransaction || pool.length >= POOL_SIZE) {
    db.close();
    return;
  }
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  db.exec(tables.map((t) => `DELETE FROM "${t}";`).join(""));
  pool.push(db);
}

export class Disk {
  private durable: Buffer | undefined;

  constructor(readonly synchronous: Synchronous, private readonly schema: string) {}

  /** The node's database: an empty pooled one on a first boot, else the durable image. */
  open(): Database.Database {
    return this.durable ? openDatabase(this.durable) : takeEmpty(this.schema);
  }

  /** The run is over (or the node crashed and its image is saved): give the connection up. */
  release(db: Database.Database): void {
    retire(db, this.schema);
  }

  /**
   * What the disk holds, as rows: exploration's state key. Not its bytes: a pooled connection's
   * free pages depend on the run before, so equal contents can differ as images.
   */
  contentKey(dump: (db: Database.Database) => string): string {
    const image = this.durable;
    if (!image) return "empty";
    let key = contentKeys.get(image);
    if (key === undefined) contentKeys.set(image, (key = this.peek(dump)));
    return key;
  }

  /** Reads what the disk holds now (a node that is down), through a throwaway copy. */
  peek<T>(read: (db: Database.Database) => T): T {
    const db = openDatabase(this.durable ?? template(this.schema));
    try {
      return read(db);
    } finally {
      db.close();
    }
  }

  /** The disk is wiped (an uninstall): the next boot finds it empty. Only while the node is down. */
  wipe(): void {
    this.durable = undefined;
  }

  /** A durable point: everything committed so far reaches the platter. */
  checkpoint(db: Database.Database): void {
    this.durable = db.serialize();
  }

  /**
   * The node stops. A process crash keeps every commit (the OS still has the pages); a power loss
   * keeps only the last durable image unless every commit was synced. Returns whether data was lost.
   */
  crash(db: Database.Database, powerLoss: boolean): boolean {
    const lossy = powerLoss && this.synchronous !== "full";
    if (!lossy) this.durable = db.serialize();
    this.release(db);
    return lossy;
  }
}
