// Scenarios are JSON files under scenarios/, validated here with errors that name the bad field.
import { readFileSync, existsSync, readdirSync } from "node:fs";
import { resolve, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { FaultMix } from "../net/faults.js";
import { WorkloadSpec } from "./workload.js";
import { WritersSpec } from "./writer-workload.js";
import { Synchronous } from "./disk.js";
import { INVARIANT_IDS } from "../check/violations.js";
import { UsageError } from "../errors.js";

export const Design = z.enum(["outbox", "legacy"]);
export type Design = z.infer<typeof Design>;

export const LegacyServer = z.enum(["rmw", "sync"]);
export type LegacyServer = z.infer<typeof LegacyServer>;

export const Scenario = z.object({
  name: z.string().min(1),
  description: z.string().default(""),
  transport: z.enum(["batch", "socket"]).default("batch"),
  design: Design.default("outbox"),
  /**
   * The server `--design legacy` syncs to. "rmw": a model of today's cloudsession server
   * (src/legacy/cloudsession-server.ts), which reads the share's whole record, merges the items and
   * writes it back, with awaits between and no compare-and-set, so overlapping syncs can lose an
   * update. "sync": sturdy's own syncShare, which applies a sync in one SQLite transaction.
   */
  legacyServer: LegacyServer.default("rmw"),
  /** rmw: virtual ms one read or write of a share's record takes (an object store's latency), uniform in [min, max]. */
  legacyStorageMs: z.object({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() }).strict()
    .refine((r) => r.min <= r.max, "min must not exceed max").default({ min: 5, max: 200 }),
  dedupe: z.string().regex(/^(permanent|writer-seq|window\([1-9]\d{0,8}\))$/, "permanent | writer-seq | window(N), 1 ≤ N ≤ 999999999").default("permanent"),
  workload: WorkloadSpec.default({}),
  /** Sessions shared at once, each by its own client (own disk, own writer) to its own share on the one server. */
  sessions: z.number().int().min(1).max(4).default(1),
  /**
   * Several writers per share: each session is written by this many clients (2 or 3: own disk, own
   * writer id, own crashes and connections) that share its one share, or by one spec per writer
   * (`reinstallAfter`: the writer's disk is wiped after these of its op indexes and it starts again
   * as a new writer). Absent: one writer, exactly as before (nothing is drawn for it). See writers.ts.
   */
  writers: WritersSpec.optional(),
  faults: FaultMix.default({}),
  /** Faults stop this many virtual ms after the last user action; then the world must converge. */
  faultTailMs: z.number().int().nonnegative().default(2_000),
  client: z.object({
    timeoutMs: z.number().int().positive().default(500),
    maxBatch: z.number().int().positive().max(256).default(8),
    backoff: z.object({ baseMs: z.number().int().positive(), maxMs: z.number().int().positive() }).strict().default({ baseMs: 50, maxMs: 2_000 }),
    expectCursor: z.boolean().default(false),
    /** Batches in flight at once; > 1 lets batches overtake each other (depends_on keeps order). */
    maxInFlight: z.number().int().positive().max(16).default(1),
  }).strict().default({}),
  /** A hostile viewer tries to append through a read-only capability every this many virtual ms (0: none). */
  viewerEveryMs: z.number().int().nonnegative().default(0),
  /**
   * Honest viewers of the first session's share: each reads (cursor, rows) through a read-only
   * capability every `everyMs` virtual ms over the faulty wire, judged by R1. Absent: none.
   */
  readers: z.object({
    count: z.number().int().min(1).max(4).default(1),
    everyMs: z.number().int().positive(),
    /** A read not answered within this many virtual ms is abandoned. */
    timeoutMs: z.number().int().positive().default(500),
  }).strict().optional(),
  /** Durability of each node's disk (see sim/world/disk.ts). */
  storage: z.object({ client: Synchronous.default("full"), server: Synchronous.default("full") }).strict().default({}),
  /**
   * The exact set of invariants this scenario violates (a scenario that demonstrates a weakness);
   * empty for a healthy one. A run showing any other invariant is a failure.
   */
  expectViolations: z.array(z.enum(INVARIANT_IDS)).default([]),
  /** L1: convergence must follow the last fault within this many virtual ms. */
  livenessMs: z.number().int().positive().default(30_000),
  maxSteps: z.number().int().positive().default(200_000),
}).strict().superRefine((s, ctx) => {
  // Frames exist only inside a long-lived session: an HTTP batch is one request and one response.
  if (s.faults.frames && s.transport !== "socket") {
    ctx.addIssue({ code: "custom", path: ["faults", "frames"], message: "frame faults (the adversarial wire mode) need transport socket" });
  }
  // A revoke or a reshare hands new credentials to the one client that asked: the other writers of
  // the share would be left with dead ones. Not modelled yet, so refused rather than half-done.
  if (s.writers && (s.workload.revokeAfter.length > 0 || s.workload.reshareAfter.length > 0)) {
    ctx.addIssue({ code: "custom", path: ["writers"], message: "several writers per share cannot be combined with workload.revokeAfter or workload.reshareAfter" });
  }
});
export type Scenario = z.infer<typeof Scenario>;

export class ScenarioError extends Error {
  constructor(message: string) { super(message); this.name = "ScenarioError"; }
}

export const SCENARIO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "scenarios");

export function listScenarios(): string[] {
  return readdirSync(SCENARIO_DIR).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
}

/** A scenario by name (scenarios/<name>.json) or by path to a JSON file. */
export function loadScenario(nameOrPath: string): Scenario {
  const path = nameOrPath.endsWith(".json") ? resolve(nameOrPath) : join(SCENARIO_DIR, `${nameOrPath}.json`);
  if (!existsSync(path)) {
    throw new ScenarioError(`unknown scenario "${nameOrPath}" (known: ${listScenarios().join(", ")})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ScenarioError(`scenario ${nameOrPath}: not valid JSON (${(e as Error).message})`);
  }
  return parseScenario(raw, nameOrPath);
}

export function parseScenario(raw: unknown, label = "scenario"): Scenario {
  const parsed = Scenario.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ScenarioError(`scenario ${label}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}

/** The `--legacy-server` option: absent means the scenario's own; anything but a variant's name is a usage error. */
export function parseLegacyServer(text: string | undefined): LegacyServer | undefined {
  if (text === undefined) return undefined;
  const v = LegacyServer.safeParse(text);
  if (!v.success) throw new UsageError(`--legacy-server must be rmw or sync, got "${text}"`);
  return v.data;
}

/** The `--design` option: absent means the scenario's own design; anything but a design's name is a usage error. */
export function parseDesign(text: string | undefined): Design | undefined {
  if (text === undefined) return undefined;
  const d = Design.safeParse(text);
  if (!d.success) throw new UsageError(`--design must be outbox or legacy, got "${text}"`);
  return d.data;
}
