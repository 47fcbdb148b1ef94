// `sturdy serve --runtime workerd`: the Cloudflare Worker of deploy/worker (one SQLite-backed
// Durable Object per share) in workerd, through miniflare, on 127.0.0.1, its objects persisted in
// --persist dir. As with `sturdy serve`, createShare takes the operator token (--operator-token-file
// or STURDY_OPERATOR_TOKEN, given to the Worker as its OPERATOR_TOKEN binding) and no secret is
// printed. The same output as `sturdy serve` (with `persist` for `db`); SIGINT/SIGTERM close it.
import { resolve } from "node:path";
import { describePolicy } from "../../src/server/dedupe.js";
import { humanOut, InputError, UsageError, type Args } from "./args.js";
import { dedupeArg, limitsArg, operatorTokenArg, portArg } from "./serve.js";

const DEFAULT_PERSIST = "sturdy-workerd";

type WorkerdRuntime = typeof import("../../src/runtime/workerd-server.js");

export async function runWorkerd(args: Args): Promise<number> {
  if (args.values.has("db")) throw new UsageError("--db is for --runtime node (workerd keeps its Durable Objects in --persist dir)");
  if (args.values.has("host")) throw new UsageError("--host is for --runtime node (workerd serves 127.0.0.1 only here)");
  const port = portArg(args.values.get("port"));
  const dedupe = dedupeArg(args.values.get("dedupe") ?? "permanent");
  const persist = resolve(args.values.get("persist") ?? DEFAULT_PERSIST);
  const operatorToken = operatorTokenArg(args.values.get("operator-token-file"));
  const limits = limitsArg(args.values.get("limits"));
  let runtime: WorkerdRuntime;
  try {
    // Loaded only here: miniflare and esbuild are dev dependencies.
    runtime = await import("../../src/runtime/workerd-server.js");
  } catch (e) {
    throw new InputError(`--runtime workerd needs the dev dependencies (miniflare, esbuild; npm ci): ${e instanceof Error ? e.message : String(e)}`);
  }
  let server: Awaited<ReturnType<WorkerdRuntime["startWorkerdServer"]>>;
  try {
    server = await runtime.startWorkerdServer({ persistDir: persist, dedupe, port, limits, operatorToken, callerHandlesSignals: true });
  } catch (e) {
    throw new InputError(`cannot start workerd on 127.0.0.1:${port} with ${persist}: ${e instanceof Error ? e.message : String(e)}`);
  }

  const out = humanOut(args);
  const createShare = operatorToken !== undefined;
  out(`sturdy serve: listening on ${server.url} (workerd)`);
  out(`  http batch  POST ${server.rpcUrl}`);
  out(`  websocket   ${server.wsUrl}`);
  out(`  persist     ${persist} (a Durable Object per share; dedupe ${describePolicy(dedupe)})`);
  out(`  createShare ${createShare ? "with the operator token" : "disabled (no operator token)"}`);
  out(`  limits      ${Object.entries(limits).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  if (args.flags.has("json")) {
    console.log(JSON.stringify({
      url: server.url, rpc: server.rpcUrl, ws: server.wsUrl, port: server.port, host: "127.0.0.1", runtime: "workerd", persist,
      dedupe: describePolicy(dedupe), createShare, limits,
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
