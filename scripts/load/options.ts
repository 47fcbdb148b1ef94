// What a load run is made of, as data with defaults; `npm run load -- --help` prints them.
import { parseArgs } from "node:util";
import type { ServerLimits } from "../../src/server/limits.js";

export interface LoadOptions {
  /** How long the clients write (the drain and the checks come after). */
  seconds: number;
  /** Honest outbox clients; even-numbered ones use HTTP batch, odd-numbered ones WebSocket. */
  clients: number;
  /** Ops each client enqueues per second (its pace while the server is down too: the backlog grows). */
  opsPerSecond: number;
  /** SIGKILL the server about this often (±25 %, kill to kill); 0: never. It restarts at once, on the same port and database. */
  killEveryMs: number;
  /** Hostile actors, each cycling through every attack (0: none). */
  hostiles: number;
  /** The workload and the chaos schedule come from this seed. */
  seed: number;
  /** The drain's bound: every outbox must be empty this long after the writing stops. */
  drainTimeoutMs: number;
  /** The server's limits for the run: small enough that a hostile reaches each one cheaply. */
  limits: Partial<ServerLimits>;
  /** Where the databases go (default: a fresh temporary directory, removed afterwards unless --keep). */
  dir?: string;
  keep: boolean;
  json: boolean;
}

export const DEFAULT_LOAD: LoadOptions = {
  seconds: 60,
  clients: 32,
  opsPerSecond: 8,
  killEveryMs: 5_000,
  hostiles: 3,
  seed: 1,
  drainTimeoutMs: 60_000,
  limits: {
    maxBodyBytes: 256 * 1024,
    maxFrameBytes: 256 * 1024,
    wsMaxPayloadBytes: 512 * 1024,
    maxItemBytes: 64 * 1024,
    maxCallsInFlight: 32,
    maxSessionsPerShare: 4,
    idleTimeoutMs: 2_000,
    requestTimeoutMs: 1_000,
  },
  keep: false,
  json: false,
};

const NUMBERS = {
  seconds: { min: 1, max: 86_400 },
  clients: { min: 1, max: 512 },
  "ops-per-second": { min: 1, max: 1_000 },
  "kill-every-ms": { min: 0, max: 86_400_000 },
  hostiles: { min: 0, max: 64 },
  seed: { min: 0, max: 2 ** 32 - 1 },
  "drain-timeout-ms": { min: 1_000, max: 3_600_000 },
} as const;

export const USAGE = `npm run load -- [--seconds N] [--clients N] [--ops-per-second N] [--kill-every-ms N] [--hostiles N] [--seed N] [--drain-timeout-ms N] [--dir D] [--keep] [--json]

A load and fault test against the real server process: N outbox clients (the real Outbox and Flusher,
each its own SQLite file, half over HTTP batch and half over WebSocket) write for --seconds while the
server (bin/sturdy.mjs serve) is SIGKILLed and restarted every --kill-every-ms and hostile clients
send garbage, oversized payloads, forged op_ids, stale epochs and slow connections. Then the
simulator's checker (sim/check, sim/model) reads the server's database and every outbox.
Defaults: --seconds ${DEFAULT_LOAD.seconds} --clients ${DEFAULT_LOAD.clients} --ops-per-second ${DEFAULT_LOAD.opsPerSecond} --kill-every-ms ${DEFAULT_LOAD.killEveryMs} --hostiles ${DEFAULT_LOAD.hostiles} --seed ${DEFAULT_LOAD.seed}.
Exit 0 when lost, double-applied, cursor regressions, unauthorised and every other violation are 0; 1 otherwise; 2 for bad usage.`;

export class LoadUsageError extends Error {}

export function parseLoadArgs(argv: string[]): LoadOptions | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        ...Object.fromEntries(Object.keys(NUMBERS).map((k) => [k, { type: "string" as const }])),
        dir: { type: "string" }, keep: { type: "boolean" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new LoadUsageError((e as Error).message.split("\n")[0]!);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.help) return "help";
  const num = (name: keyof typeof NUMBERS, fallback: number): number => {
    const text = v[name];
    if (text === undefined) return fallback;
    const n = /^\d{1,16}$/.test(String(text)) ? Number(text) : NaN;
    const { min, max } = NUMBERS[name];
    if (!(n >= min && n <= max)) throw new LoadUsageError(`--${name} must be an integer from ${min} to ${max}, got "${String(text)}"`);
    return n;
  };
  return {
    ...DEFAULT_LOAD,
    seconds: num("seconds", DEFAULT_LOAD.seconds),
    clients: num("clients", DEFAULT_LOAD.clients),
    opsPerSecond: num("ops-per-second", DEFAULT_LOAD.opsPerSecond),
    killEveryMs: num("kill-every-ms", DEFAULT_LOAD.killEveryMs),
    hostiles: num("hostiles", DEFAULT_LOAD.hostiles),
    seed: num("seed", DEFAULT_LOAD.seed),
    drainTimeoutMs: num("drain-timeout-ms", DEFAULT_LOAD.drainTimeoutMs),
    ...(typeof v.dir === "string" ? { dir: v.dir } : {}),
    keep: v.keep === true,
    json: v.json === true,
  };
}
