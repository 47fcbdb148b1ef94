// `sturdy serve [--port N] [--db file] [--dedupe permanent|writer-seq|window(N)] [--share id] [--session id] [--json]`
// The real ShareServer on 127.0.0.1: POST /rpc (capnweb HTTP batch) and /ws (capnweb WebSocket),
// on a file-backed SQLite database. Prints the URL and a share's credentials, runs until
// SIGINT/SIGTERM, then closes gracefully.
import { resolve } from "node:path";
import { parsePolicy, describePolicy, type DedupePolicy } from "../../src/server/dedupe.js";
import { startShareHttpServer, type RunningShareServer } from "../../src/runtime/http-server.js";
import { errorCode } from "../../src/protocol/errors.js";
import { parseArgs, UsageError } from "./args.js";

const DEFAULT_PORT = 8787;
const DEFAULT_DB = "sturdy.db";

export async function serveCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ["port", "db", "dedupe", "share", "session"], flags: ["json"] });
  const port = portArg(args.values.get("port"));
  const dbPath = resolve(args.values.get("db") ?? DEFAULT_DB);
  const dedupe = dedupeArg(args.values.get("dedupe") ?? "permanent");
  const sessionID = args.values.get("session") ?? "ses_1";

  let server: RunningShareServer;
  try {
    server = await startShareHttpServer({ dbPath, dedupe, port });
  } catch (e) {
    console.error(`sturdy serve: cannot start on 127.0.0.1:${port} with ${dbPath}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
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

  console.log(`sturdy serve: listening on ${server.url}`);
  console.log(`  http batch  POST ${server.rpcUrl}`);
  console.log(`  websocket   ${server.wsUrl}`);
  console.log(`  database    ${dbPath} (dedupe ${describePolicy(dedupe)})`);
  console.log(`  share       ${share.id} secret ${share.secret} epoch ${share.epoch} (${reused ? "reused" : "created"})`);
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
  console.log(`sturdy serve: ${signal}, closing`);
  await server.close();
  console.log("sturdy serve: closed");
  return 0;
}

function portArg(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  if (!/^\d+$/.test(text) || Number(text) > 65_535) throw new UsageError(`--port must be 0 .. 65535, got "${text}"`);
  return Number(text);
}

function dedupeArg(text: string): DedupePolicy {
  try {
    return parsePolicy(text);
  } catch {
    throw new UsageError(`--dedupe must be permanent, writer-seq or window(N), got "${text}"`);
  }
}
