// The deploy path: wrangler itself reads deploy/worker/wrangler.jsonc the way the local runtime
// does (src/runtime/worker-config.ts: the same SQLite-backed Durable Object binding, compatibility
// date and flags, vars), and `wrangler deploy --dry-run` bundles the Worker (offline: a dry run
// uploads nothing). Its bundle then runs in workerd and serves a share: what `wrangler deploy`
// would upload works, not only the esbuild bundle `sturdy serve --runtime workerd` makes.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { newHttpBatchRpcSession } from "capnweb";
import { readWorkerConfig } from "../src/runtime/worker-config.js";
import { miniflareOptions, WORKER_CONFIG } from "../src/runtime/workerd-server.js";
import type { ShareServerApi } from "../src/protocol/api.js";
import { op, part } from "./helpers.js";
import { ROOT } from "../scripts/load/serve-process.js";

const out = mkdtempSync(join(tmpdir(), "sturdy-deploy-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));
/** No telemetry, no prompts, no update check that would reach for the network. */
const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", WRANGLER_LOG_PATH: out };

describe("deploy/worker through wrangler", () => {
  it("wrangler reads the config as the local runtime does", async () => {
    const wrangler = await import("wrangler");
    const theirs = wrangler.unstable_getMiniflareWorkerOptions(WORKER_CONFIG).workerOptions;
    const ours = readWorkerConfig(WORKER_CONFIG);
    expect(ours.durableObjects).toEqual({ SHARES: { className: "ShareObject", useSQLite: true } });
    expect(theirs.durableObjects).toMatchObject({ SHARES: { className: "ShareObject", useSQLite: true } });
    expect(theirs.compatibilityDate).toBe(ours.compatibilityDate);
    expect(theirs.compatibilityFlags).toEqual(ours.compatibilityFlags);
    expect(theirs.bindings).toEqual(ours.vars);
  }, 60_000);

  it("wrangler deploy --dry-run bundles it, and that bundle serves a share in workerd", async () => {
    const r = spawnSync(process.execPath, [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", out, "-c", WORKER_CONFIG], {
      cwd: ROOT, encoding: "utf8", env: WRANGLER_ENV, timeout: 120_000,
    });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/env\.SHARES \(ShareObject\)\s+Durable Object/);
    const script = readFileSync(join(out, "index.js"), "utf8");
    const mf = new Miniflare(miniflareOptions(readWorkerConfig(WORKER_CONFIG), script, { OPERATOR_TOKEN: "deploy-test-operator-token" }));
    try {
      const url = await mf.ready;
      const rpc = new URL("/rpc", url).href;
      const share = await newHttpBatchRpcSession<ShareServerApi>(rpc).createShare("ses_1", "deploy-test-operator-token");
      const ack = await newHttpBatchRpcSession<ShareServerApi>(rpc).redeemShare(share.id, share.secret).appendOps([op(1, part("a", 0))]);
      expect(ack).toEqual({ cursor: 1, epoch: 0, applied: ["w1/1"], duplicates: [], rejected: [] });
      await expect(newHttpBatchRpcSession<ShareServerApi>(rpc).redeemShare(share.id, "wrong")).rejects.toMatchObject({ code: "WrongSecret" });
    } finally {
      await mf.dispose();
    }
  }, 120_000);
});
