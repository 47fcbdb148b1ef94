// A key for "the same world state", used by exploration to prune revisits. Pruning a state is only
// sound if everything that can change the world's future is in its key, so the key is derived from
// the world's whole mutable state rather than a hand-picked list: every table of both databases,
// the position of every random stream, every pending timer and packet (with the data a packet
// carries), and every object of the world walked field by field (nodes, transports, user, checker,
// lifecycle, fault injector). What is left out is said below, with why. An over-precise key costs
// states; an under-precise one makes "complete" a lie, and the differential test
// (test/explore-differential.test.ts) checks pruning changes no verdict.
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { Network } from "../net/network.js";
import { VirtualClock } from "./clock.js";
import { SimRng } from "./rng.js";
import { FaultGate } from "../net/fault-gate.js";
import { Disk } from "./disk.js";

export interface StateParts {
  /**
   * Absolute virtual time and scheduler steps: the fault horizon, the run's deadline, the liveness
   * bound and `maxSteps` all compare against them, so equal states at different times may differ.
   */
  now: number;
  step: number;
  /** When the last fault fired (the liveness bound runs from it). */
  lastFaultAt: number;
  clock: VirtualClock;
  network: Network;
  /** The root of the world's random streams: every stream forked from it is keyed. */
  rng: SimRng;
  databases: Record<string, Database.Database | undefined>;
  /** The world's objects, walked field by field. */
  memory: Record<string, unknown>;
  /** Objects that only record what happened (coverage): reachable from `memory`, but not state. */
  records?: readonly object[];
}

/** Marks the databases dumped under a name, so the walker need not dump them again (see Walker.special). */
const DUMPED = Symbol("state-key: dumped as");
let keying = 0;

export function stateKeyOf(p: StateParts): string {
  keying += 1;
  const out: string[] = [`t=${p.now} step=${p.step} lastFault=${p.lastFaultAt}`];
  for (const [name, db] of Object.entries(p.databases)) {
    out.push(`${name}:${dumpDatabase(db)}`);
    if (db) (db as unknown as Record<symbol, unknown>)[DUMPED] = `${name}#${keying}`;
  }
  out.push(p.rng.positions().join("|"), p.clock.pending().join("|"), p.network.backlog(p.now).join("|"));
  const walker = new Walker(out, p);
  walker.walk(p.network.inFlightPackets(p.now));
  walker.walk(p.memory);
  return createHash("sha1").update(out.join("\n")).digest("hex");
}

/** Per database: its table list (re-read every time: a table may appear later) and a read per table. */
const dumps = new WeakMap<Database.Database, { tables: Database.Statement; seen: string; reads: Database.Statement[] }>();

/** Every table, every row (rowid included: it is what the next insert continues from). */
function dumpDatabase(db: Database.Database | undefined): string {
  if (!db) return "down";
  let d = dumps.get(db);
  if (!d) dumps.set(db, (d = { tables: db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"), seen: "", reads: [] }));
  const tables = d.tables.all() as { name: string; sql: string | null }[];
  const seen = JSON.stringify(tables);
  if (seen !== d.seen) {
    d.seen = seen;
    d.reads = tables.map((t) => db.prepare(/WITHOUT\s+ROWID/i.test(t.sql ?? "") ? `SELECT * FROM "${t.name}"` : `SELECT rowid AS _rowid, * FROM "${t.name}" ORDER BY rowid`));
  }
  return d.reads.map((r) => `${r.source}\n${JSON.stringify(r.raw().all())}`).join("\n");
}

/**
 * Writes any value reachable from the roots: primitives, arrays, maps, sets, byte arrays, and every
 * own data field of every other object, in order; an object met again is written as a reference
 * to its first visit. Left out, each for a reason:
 * - getters are not called (lazy prepared statements would be made by reading them);
 * - a function is written only as present (its code is fixed; the data it closes over is reached
 *   through the objects that own it, or through a packet's `holds`);
 * - an Error's stack (it names the call path, not the state);
 * - objects keyed in their own right above: databases, the clock, the network, the random streams;
 * - the fault gate: what it keeps is a log of faults taken (for reports), except `lastAt`, keyed above;
 *   it also leads to the explorer itself;
 * - `records` (coverage counters).
 */
class Walker {
  private readonly seen = new Map<object, number>();
  private readonly records: ReadonlySet<object>;

  constructor(private readonly out: string[], private readonly p: StateParts) {
    this.records = new Set(p.records ?? []);
  }

  walk(v: unknown): void {
    if (v === null) this.out.push("null");
    else if (typeof v === "function") this.out.push("fn");
    else if (typeof v === "object") this.object(v);
    else if (typeof v === "string") this.out.push(JSON.stringify(v));
    else this.out.push(`${typeof v}:${String(v)}`);
  }

  private object(o: object): void {
    const ref = this.seen.get(o);
    if (ref !== undefined) return void this.out.push(`@${ref}`);
    this.seen.set(o, this.seen.size);
    const special = this.special(o);
    if (special !== undefined) this.out.push(special);
    else if (Array.isArray(o)) this.list("[", o);
    else if (o instanceof Map) this.list("Map[", [...o].flat());
    else if (o instanceof Set) this.list("Set[", [...o]);
    else if (ArrayBuffer.isView(o)) this.out.push(`bytes:${createHash("sha1").update(new Uint8Array(o.buffer, o.byteOffset, o.byteLength)).digest("hex")}`);
    else this.fields(o);
  }

  private special(o: object): string | undefined {
    if (o instanceof Database) {
      // The product may hold a node's database through a wrapper (a Proxy, which forwards the
      // mark): one marked during this keying was dumped above. Any other is dumped here.
      const dumped = (o as unknown as Record<symbol, unknown>)[DUMPED];
      return typeof dumped === "string" && dumped.endsWith(`#${keying}`) ? `db:${dumped.split("#")[0]}` : `db:${dumpDatabase(o)}`;
    }
    if (o instanceof Disk) return `disk:${o.synchronous}:${o.contentKey(dumpDatabase)}`;
    if (o instanceof VirtualClock || o instanceof Network || o instanceof SimRng || o instanceof FaultGate) return o.constructor.name;
    if (this.records.has(o)) return "record";
    return this.p.clock.describeHandle(o);
  }

  /**
   * A node whose disk syncs every commit is up: the image on its disk was taken at its last crash
   * and will be overwritten at the next one before anything reads it (dead data, left out so that
   * paths crashing at different points can meet again). Down, that image is the node's state.
   */
  private deadImage(owner: object, value: unknown): boolean {
    return value instanceof Disk && value.synchronous === "full" && (owner as { db?: unknown }).db !== undefined;
  }

  private list(open: string, items: unknown[]): void {
    this.out.push(open);
    for (const item of items) this.walk(item);
    this.out.push("]");
  }

  private fields(o: object): void {
    this.out.push(`${o.constructor?.name ?? "Object"}{`);
    for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(o))) {
      if (!("value" in d) || (key === "stack" && o instanceof Error)) continue;
      this.out.push(key);
      if (this.deadImage(o, d.value)) this.out.push("disk:full,up");
      else this.walk(d.value);
    }
    this.out.push("}");
  }
}
