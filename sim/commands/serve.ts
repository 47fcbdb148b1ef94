// `sturdy serve [--runtime node|workerd] [--port N] [--db file | --persist dir] [--dedupe P] [--share id] [--session id] [--json]`
// The real ShareServer on 127.0.0.1: POST /rpc (capnweb HTTP batch) and /ws (capnweb WebSocket).
// node (default): one file-backed SQLite database in this process. workerd: the Cloudflare Worker
// of deploy/worker (one SQLite-backed Durable Object per share) in workerd, through miniflare, its
// objects persisted in a directory. Prints the URLs and a share's credentials, runs until
// SIGINT/SIGTERM, then closes gracefully.
import { resolve } from "node:path";
import { newHttpBatchRpcSession } from "capnweb";
import { parsePolicy, describePolicy, type DedupePolicy } from "../../src/server/dedupe.js";
import { startShareHttpServer, type RunningShareServer } from "../../src/runtime/http-server.js";
import { errorCode } from "../../src/protocol/errors.js";
import type { ShareServerApi } from "../../src/protocol/api.js";
import { boundedInt, COMMON, humanOut, InputError, UsageError, type Args, type CommandSpec } from "./args.js";

const DEFAULT_PORT = 8787;
const DEFAULT_DB = "sturdy.db";
const DEFAULT_PERSIST = "sturdy-workerd";
/** The largest window(N), as src/server/dedupe.ts parsePolicy accepts it: far past any useful window. */
const MAX_WINDOW = 999_999_999;

export const spec: CommandSpec = {
  name: "serve",
  summary: "the real ShareServer on 127.0.0.1 over HTTP batch (/rpc) and WebSocket (/ws), until Ctrl-C",
  details: [
    "Opens (or creates) its storage, prints the URLs and a share's credentials, and answers loopback",
    "clients only. SIGINT or SIGTERM closes it gracefully (exit 0). --runtime workerd runs the Cloudflare",
    "Worker of deploy/worker (a Durable Object per share) in workerd, through miniflare (dev dependencies).",
  ],
  options: [
    { name: "runtime", value: "node|workerd", default: "node", help: "node: this process over one SQLite file; workerd: the Worker and its Durable Objects" },
    { name: "port", value: "N", default: String(DEFAULT_PORT), help: "TCP port on 127.0.0.1 (0 .. 65535; 0 picks a free one)" },
    { name: "db", value: "file", default: DEFAULT_DB, help: "node: the SQLite database file" },
    { name: "persist", value: "dir", default: DEFAULT_PERSIST, help: "workerd: the directory of the Durable Objects' SQLite files" },
    { name: "dedupe", value: "permanent|writer-seq|window(N)", default: "permanent", help: `the server's dedupe policy (window(N): 1 ≤ N ≤ ${MAX_WINDOW})` },
    { name: "share", value: "id", default: "a new share", help: "node: reuse this share of the database" },
    { name: "session", value: "id", default: "ses_1", help: "the session a new share shares" },
    { ...COMMON.json, help: "print the URLs and credentials as one JSON line on stdout; the rest goes to stderr" },
  ],
  examples: [
    "sturdy serve --port 8787 --db /tmp/sturdy.db",
    "sturdy serve --port 0 --dedupe writer-seq --json",
    "sturdy serve --runtime workerd --port 8787 --persist /tmp/sturdy-workerd",
  ],
};

interface Share { id: string; secret: string; epoch: number }

/** A started server, whichever runtime: what is printed, and how to stop it. */
interface Started {
  url: string;
  rpcUrl: string;
  wsUrl: string;
  port: number;
  /** Where its state lives, printed and put in the JSON line (`db` or `persist`). */
  storage: { db: string } | { persist: string };
  share: Share;
  reused: boolean;
  close(): Promise<void>;
}

