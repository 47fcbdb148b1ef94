// The share service in workerd, on this machine: deploy/worker bundled with esbuild (the bundler
// wrangler uses, with the conditions it sets for workerd) and run by miniflare, which drives the
// workerd binary from the npm package, on 127.0.0.1. The Durable Objects' SQLite files persist in
// a directory, so a killed and restarted server finds every share where its last commit left it.
// Needs the dev dependencies (esbuild, miniflare): `sturdy serve --runtime workerd` loads this file
// only when asked.
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { describePolicy, type DedupePolicy } from "../server/dedupe.js";
import type { ServerLimits } from "../server/limits.js";
import { LOOPBACK } from "./http-server.js";
import { readWorkerConfig, type WorkerConfig } from "./worker-config.js";

export const WORKER_CONFIG = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "deploy", "worker", "wrangler.jsonc");

export interface WorkerdServerOptions {
  /** Where the Durable Objects' SQLite files live; created if missing. */
  persistDir: string;
  dedupe: DedupePolicy;
  /** createShare's token, given to the Worker as its OPERATOR_TOKEN binding; absent, nobody may create shares. */
  operatorToken?: string;
  /** Limit overrides, given to the Worker as its LIMITS binding (JSON); absent, the defaults. */
  limits?: Partial<ServerLimits>;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The wrangler config to run (default: deploy/worker/wrangler.jsonc). */
  configPath?: string;
  /**
   * The caller handles SIGINT and SIGTERM and then calls close() (`sturdy serve`). Miniflare's own
   * handlers, which stop workerd and exit at once (status 130 / 143), are then taken off again;
   * its exit handler, which stops workerd whenever this process exits, stays.
   */
  callerHandlesSignals?: boolean;
}

export interface RunningWorkerdServer {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly rpcUrl: string;
  readonly wsUrl: string;
  readonly config: WorkerConfig;
  /** Stop workerd (its Durable Objects' files stay in persistDir). */
  close(): Promise<void>;
}

/** One ES module with everything the Worker imports but the runtime's own (`cloudflare:*`, `node:*`). */
export async function bundleWorker(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*", "node:*"],
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

/** Miniflare's options for a config: the same bindings, flags and SQLite classes `wrangler deploy` sets. */
export function miniflareOptions(config: WorkerConfig, script: string, vars: Record<string, string> = {}) {
  return {
    name: config.name,
    modules: true,
    script,
    compatibilityDate: config.compatibilityDate,
    compatibilityFlags: config.compatibilityFlags,
    durableObjects: config.durableObjects,
    bindings: { ...config.vars, ...vars },
  };
}

export async function startWorkerdServer(options: WorkerdServerOptions): Promise<RunningWorkerdServer> {
  const config = readWorkerConfig(options.configPath ?? WORKER_CONFIG);
  const script = await bundleWorker(config.main);
  const signals = ["SIGINT", "SIGTERM"] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const mf = new Miniflare({
    ...miniflareOptions(config, script, workerBindings(options)),
    durableObjectsPersist: options.persistDir,
    host: LOOPBACK,
    port: options.port ?? 0,
  });
  let ready: URL;
  try {
    ready = await mf.ready;
  } catch (e) {
    await mf.dispose().catch(() => undefined);
    throw e;
  }
  if (options.callerHandlesSignals) {
    for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  }
  const port = Number(ready.port);
  const url = `http://${LOOPBACK}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    port, url, rpcUrl: `${url}/rpc`, wsUrl: `ws://${LOOPBACK}:${port}/ws`, config,
    close: () => (closing ??= mf.dispose()),
  };
}

/** The vars and secrets `sturdy serve --runtime workerd` sets, as a deployment sets them in wrangler.jsonc and with `wrangler secret put`. */
export function workerBindings(options: Pick<WorkerdServerOptions, "dedupe" | "operatorToken" | "limits">): Record<string, string> {
  return {
    DEDUPE: describePolicy(options.dedupe),
    ...(options.operatorToken === undefined ? {} : { OPERATOR_TOKEN: options.operatorToken }),
    ...(options.limits === undefined ? {} : { LIMITS: JSON.stringify(options.limits) }),
  };
}
