// The share service as a Cloudflare Worker: this file is only the glue the runtime needs (the
// Durable Object class, the fetch entry, the bindings); the logic is src/workers/ (linted and
// shared with the tests). See README.md "The share service on Cloudflare Workers".
import { DurableObject } from "cloudflare:workers";
import { ShareObjectCore } from "../../src/workers/share-object.js";
import { handleShareRequest } from "../../src/workers/worker-fetch.js";
import { workerSettings } from "../../src/workers/worker-settings.js";
import type { ShareObjectApi } from "../../src/workers/share-router.js";
import { requireOperator } from "../../src/server/auth.js";
import { parsePolicy } from "../../src/server/dedupe.js";
import { SystemRng } from "../../src/runtime/system-clock.js";

interface Env {
  /** One SQLite-backed Durable Object per share, named after the share id (wrangler.jsonc). */
  SHARES: DurableObjectNamespace<ShareObject>;
  /** The dedupe policy: permanent (default), writer-seq or window(N). */
  DEDUPE?: string;
  /** createShare's operator token, 16 to 256 characters (`wrangler secret put OPERATOR_TOKEN`); absent, nobody may create shares. */
  OPERATOR_TOKEN?: string;
  /** A JSON object of limit overrides (src/server/limits.ts), as `sturdy serve --limits`. */
  LIMITS?: string;
}

/** One share: its rows, ledger, cursor, secret and epoch, in the object's own SQLite database. */
export class ShareObject extends DurableObject<Env> {
  private readonly core: ShareObjectCore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const { limits } = workerSettings(env);
    this.core = new ShareObjectCore(ctx.storage, { dedupe: parsePolicy(env.DEDUPE ?? "permanent"), rng: new SystemRng() }, limits);
  }

  createShare(sessionID: string, shareID: string) { return this.core.createShare(sessionID, shareID); }
  redeemShare(shareID: string, secret: string) { return this.core.redeemShare(shareID, secret); }
  revoke(shareID: string, secret: string) { return this.core.revoke(shareID, secret); }
  syncShare(shareID: string, secret: string, data: unknown) { return this.core.syncShare(shareID, secret, data); }
}

export default {
  fetch(request, env) {
    // A misconfigured deployment (a bad OPERATOR_TOKEN or LIMITS) answers 500 with the reason, never the token.
    let settings: ReturnType<typeof workerSettings>;
    try {
      settings = workerSettings(env);
    } catch (e) {
      return new Response(`misconfigured: ${(e as Error).message}`, { status: 500, headers: { "content-type": "text/plain" } });
    }
    // Workers RPC's stub types describe the same methods as ShareObjectApi, made remote.
    const objects = (shareID: string) => env.SHARES.get(env.SHARES.idFromName(shareID)) as unknown as ShareObjectApi;
    const router = { rng: new SystemRng(), limits: settings.limits, authorizeCreate: (token: unknown) => requireOperator(settings.operator, token) };
    return handleShareRequest(request, { objects, router, limits: settings.limits });
  },
} satisfies ExportedHandler<Env>;
