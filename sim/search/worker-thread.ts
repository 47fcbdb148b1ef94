// The one way the harness starts a worker thread (campaign slices, the report's task pool): the
// worker loads its TypeScript module through tsx, as the CLI does, so no build step is needed.
import { Worker } from "node:worker_threads";

/** A worker thread running the TypeScript module at `moduleUrl`, with `workerData` if given. */
export function startWorker(moduleUrl: URL, workerData?: unknown): Worker {
  const boot = `import { register } from "tsx/esm/api"; register(); await import(${JSON.stringify(moduleUrl.href)});`;
  return new Worker(boot, { eval: true, ...(workerData === undefined ? {} : { workerData }) });
}
