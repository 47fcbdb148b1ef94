// A campaign's progress on stderr: runs done, runs failing so far, time spent and an ETA. On a
// terminal one line redrawn in place; otherwise (a CI log) a line at each tenth of a long campaign.
import { stopwatch } from "../perf/stopwatch.js";

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

export function progressLine(done: number, total: number, failing: number, elapsedMs: number): string {
  const eta = done > 0 && done < total ? `, ETA ${duration((elapsedMs / done) * (total - done))}` : "";
  return `${done}/${total} runs, ${failing} failing, ${duration(elapsedMs)}${eta}`;
}

/** Campaigns shorter than this print no progress to a log: their summary follows at once. */
const LOG_FROM_RUNS = 100;

export function progressDisplay(tty: boolean) {
  const elapsed = stopwatch();
  let drawn = false;
  let tenth = 0;
  return {
    update(done: number, total: number, failing: number): void {
      const line = progressLine(done, total, failing, elapsed());
      if (tty) {
        const width = 24;
        const filled = Math.round((done / total) * width);
        process.stderr.write(`\r\x1b[K[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${line}`);
        drawn = true;
      } else if (total >= LOG_FROM_RUNS && done < total && Math.floor((done * 10) / total) > tenth) {
        tenth = Math.floor((done * 10) / total);
        process.stderr.write(`progress: ${line}\n`);
      }
    },
    end(): void {
      if (drawn) process.stderr.write("\n");
    },
  };
}
