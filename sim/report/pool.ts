// A small pool of worker threads, kept for the whole report: campaign slices and shrinks share it,
// so no worker boots twice and no core idles while another design's seeds or shrinks remain.
// Urgent tasks (shrinks, which are long) jump the queue, so the tail is made of short seed slices.
// With one worker, tasks run one after another in this thread.
import type { Worker } from "node:worker_threads";
import { startWorker } from "../search/worker-thread.js";
import { runTask, type Task, type TaskResult } from "./tasks.js";

const WORKER_URL = new URL("./worker.ts", import.meta.url);

interface Pending { task: Task; resolve: (r: TaskResult) => void; reject: (e: Error) => void }
interface Slot { worker: Worker; busy: Pending | null }

export class TaskPool {
  private readonly queue: Pending[] = [];
  private readonly slots: Slot[] = [];
  private failed: Error | null = null;
  private closing = false;
  private serial: Promise<unknown> = Promise.resolve();

  constructor(readonly size: number) {}

  run(task: Task, urgent = false): Promise<TaskResult> {
    if (this.size <= 1) {
      const next = this.serial.then(() => runTask(task));
      this.serial = next.catch(() => undefined);
      return next;
    }
    return new Promise((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      const pending = { task, resolve, reject };
      if (urgent) this.queue.unshift(pending);
      else this.queue.push(pending);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map(({ worker }) => worker.terminate()));
    this.slots.length = 0;
  }

  private dispatch(): void {
    const idle = () => this.slots.filter((s) => !s.busy).length;
    while (this.slots.length < this.size && idle() < this.queue.length) this.spawn();
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      slot.busy = this.queue.shift()!;
      slot.worker.postMessage(slot.busy.task);
    }
  }

  private spawn(): void {
    const slot: Slot = { worker: startWorker(WORKER_URL), busy: null };
    slot.worker.on("message", (m: { result?: TaskResult; error?: string }) => {
      const done = slot.busy!;
      slot.busy = null;
      if (m.error !== undefined) done.reject(new Error(m.error));
      else done.resolve(m.result ?? null);
      this.dispatch();
    });
    const fail = (e: Error) => {
      this.failed = e;
      slot.busy?.reject(e);
      for (const p of this.queue.splice(0)) p.reject(e);
    };
    slot.worker.on("error", fail);
    slot.worker.on("exit", (code) => {
      if (!this.closing && !this.failed) fail(new Error(`report worker exited with code ${code}`));
    });
    this.slots.push(slot);
  }
}