export async function run(args: Args): Promise<number> {
  const runtime = args.values.get("runtime") ?? "node";
  if (runtime !== "node" && runtime !== "workerd") throw new UsageError(`--runtime must be node or workerd, got "${runtime}"`);
  const port = portArg(args.values.get("port"));
  const dedupe = dedupeArg(args.values.get("dedupe") ?? "permanent");
  const started = runtime === "node" ? await startNode(args, port, dedupe) : await startWorkerd(args, port, dedupe);

  const out = humanOut(args);
  const { share, reused } = started;
  out(`sturdy serve: listening on ${started.url} (${runtime})`);
  out(`  http batch  POST ${started.rpcUrl}`);
  out(`  websocket   ${started.wsUrl}`);
  out(`  ${"db" in started.storage ? `database    ${started.storage.db}` : `persist     ${started.storage.persist}`} (dedupe ${describePolicy(dedupe)})`);
  out(`  share       ${share.id} secret ${share.secret} epoch ${share.epoch} (${reused ? "reused" : "created"})`);
  if (args.flags.has("json")) {
    console.log(JSON.stringify({
      url: started.url,
      rpc: started.rpcUrl,
      ws: started.wsUrl,
      port: started.port,
      runtime,
      ...started.storage,
      dedupe: describePolicy(dedupe),
      share: { ...share, reused },
    }));
  }

  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once("SIGINT", () => done("SIGINT"));
    process.once("SIGTERM", () => done("SIGTERM"));
  });
  out(`sturdy serve: ${signal}, closing`);
  await started.close();
  out("sturdy serve: closed");
  return 0;
}

async function startNode(args: Args, port: number, dedupe: DedupePolicy): Promise<Started> {
  if (args.values.has("persist")) throw new UsageError("--persist is for --runtime workerd (node keeps its state in --db file)");
  const dbPath = resolve(args.values.get("db") ?? DEFAULT_DB);
  let server: RunningShareServer;
  try {
    server = await startShareHttpServer({ dbPath, dedupe, port });
  } catch (e) {
    throw new InputError(`cannot start on 127.0.0.1:${port} with ${dbPath}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const shareID = args.values.get("share");
  try {
    let share: Share;
    if (shareID !== undefined) {
      const { id, secret, epoch } = server.shareServer.store.current(shareID);
      share = { id, secret, epoch };
    } else {
      share = server.shareServer.store.createShare(args.values.get("session") ?? "ses_1");
    }
    return { ...server, storage: { db: dbPath }, share, reused: shareID !== undefined, close: () => server.close() };
  } catch (e) {
    await server.close();
    if (shareID !== undefined && errorCode(e) === "UnknownShare") throw new UsageError(`--share: no share ${shareID} in ${dbPath}`);
    throw e;
  }
}

/** The Worker in workerd; its first share is created through its own RPC, as any client would. */
async function startWorkerd(args: Args, port: number, dedupe: DedupePolicy): Promise<Started> {
  if (args.values.has("db")) throw new UsageError("--db is for --runtime node (workerd keeps its Durable Objects in --persist dir)");
  if (args.values.has("share")) throw new UsageError("--share is for --runtime node: a Durable Object's secret cannot be read from outside it");
  const persist = resolve(args.values.get("persist") ?? DEFAULT_PERSIST);
  let runtime: typeof import("../../src/runtime/workerd-server.js");
  try {
    runtime = await import("../../src/runtime/workerd-server.js");
  } catch (e) {
    throw new InputError(`--runtime workerd needs the dev dependencies (miniflare, esbuild; npm ci): ${e instanceof Error ? e.message : String(e)}`);
  }
  let server: Awaited<ReturnType<typeof runtime.startWorkerdServer>>;
  try {
    server = await runtime.startWorkerdServer({ persistDir: persist, dedupe, port, callerHandlesSignals: true });
  } catch (e) {
    throw new InputError(`cannot start workerd on 127.0.0.1:${port} with ${persist}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    const info = await newHttpBatchRpcSession<ShareServerApi>(server.rpcUrl).createShare(args.values.get("session") ?? "ses_1");
    const share = { id: info.id, secret: info.secret, epoch: info.epoch };
    return { ...server, storage: { persist }, share, reused: false, close: () => server.close() };
  } catch (e) {
    await server.close();
    throw e;
  }
}

function portArg(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) throw new UsageError(`--port must be 0 .. 65535, got "${text}"`);
  return Number(text);
}

function dedupeArg(text: string): DedupePolicy {
  const window = /^window\((.*)\)$/.exec(text);
  if (window) boundedInt("--dedupe window(N): N", window[1]!, { min: 1, max: MAX_WINDOW });
  try {
    return parsePolicy(text);
  } catch {
    throw new UsageError(`--dedupe must be permanent, writer-seq or window(N), got "${text}"`);
  }
}
