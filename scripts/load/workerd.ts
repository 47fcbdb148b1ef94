// A test Worker in real workerd (miniflare, the workerd binary from the npm package), built from a
// TypeScript entry with the same bundler settings and compatibility date/flags as the deployed
// Worker (deploy/worker/wrangler.jsonc). In-memory Durable Object storage unless told otherwise.
import { Miniflare } from "miniflare";
import { bundleWorker, WORKER_CONFIG } from "../../src/runtime/workerd-server.js";
import { readWorkerConfig } from "../../src/runtime/worker-config.js";

export async function startTestWorker(entry: string, durableObjects: Record<string, string>): Promise<Miniflare> {
  const config = readWorkerConfig(WORKER_CONFIG);
  const mf = new Miniflare({
    modules: true,
    script: await bundleWorker(entry),
    compatibilityDate: config.compatibilityDate,
    compatibilityFlags: config.compatibilityFlags,
    durableObjects: Object.fromEntries(Object.entries(durableObjects).map(([binding, className]) => [binding, { className, useSQLite: true }])),
  });
  await mf.ready;
  return mf;
}
