// The server under load, and the chaos loop that kills it: `sturdy serve` (bin/sturdy.mjs) in a child
// process, SIGKILLed about every killEveryMs (±25 %, from the seed) and started again at once on
// the same port and database. Clients keep their URLs; while it is down they get connection errors
// and back off. Also samples the server's rss (Linux /proc).
import { readFileSync } from "node:fs";
import { SimRng } from "../../sim/world/rng.js";
import type { ServerLimits } from "../../src/server/limits.js";
import { ServeProcess, sleep, type ServeInfo } from "./serve-process.js";

/** Service the server gives between a restart and the next kill, however slowly it started. */
const MIN_UP_MS = 500;

export interface ChaosOptions {
  db: string;
  operatorToken: string;
  limits: Partial<ServerLimits>;
  killEveryMs: number;
  seed: number;
}

export class ChaosServer {
  private proc: ServeProcess | undefined;
  private port = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  kills = 0;
  /** Milliseconds from each SIGKILL until the new process listened. */
  readonly downtimes: number[] = [];
  /** The server's rss (bytes), sampled every second, just before each kill and at the end, by incarnation. */
  readonly rss: { incarnation: number; bytes: number }[] = [];
  private readonly rng: SimRng;

  constructor(private readonly options: ChaosOptions) {
    this.rng = new SimRng(options.seed, "chaos");
  }

  get info(): ServeInfo {
    if (!this.proc) throw new Error("the server was never started");
    return this.proc.info;
  }

  /** Listening, and not being killed: a kill counts (and the server is down) from before the signal is sent. */
  get up(): boolean {
    return !this.killing && (this.proc?.alive ?? false);
  }
  private killing = false;

  async start(): Promise<ServeInfo> {
    this.proc = await ServeProcess.start({ db: this.options.db, operatorToken: this.options.operatorToken, limits: this.options.limits, port: this.port });
    this.port = this.proc.info.port;
    return this.proc.info;
  }

  /** Kill and restart until stop(); the server is up when stop() resolves. */
  startChaos(): void {
    if (this.options.killEveryMs === 0) return;
    this.running = true;
    this.loop = this.chaosLoop();
  }

  async stopChaos(): Promise<void> {
    this.running = false;
    await this.loop;
    if (!this.up) await this.start();
  }

  /** After a failure: no more chaos, no restart, the server killed. */
  async halt(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => {});
    await this.proc?.kill();
  }

  /** The graceful stop at the end: SIGTERM, and the exit code (0 when it closed its database cleanly). */
  async stop(): Promise<number | null> {
    this.sampleRss();
    return (await this.proc?.stop("SIGTERM")) ?? null;
  }

  /**
   * Kills come every killEveryMs (±25 %) counted from the previous kill, not from the restart, so
   * a slow start (tsx compiling the CLI on a busy machine) does not thin them out; but the server
   * always gets MIN_UP_MS of service between a restart and the next kill.
   */
  private async chaosLoop(): Promise<void> {
    let lastKill = Date.now();
    while (this.running) {
      const due = Math.max(lastKill + Math.round(this.options.killEveryMs * (0.75 + 0.5 * this.rng.next())), Date.now() + MIN_UP_MS);
      while (this.running && Date.now() < due) await sleep(Math.min(50, due - Date.now()));
      if (!this.running) return;
      this.sampleRss();
      lastKill = Date.now();
      this.killing = true;
      this.kills += 1;
      await this.proc!.kill();
      await this.start();
      this.killing = false;
      this.downtimes.push(Date.now() - lastKill);
    }
  }

  sampleRss(): void {
    const pid = this.proc?.pid;
    if (pid === undefined || !this.up) return;
    const kb = rssKiB(pid);
    if (kb !== undefined) this.rss.push({ incarnation: this.kills, bytes: kb * 1024 });
  }
}

/** VmRSS of a process, from /proc (Linux); undefined elsewhere. */
function rssKiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
