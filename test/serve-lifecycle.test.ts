// `sturdy serve` as an operator runs it: its database in the git-ignored data directory, in WAL
// mode with synchronous=FULL; SIGTERM and SIGINT close it cleanly (exit 0, the WAL checkpointed
// into the database file, every committed op still there); the operator token from a file or the
// environment, checked at start; and the README's client example, run on this Node without flags
// (Node 20 has no global WebSocket: the shipped connector brings `ws`).
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createShare, ROOT, ServeProcess } from "../scripts/load/serve-process.js";
import { startShareHttpServer } from "../src/runtime/http-server.js";
import { parsePolicy } from "../src/server/dedupe.js";

const TOKEN = "operator-token-of-the-lifecycle-test";
const dirs: string[] = [];
afterEach(async () => {
  await ServeProcess.killAll();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sturdy-life-"));
  dirs.push(dir);
  return dir;
}

/** The README's example against `server`: its output, after it exited 0. */
function runExample(url: string, share: { id: string; secret: string }): string {
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/client.ts", url, share.id, share.secret], { cwd: ROOT, encoding: "utf8", timeout: 30_000 });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

describe("sturdy serve: database, signals, token, the client example", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("data/sturdy.db by default, WAL; %s closes it cleanly with every op kept", async (signal) => {
    const cwd = tempDir();
    const server = await ServeProcess.start({ cwd, operatorToken: TOKEN });
    const path = join(cwd, "data", "sturdy.db");
    expect(server.info.db).toBe(path);
    const share = await createShare(server.info, TOKEN, "ses_1");
    const out = runExample(server.info.url, share);
    expect(out).toMatch(/^http batch \{"cursor":1,"epoch":0,"applied":\["example\/1"\]/m);
    expect(out).toMatch(/^websocket \{"cursor":2,"epoch":0,"applied":\["example\/2"\]/m);
    expect(existsSync(`${path}-wal`)).toBe(true); // running: commits go to the write-ahead log
    expect(await server.stop(signal)).toBe(0);
    expect(server.stderr).toContain(`sturdy serve: ${signal}, closing\nsturdy serve: closed`);
    expect(existsSync(`${path}-wal`)).toBe(false); // closed: checkpointed into the file
    const db = new Database(path, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.prepare("SELECT cursor FROM shares WHERE id = ?").pluck().get(share.id)).toBe(2);
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    db.close();
  }, 60_000);

  it("the data directory is git-ignored", () => {
    const r = spawnSync("git", ["check-ignore", "-q", "data/sturdy.db"], { cwd: ROOT });
    expect(r.status).toBe(0);
  });

  it("the server's connection commits with synchronous=FULL", async () => {
    const server = await startShareHttpServer({ dbPath: join(tempDir(), "s.db"), dedupe: parsePolicy("permanent") });
    expect(server.db.pragma("synchronous", { simple: true })).toBe(2); // FULL
    expect(server.db.pragma("journal_mode", { simple: true })).toBe("wal");
    await server.close();
  });

  it("the operator token from a file works as from the environment; without one, nobody creates a share", async () => {
    const dir = tempDir();
    const file = join(dir, "token");
    writeFileSync(file, `${TOKEN}\n`); // the trailing newline an editor leaves is not part of it
    const withFile = await ServeProcess.start({ db: join(dir, "a.db"), operatorTokenFile: file });
    expect(withFile.info.createShare).toBe(true);
    expect((await createShare(withFile.info, TOKEN, "ses_1")).id).toMatch(/^share-1-/);
    await withFile.stop();
    const without = await ServeProcess.start({ db: join(dir, "b.db") });
    expect(without.info.createShare).toBe(false);
    await expect(createShare(without.info, TOKEN, "ses_1")).rejects.toMatchObject({ code: "Unauthorized" });
    await without.stop();
  }, 60_000);

  it("bound beyond loopback (--host), any Host name is served; browser pages still are not", async () => {
    const server = await startShareHttpServer({ dbPath: join(tempDir(), "s.db"), dedupe: parsePolicy("permanent"), host: "0.0.0.0" });
    const status = (headers: Record<string, string>) => new Promise<number>((done, fail) => {
      const req = httpRequest({ host: "127.0.0.1", port: server.port, path: "/healthz", headers }, (res) => {
        res.resume();
        done(res.statusCode ?? 0);
      });
      req.on("error", fail);
      req.end();
    });
    expect(await status({ host: "share.example.org" })).toBe(200);
    expect(await status({ host: "share.example.org", origin: "https://evil.example" })).toBe(403);
    await server.close();
  });

  it("Node 20 has no global WebSocket, and the example needs no flag for it", () => {
    const r = spawnSync(process.execPath, ["-e", "process.stdout.write(typeof WebSocket)"], { encoding: "utf8" });
    if (process.versions.node.startsWith("20.")) expect(r.stdout).toBe("undefined");
  });
});

describe("sturdy serve: a bad token or limits file exits 2 with one line", () => {
  const dir = mkdtempSync(join(tmpdir(), "sturdy-life-usage-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const short = join(dir, "short-token");
  writeFileSync(short, "too-short\n");
  const unknownLimit = join(dir, "limits.json");
  writeFileSync(unknownLimit, JSON.stringify({ maxBodyBytes: 1024, maxWhatever: 1 }));
  const badLimit = join(dir, "bad-limits.json");
  writeFileSync(badLimit, JSON.stringify({ maxOpsPerBatch: 100_000 }));
  it.each([
    [["--operator-token-file", short], {}, /--operator-token-file: the operator token must be 16 to 256 characters, got 9/],
    [["--operator-token-file", join(dir, "missing")], {}, /--operator-token-file: cannot read .*missing: ENOENT/],
    [["--operator-token-file", short], { STURDY_OPERATOR_TOKEN: TOKEN }, /give the operator token once/],
    [["--limits", unknownLimit], {}, /--limits .*limits\.json: limits: unknown limit maxWhatever/],
    [["--limits", badLimit], {}, /--limits .*bad-limits\.json: limits\.maxOpsPerBatch: /],
  ])("%j", (args, env, message) => {
    const base = { ...process.env };
    delete base.STURDY_OPERATOR_TOKEN;
    const r = spawnSync(process.execPath, ["bin/sturdy.mjs", "serve", "--port", "0", "--db", join(dir, "s.db"), ...(args as string[])], {
      cwd: ROOT, encoding: "utf8", timeout: 20_000, env: { ...base, ...env },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain(TOKEN);
  }, 30_000);
});
