// `sturdy serve --runtime workerd`: the Cloudflare Worker of deploy/worker (one SQLite-backed
// Durable Object per share) in workerd, through miniflare, on 127.0.0.1, its objects persisted in
// --persist dir. Its first share is created through its own RPC, as any client would create one.
// The same output as `sturdy serve` (with `persist` for `db`); SIGINT/SIGTERM close it gracefully.
import { resolve } from "node:path";
import { newHttpBatchRpcSession } from "capnweb";
import { describePolicy } from "../../src/server/dedupe.js";
import type { ShareServerApi } from "../../src/protocol/api.js";
import { humanOut, InputError, UsageError, type Args } from "./args.js";
import { dedupeArg, portArg } from "./serve.js";

const DEFAULT_PERSIST = "sturdy-workerd";

type WorkerdRuntime = typeof import("../../src/runtime/workerd-server.js");

export async function runWorkerd(args: Args): Promise<number> {
  if (args.values.has("db")) throw new UsageError("--db is for --runtime node (workerd keeps its Durable Objects in --persist dir)");
  if (args.values.has("share")) throw new UsageError("--share is for --runtime node: a Durable Object's secret cannot be read from outside it");
  const port = portArg(args.values.get("port"));
  const dedupe = dedupeArg(args.values.get("dedupe") ?? "permanent");
  const persist = resolve(args.values.get("persist") ?? DEFAULT_PERSIST);
  let runtime: WorkerdRuntime;
  try {
    // Loaded only here: miniflare and esbuild are dev dependencies.
    runtime = await import("../../src/runtime/workerd-server.js");
  } catch (e) {
    throw new InputError(`--runtime workerd needs the dev dependencies (miniflare, esbuild; npm ci): ${e instanceof Error ? e.message : String(e)}`);
  }
  let server: Awaited<ReturnType<WorkerdRuntime["startWorkerdServer"]>>;
  try {
    server = await runtime.startWorkerdServer({ persistDir: persist, dedupe, port, callerHandlesSignals: true });
  } catch (e) {
    throw new InputError(`cannot start workerd on 127.0.0.1:${port} with ${persist}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let share: { id: string; secret: string; epoch: number };
  try {
    const info = await newHttpBatchRpcSession<ShareServerApi>(server.rpcUrl).createShare(args.values.get("session") ?? "ses_1");
    share = { id: info.id, secret: info.secret, epoch: info.epoch };
  } catch (e) {
    await server.close();
    throw e;
  }

  const out = humanOut(args);
  out(`sturdy serve: listening on ${server.url} (workerd)`);
  out(`  http batch  POST ${server.rpcUrl}`);
  out(`  websocket   ${server.wsUrl}`);
  out(`  persist     ${persist} (a Durable Object per share; dedupe ${describePolicy(dedupe)})`);
  out(`  share       ${share.id} secret ${share.secret} epoch ${share.epoch} (created)`);
  if (args.flags.has("json")) {
    console.log(JSON.stringify({
      url: server.url, rpc: server.rpcUrl, ws: server.wsUrl, port: server.port, runtime: "workerd", persist,
      dedupe: describePolicy(dedupe), share: { ...share, reused: false },
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
