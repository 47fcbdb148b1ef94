// `sturdy serve [--port N] [--host addr] [--db file] [--dedupe P] [--operator-token-file f] [--limits f.json] [--json]`
// The real ShareServer: POST /rpc (capnweb HTTP batch) and /ws (capnweb WebSocket), on a
// file-backed SQLite database (WAL, synchronous=FULL). Creating a share takes the operator token
// (a file, or STURDY_OPERATOR_TOKEN); without one nobody can create shares over the wire. No
// secret is ever printed. Runs until SIGINT/SIGTERM, then closes the database cleanly.
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parsePolicy, describePolicy, type DedupePolicy } from "../../src/server/dedupe.js";
import { resolveLimits, type ServerLimits } from "../../src/server/limits.js";
import { OperatorAuth } from "../../src/server/auth.js";
import { LOOPBACK, startShareHttpServer, type RunningShareServer } from "../../src/runtime/http-server.js";
import { boundedInt, COMMON, humanOut, InputError, UsageError, type Args, type CommandSpec } from "./args.js";

const DEFAULT_PORT = 8787;
/** In the git-ignored data directory (.gitignore), created on first start. */
const DEFAULT_DB = "data/sturdy.db";
export const OPERATOR_TOKEN_ENV = "STURDY_OPERATOR_TOKEN";
/** The largest window(N), as src/server/dedupe.ts parsePolicy accepts it: far past any useful window. */
const MAX_WINDOW = 999_999_999;

export const spec: CommandSpec = {
  name: "serve",
  summary: "the real ShareServer over HTTP batch (/rpc) and WebSocket (/ws), until Ctrl-C",
  details: [
    "Opens (or creates) a SQLite database (WAL, synchronous=FULL) and prints the URLs; no secret is printed.",
    `createShare needs the operator token: --operator-token-file, or ${OPERATOR_TOKEN_ENV} (16 to 256 characters);`,
    "without one, nobody can create shares over the wire. Every other call needs a share's secret.",
    "--limits overrides the server's limits (src/server/limits.ts) from a JSON object, e.g. {\"maxBodyBytes\": 1048576}.",
    "SIGINT or SIGTERM closes the server and its database cleanly (exit 0).",
  ],
  options: [
    { name: "port", value: "N", default: String(DEFAULT_PORT), help: "TCP port (0 .. 65535; 0 picks a free one)" },
    { name: "host", value: "addr", default: LOOPBACK, help: "the interface to bind; on loopback, requests must name a loopback Host" },
    { name: "db", value: "file", default: DEFAULT_DB, help: "the SQLite database file" },
    { name: "dedupe", value: "permanent|writer-seq|window(N)", default: "permanent", help: `the server's dedupe policy (window(N): 1 ≤ N ≤ ${MAX_WINDOW})` },
    { name: "operator-token-file", value: "file", default: `$${OPERATOR_TOKEN_ENV}, else none`, help: "a file holding the operator token (trailing whitespace ignored)" },
    { name: "limits", value: "file.json", default: "the defaults", help: "a JSON object of limits to override" },
    { ...COMMON.json, help: "print the URLs and limits as one JSON line on stdout; the rest goes to stderr" },
  ],
  examples: [
    "sturdy serve --port 8787 --operator-token-file token",
    "sturdy serve --port 0 --db /tmp/sturdy.db --limits limits.json --json",
  ],
};

export async function run(args: Args): Promise<number> {
  const port = portArg(args.values.get("port"));
  const host = args.values.get("host") ?? LOOPBACK;
  const dbPath = dbArg(args.values.get("db"));
  const dedupe = dedupeArg(args.values.get("dedupe") ?? "permanent");
  const operatorToken = operatorTokenArg(args.values.get("operator-token-file"));
  const limits = limitsArg(args.values.get("limits"));

  let server: RunningShareServer;
  try {
    server = await startShareHttpServer({ dbPath, dedupe, port, host, limits, ...(operatorToken === undefined ? {} : { operatorToken }) });
  } catch (e) {
    throw new InputError(`cannot start on ${host}:${port} with ${dbPath}: ${e instanceof Error ? e.message : String(e)}`);
  }
  announce(args, server, { dbPath, dedupe, host, createShare: operatorToken !== undefined });

  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once("SIGINT", () => done("SIGINT"));
    process.once("SIGTERM", () => done("SIGTERM"));
  });
  const out = humanOut(args);
  out(`sturdy serve: ${signal}, closing`);
  await server.close();
  out("sturdy serve: closed");
  return 0;
}

function announce(args: Args, server: RunningShareServer, s: { dbPath: string; dedupe: DedupePolicy; host: string; createShare: boolean }): void {
  const out = humanOut(args);
  out(`sturdy serve: listening on ${server.url}`);
  out(`  http batch  POST ${server.rpcUrl}`);
  out(`  websocket   ${server.wsUrl}`);
  out(`  database    ${s.dbPath} (WAL, synchronous=FULL; dedupe ${describePolicy(s.dedupe)})`);
  out(`  createShare ${s.createShare ? "with the operator token" : "disabled (no operator token)"}`);
  out(`  limits      ${Object.entries(server.limits).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  if (!args.flags.has("json")) return;
  console.log(JSON.stringify({
    url: server.url,
    rpc: server.rpcUrl,
    ws: server.wsUrl,
    port: server.port,
    host: s.host,
    db: s.dbPath,
    dedupe: describePolicy(s.dedupe),
    createShare: s.createShare,
    limits: server.limits,
  }));
}

function portArg(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) throw new UsageError(`--port must be 0 .. 65535, got "${text}"`);
  return Number(text);
}

/** The default lives in ./data, made on first use; a path the operator names must already have its directory. */
function dbArg(text: string | undefined): string {
  if (text !== undefined) return resolve(text);
  const path = resolve(DEFAULT_DB);
  mkdirSync(dirname(path), { recursive: true });
  return path;
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

/** From the file, or the environment; never both (which one wins would be a guess). Never echoed. */
function operatorTokenArg(file: string | undefined): string | undefined {
  const fromEnv = process.env[OPERATOR_TOKEN_ENV];
  if (file !== undefined && fromEnv !== undefined) throw new UsageError(`give the operator token once: --operator-token-file or ${OPERATOR_TOKEN_ENV}, not both`);
  let token = fromEnv;
  if (file !== undefined) {
    try {
      token = readFileSync(file, "utf8").trimEnd();
    } catch (e) {
      throw new InputError(`--operator-token-file: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  if (token === undefined) return undefined;
  try {
    new OperatorAuth(token);
  } catch (e) {
    throw new InputError(`${file === undefined ? OPERATOR_TOKEN_ENV : "--operator-token-file"}: ${(e as Error).message}`);
  }
  return token;
}

function limitsArg(file: string | undefined): ServerLimits {
  if (file === undefined) return resolveLimits({});
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8")) as unknown;
  } catch (e) {
    throw new InputError(`--limits: cannot read ${file} as JSON: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return resolveLimits(value);
  } catch (e) {
    throw new InputError(`--limits ${file}: ${(e as Error).message}`);
  }
}
