// The differential test's Worker: each run is a fresh SQLite-backed Durable Object that runs the
// script on ShareStore over durableSqlStore(ctx.storage), the adapter the deployed ShareObject uses.
// Steps arrive serialized by capnweb (so hostile values such as undefined, bigint or a Date come
// through as they would on the wire); the record goes back as JSON.
import { DurableObject } from "cloudflare:workers";
import { deserialize } from "capnweb";
import { durableSqlStore } from "../../src/workers/durable-sql-store.js";
import { parsePolicy } from "../../src/server/dedupe.js";
import { runScript, type Step } from "./differential-script.js";

interface Env { RUNS: DurableObjectNamespace<DifferentialObject> }

export class DifferentialObject extends DurableObject<Env> {
  run(policy: string, script: string): string {
    return JSON.stringify(runScript(durableSqlStore(this.ctx.storage), parsePolicy(policy), deserialize(script) as Step[]));
  }
}

export default {
  async fetch(request, env) {
    const { run, policy, script } = await request.json<{ run: string; policy: string; script: string }>();
    return new Response(await env.RUNS.get(env.RUNS.idFromName(run)).run(policy, script));
  },
} satisfies ExportedHandler<Env>;
