// One load run: the server and its chaos loop, the honest clients, the hostile ones; then the
// drain, a graceful stop, and the verdict. Real processes, real sockets, real time.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SystemRng } from "../../src/runtime/system-clock.js";
import type { ShareInfo } from "../../src/protocol/api.js";
import { ChaosServer } from "./chaos.js";
import { LOAD_WRITER, LoadClient } from "./client.js";
import { HostileTally, runHostile } from "./hostile.js";
import type { LoadOptions } from "./options.js";
import { createShare, sleep, type ServeInfo } from "./serve-process.js";
import { emptyVerdict, judgeAttackerShare, judgeClient, type Verdict } from "./verdict.js";
import { Rss, summarize, type LoadReport } from "./report.js";

/** How often the step checks (S2, S5) read every client's outbox and the server's cursor. */
const SAMPLE_EVERY_MS = 500;

/** For tests of the verdict itself: a change to the server's database after the run, before it is judged. */
export interface LoadHooks {
  beforeJudge?(server: Database.Database, shareIDs: string[]): void;
}

export async function runLoad(options: LoadOptions, log: (line: string) => void = () => {}, hooks: LoadHooks = {}): Promise<LoadReport> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "sturdy-load-"));
  mkdirSync(dir, { recursive: true });
  const token = new SystemRng().id("operator-");
  const chaos = new ChaosServer({ db: join(dir, "server.db"), operatorToken: token, limits: options.limits, killEveryMs: options.killEveryMs, seed: options.seed });
  const rss = new Rss();
  let world: World | undefined;
  try {
    const info = await chaos.start();
    world = await assemble(info, token, dir, options);
    log(`sturdy load: ${options.clients} clients, ${options.hostiles} hostile, ${options.seconds} s, server on ${info.url}, databases in ${dir}`);
    const timing = await drive(world, chaos, rss, options, log);
    const exitCode = await chaos.stop();
    hooks.beforeJudge?.(world.server, world.clients.map((c) => c.share.id));
    const verdict = judge(world);
    return summarize({ options, clients: world.clients, tally: world.tally, chaos, rss, timing, verdict, exitCode });
  } finally {
    await chaos.halt();
    for (const c of world?.clients ?? []) c.close();
    world?.server.close();
    if (!options.dir && !options.keep) rmSync(dir, { recursive: true, force: true });
  }
}

interface World {
  info: ServeInfo;
  clients: LoadClient[];
  attackerShares: ShareInfo[];
  tally: HostileTally;
  /** The checker's own connection to the server's database: reads only, by SQL. */
  server: Database.Database;
}

async function assemble(info: ServeInfo, token: string, dir: string, options: LoadOptions): Promise<World> {
  const maxOps = Math.ceil(options.seconds * options.opsPerSecond * 1.1) + 10;
  const clients: LoadClient[] = [];
  for (let i = 0; i < options.clients; i++) {
    const share = await createShare(info, token, `ses_${i}`);
    const wire = i % 2 === 0 ? "http-batch" : "websocket";
    clients.push(new LoadClient(i, wire, join(dir, `client-${i}.db`), share, info, maxOps, options.seed));
  }
  const attackerShares: ShareInfo[] = [];
  for (let i = 0; i < options.hostiles; i++) attackerShares.push(await createShare(info, token, `ses_attacker_${i}`));
  const server = new Database(join(dir, "server.db"), { fileMustExist: true });
  return { info, clients, attackerShares, tally: new HostileTally(), server };
}

export interface Timing {
  /** ms from the first write to the writers' stop. */
  writeMs: number;
  /** Distinct ops acked when the writers stopped. */
  ackedWhileWriting: number;
  /** ms from the writers' stop until every outbox was empty (undefined: it never was, within the bound). */
  drainMs: number | undefined;
}

async function drive(world: World, chaos: ChaosServer, rss: Rss, options: LoadOptions, log: (line: string) => void): Promise<Timing> {
  const { clients } = world;
  const sample = () => { for (const c of clients) stepCheck(world, c); };
  const sampler = setInterval(sample, SAMPLE_EVERY_MS);
  const rssSampler = setInterval(() => {
    rss.sample();
    chaos.sampleRss();
  }, 1_000);
  rss.sample();
  let stopped = false;
  const state = { kills: () => chaos.kills, up: () => chaos.up };
  const hostiles = world.attackerShares.map((own, i) =>
    runHostile({ server: world.info, own, honestIDs: clients.map((c) => c.share.id), actor: `attacker-${i}`, attempt: 0 }, state, world.tally, () => stopped, i * 5));
  const started = Date.now();
  for (const c of clients) c.startWriting(options.opsPerSecond);
  chaos.startChaos();
  while (Date.now() - started < options.seconds * 1_000) {
    await sleep(Math.min(5_000, options.seconds * 1_000 - (Date.now() - started)));
    log(`  ${Math.round((Date.now() - started) / 1000)} s: ${acked(clients)} ops acked, ${chaos.kills} kills, ${world.tally.total("sent")} hostile requests`);
  }
  for (const c of clients) c.stopWriting();
  const writeMs = Date.now() - started;
  const ackedWhileWriting = acked(clients);
  stopped = true;
  await Promise.all([chaos.stopChaos(), ...hostiles]);
  const drainMs = await drain(clients, options.drainTimeoutMs);
  clearInterval(sampler);
  clearInterval(rssSampler);
  rss.sample();
  for (const c of clients) c.flusher.stop();
  log(`  drained ${drainMs === undefined ? "not within the bound" : `in ${drainMs} ms`}; stopping the server`);
  return { writeMs, ackedWhileWriting, drainMs };
}

async function drain(clients: LoadClient[], timeoutMs: number): Promise<number | undefined> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (clients.every((c) => c.drained())) return Date.now() - t0;
    for (const c of clients) c.flusher.kick();
    await sleep(50);
  }
  return undefined;
}

/**
 * S2 and S5 on one client, its server-side reads in one read transaction: the server commits from
 * another process meanwhile, and a cursor read before a commit with a ledger read after it would
 * look like the two moved apart (the simulator's world never commits between two of its reads).
 */
function stepCheck(world: World, c: LoadClient): void {
  world.server.transaction(() => c.checker.checkStep({ db: world.server, shareID: c.share.id }, { db: c.db, writer: LOAD_WRITER }))();
}

function acked(clients: LoadClient[]): number {
  return clients.reduce((n, c) => n + c.latencies.length, 0);
}

function judge(world: World): Verdict {
  const verdict = emptyVerdict();
  // The last step check, on the databases as the run left them.
  for (const c of world.clients) stepCheck(world, c);
  for (const c of world.clients) judgeClient(c, world.server, verdict);
  for (const s of world.attackerShares) judgeAttackerShare(world.server, s.id, verdict);
  verdict.unauthorised += world.tally.total("unauthorised");
  verdict.limitsUnenforced += world.tally.total("unenforced");
  return verdict;
}
