// `sturdy serve [--runtime node|workerd] [--port N] [--db file | --persist dir] [--dedupe permanent|writer-seq|window(N)] [--share id] [--session id] [--json]`
// The real ShareServer on 127.0.0.1: POST /rpc (capnweb HTTP batch) and /ws (capnweb WebSocket),
// on a file-backed SQLite database. Prints the URL and a share's credentials, runs until
// SIGINT/SIGTERM, then closes gracefully. `--runtime workerd` runs the Cloudflare Worker instead
// (serve-workerd.ts).
import { resolve } from "node:path";
import { parsePolicy, describePolicy, type DedupePolicy } from "../../src/server/dedupe.js";
import { startShareHttpServer, type RunningShareServer } from "../../src/runtime/http-server.js";
import { errorCode } from "../../src/protocol/errors.js";
import { boundedInt, COMMON, humanOut, InputError, UsageError, type Args, type CommandSpec } from "./args.js";

const DEFAULT_PORT = 8787;
const DEFAULT_DB = "sturdy.db";
/** The largest window(N), as src/server/dedupe.ts parsePolicy accepts it: far past any useful window. */
const MAX_WINDOW = 999_999_999;

export const spec: CommandSpec = {
  name: "serve",
  summary: "the real ShareServer on 127.0.0.1 over HTTP batch (/rpc) and WebSocket (/ws), until Ctrl-C",
  details: [
    "Opens (or creates) a SQLite database, prints the URLs and a share's credentials, and answers loopback",
    "clients only. SIGINT or SIGTERM closes it gracefully (exit 0). --runtime workerd runs the Cloudflare",
    "Worker of deploy/worker (a SQLite-backed Durable Object per share) in workerd, through miniflare.",
  ],
  options: [
    { name: "runtime", value: "node|workerd", default: "node", help: "node: this process over one SQLite file; workerd: the Worker and its Durable Objects" },
    { name: "port", value: "N", default: String(DEFAULT_PORT), help: "TCP port on 127.0.0.1 (0 .. 65535; 0 picks a free one)" },
    { name: "db", value: "file", default: DEFAULT_DB, help: "node: the SQLite database file" },
    { name: "persist", value: "dir", default: "sturdy-workerd", help: "workerd: the directory of the Durable Objects' SQLite files" },
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

export async function run(args: Args): Promise<number> {
  const runtime = args.values.get("runtime") ?? "node";
  if (runtime === "workerd") return (await import("./serve-workerd.js")).runWorkerd(args);
  if (runtime !== "node") throw new UsageError(`--runtime must be node or workerd, got "${runtime}"`);
  if (args.values.has("persist")) throw new UsageError("--persist is for --runtime workerd (node keeps its state in --db file)");
  const port = portArg(args.values.get("port"));
  const dbPath = resolve(args.values.get("db") ?? DEFAULT_DB);
  const dedupe = dedupeArg(args.values.get("dedupe") ?? "permanent");
  const sessionID = args.values.get("session") ?? "ses_1";

  let server: RunningShareServer;
  try {
    server = await startShareHttpServer({ dbPath, dedupe, port });
  } catch (e) {
    throw new InputError(`cannot start on 127.0.0.1:${port} with ${dbPath}: ${e instanceof Error ? e.message : String(e)}`);
  }

  let share: { id: string; secret: string; epoch: number };
  let reused: boolean;
  const shareID = args.values.get("share");
  try {
    if (shareID !== undefined) {
      const { id, secret, epoch } = server.shareServer.store.current(shareID);
      share = { id, secret, epoch };
      reused = true;
    } else {
      share = server.shareServer.store.createShare(sessionID);
      reused = false;
    }
  } catch (e) {
    await server.close();
    if (shareID !== undefined && errorCode(e) === "UnknownShare") throw new UsageError(`--share: no share ${shareID} in ${dbPath}`);
    throw e;
  }

  const out = humanOut(args);
  out(`sturdy serve: listening on ${server.url}`);
  out(`  http batch  POST ${server.rpcUrl}`);
  out(`  websocket   ${server.wsUrl}`);
  out(`  database    ${dbPath} (dedupe ${describePolicy(dedupe)})`);
  out(`  share       ${share.id} secret ${share.secret} epoch ${share.epoch} (${reused ? "reused" : "created"})`);
  if (args.flags.has("json")) {
    console.log(JSON.stringify({
      url: server.url,
      rpc: server.rpcUrl,
      ws: server.wsUrl,
      port: server.port,
      db: dbPath,
      dedupe: describePolicy(dedupe),
      share: { id: share.id, secret: share.secret, epoch: share.epoch, reused },
    }));
  }

  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once("SIGINT", () => done("SIGINT"));
    process.once("SIGTERM", () => done("SIGTERM"));
  });
  out(`sturdy serve: ${signal}, closing`);
  await server.close();
  out("sturdy serve: closed");
  return 0;
}

export function portArg(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) throw new UsageError(`--port must be 0 .. 65535, got "${text}"`);
  return Number(text);
}

export function dedupeArg(text: string): DedupePolicy {
  const window = /^window\((.*)\)$/.exec(text);
  if (window) boundedInt("--dedupe window(N): N", window[1]!, { min: 1, max: MAX_WINDOW });
  try {
    return parsePolicy(text);
  } catch {
    throw new UsageError(`--dedupe must be permanent, writer-seq or window(N), got "${text}"`);
  }
}
