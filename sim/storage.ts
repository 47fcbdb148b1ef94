// A node's disk. `synchronous` is data: with `full` every commit is durable; with `normal` or `off`
// only the image at the last durable point (a checkpoint) survives a power loss, so commits after
// it (and any acks sent for them) are lost — exactly what an ack-before-fsync node risks.
import type Database from "better-sqlite3";
import { z } from "zod";
import { openDatabase } from "../src/server/share-server.js";

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

export class Disk {
  private durable: Buffer | undefined;

  constructor(readonly synchronous: Synchronous, private readonly schema: string) {}

  open(): Database.Database {
    return openDatabase(this.durable ?? template(this.schema));
  }

  /** Reads what the disk holds now (a node that is down), through a throwaway copy. */
  peek<T>(read: (db: Database.Database) => T): T {
    const db = this.open();
    try {
      return read(db);
    } finally {
      db.close();
    }
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
    db.close();
    return lossy;
  }
}
