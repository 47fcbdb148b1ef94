// A load run's figures: as text for a person, as one JSON object for a machine. Every figure is a
// count or a measurement of this run; nothing is estimated.
import { cpus, loadavg } from "node:os";
import type { ChaosServer } from "./chaos.js";
import type { LoadClient } from "./client.js";
import type { HostileTally } from "./hostile.js";
import type { LoadOptions } from "./options.js";
import type { Timing } from "./run.js";
import type { Verdict } from "./verdict.js";

/** The load process's own rss, sampled every second, and the machine's load average (other work shares it). */
export class Rss {
  readonly samples: number[] = [];
  readonly loads: number[] = [];
  sample(): void {
    this.samples.push(process.memoryUsage().rss);
    this.loads.push(loadavg()[0]!);
  }
}

export interface LoadReport {
  ok: boolean;
  seconds: number;
  clients: { total: number; httpBatch: number; websocket: number; opsPerSecondEach: number };
  ops: { enqueued: number; acked: number; ackedWhileWriting: number; ackedPerSecond: number; drainMs: number | null };
  latencyMs: { ackP50: number; ackP99: number; ackMax: number; roundTripP50: number; roundTripP99: number };
  chaos: { kills: number; restartsSurvived: number; downtimeMsP50: number; downtimeMsMax: number; exitCodeOnSigterm: number | null };
  hostile: { requests: number; rejected: number; unreached: number; other: number; unauthorised: number; unenforced: number; byAttack: Record<string, { sent: number; rejected: number; unreached: number; other: number; unauthorised: number; unenforced: number; samples: string[] }> };
  rssMB: {
    loadStart: number; loadEnd: number; loadMax: number;
    serverMin: number; serverMax: number; serverSamples: number;
    /** The longest-lived server process: its first and last sample, and how long apart (a leak shows here). */
    longestIncarnation: { seconds: number; first: number; last: number; max: number; series: number[] };
  };
  machine: { cpus: number; loadAverageMin: number; loadAverageMax: number };
  verdict: { lost: number; doubleApplied: number; cursorRegressions: number; unauthorised: number; limitsUnenforced: number; other: Record<string, number>; samples: string[] };
  clientErrors: Record<string, number>;
}

interface Parts {
  options: LoadOptions;
  clients: LoadClient[];
  tally: HostileTally;
  chaos: ChaosServer;
  rss: Rss;
  timing: Timing;
  verdict: Verdict;
  exitCode: number | null;
}

export function summarize(p: Parts): LoadReport {
  const latencies = p.clients.flatMap((c) => c.latencies);
  const roundTrips = p.clients.flatMap((c) => c.roundTrips);
  const { verdict, tally } = p;
  const otherViolations = [...verdict.other.values()].reduce((a, b) => a + b, 0);
  const report: LoadReport = {
    ok: false,
    seconds: p.options.seconds,
    clients: { total: p.clients.length, httpBatch: p.clients.filter((c) => c.wire === "http-batch").length, websocket: p.clients.filter((c) => c.wire === "websocket").length, opsPerSecondEach: p.options.opsPerSecond },
    ops: {
      enqueued: p.clients.reduce((n, c) => n + c.enqueued, 0),
      acked: latencies.length,
      ackedWhileWriting: p.timing.ackedWhileWriting,
      ackedPerSecond: round1(p.timing.ackedWhileWriting / (p.timing.writeMs / 1000)),
      drainMs: p.timing.drainMs ?? null,
    },
    latencyMs: { ackP50: pct(latencies, 0.5), ackP99: pct(latencies, 0.99), ackMax: pct(latencies, 1), roundTripP50: pct(roundTrips, 0.5), roundTripP99: pct(roundTrips, 0.99) },
    chaos: { kills: p.chaos.kills, restartsSurvived: p.chaos.downtimes.length, downtimeMsP50: pct(p.chaos.downtimes, 0.5), downtimeMsMax: pct(p.chaos.downtimes, 1), exitCodeOnSigterm: p.exitCode },
    hostile: {
      requests: tally.total("sent"), rejected: tally.total("rejected"), unreached: tally.total("unreached"), other: tally.total("other"),
      unauthorised: tally.total("unauthorised"), unenforced: tally.total("unenforced"),
      byAttack: Object.fromEntries([...tally.byAttack].map(([name, t]) => [name, { ...t }])),
    },
    rssMB: {
      loadStart: mb(p.rss.samples[0]), loadEnd: mb(p.rss.samples.at(-1)), loadMax: mb(Math.max(...p.rss.samples)),
      serverMin: mb(Math.min(...p.chaos.rss.map((r) => r.bytes))), serverMax: mb(Math.max(...p.chaos.rss.map((r) => r.bytes))), serverSamples: p.chaos.rss.length,
      longestIncarnation: longest(p.chaos.rss),
    },
    machine: { cpus: cpus().length, loadAverageMin: round1(Math.min(...p.rss.loads)), loadAverageMax: round1(Math.max(...p.rss.loads)) },
    verdict: {
      lost: verdict.lost, doubleApplied: verdict.doubleApplied, cursorRegressions: verdict.cursorRegressions, unauthorised: verdict.unauthorised,
      limitsUnenforced: verdict.limitsUnenforced, other: Object.fromEntries(verdict.other), samples: verdict.samples,
    },
    clientErrors: mergeCounts(p.clients.map((c) => c.errors)),
  };
  report.ok = verdict.lost === 0 && verdict.doubleApplied === 0 && verdict.cursorRegressions === 0 && verdict.unauthorised === 0
    && verdict.limitsUnenforced === 0 && otherViolations === 0
    && report.ops.drainMs !== null && report.ops.acked === report.ops.enqueued && p.exitCode === 0;
  return report;
}

export function formatReport(r: LoadReport): string {
  const lines = [
    `sturdy load: ${r.seconds} s, ${r.clients.total} clients (${r.clients.httpBatch} http batch, ${r.clients.websocket} websocket), ${r.clients.opsPerSecondEach} ops/s each`,
    `  ops          enqueued ${r.ops.enqueued}, acked ${r.ops.acked}; ${r.ops.ackedWhileWriting} acked while writing = ${r.ops.ackedPerSecond} ops/s; drained ${r.ops.drainMs === null ? "NOT within the bound" : `${r.ops.drainMs} ms after the writes stopped`}`,
    `  latency      enqueue → ack p50 ${r.latencyMs.ackP50} ms, p99 ${r.latencyMs.ackP99} ms, max ${r.latencyMs.ackMax} ms; batch round trip p50 ${r.latencyMs.roundTripP50} ms, p99 ${r.latencyMs.roundTripP99} ms`,
    `  chaos        server SIGKILLed ${r.chaos.kills} times, restarts survived ${r.chaos.restartsSurvived} (kill → listening again p50 ${r.chaos.downtimeMsP50} ms, max ${r.chaos.downtimeMsMax} ms); SIGTERM at the end: exit ${r.chaos.exitCodeOnSigterm}`,
    `  hostile      ${r.hostile.requests} requests: ${r.hostile.rejected} rejected with the expected typed error, ${r.hostile.unreached} unanswered (server killed meanwhile), ${r.hostile.other} other, ${r.hostile.unauthorised + r.hostile.unenforced} obeyed`,
    ...Object.entries(r.hostile.byAttack).map(([name, t]) => `    ${name.padEnd(38)} ${t.rejected}/${t.sent} rejected${t.unreached ? `, ${t.unreached} unanswered` : ""}${t.other ? `, ${t.other} other (${t.samples.join(" | ")})` : ""}${t.unauthorised + t.unenforced ? `, ${t.unauthorised + t.unenforced} OBEYED` : ""}`),
    `  rss          load process ${r.rssMB.loadStart} → ${r.rssMB.loadEnd} MB (max ${r.rssMB.loadMax}; it keeps every ack for the checker); server ${r.rssMB.serverMin}–${r.rssMB.serverMax} MB over ${r.rssMB.serverSamples} samples; its longest-lived process ${r.rssMB.longestIncarnation.first} → ${r.rssMB.longestIncarnation.last} MB (max ${r.rssMB.longestIncarnation.max}) over ${r.rssMB.longestIncarnation.seconds} s: ${r.rssMB.longestIncarnation.series.join(" ")}`,
    `  machine      ${r.machine.cpus} cpus, 1-minute load average ${r.machine.loadAverageMin}–${r.machine.loadAverageMax} during the run (the load process, the server and anything else running)`,
    `  client errors ${Object.entries(r.clientErrors).map(([k, n]) => `${k} ×${n}`).join(", ") || "none"}`,
    `  verdict      lost ${r.verdict.lost}, double-applied ${r.verdict.doubleApplied}, cursor regressions ${r.verdict.cursorRegressions}, unauthorised ${r.verdict.unauthorised}, limits unenforced ${r.verdict.limitsUnenforced}, other violations ${Object.values(r.verdict.other).reduce((a, b) => a + b, 0)}`,
    ...r.verdict.samples.map((s) => `    ${s}`),
    r.ok ? "  ✓ every count is 0, every op acked, the server stopped cleanly" : "  ✗ FAILED",
  ];
  return lines.join("\n");
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function mb(bytes: number | undefined): number {
  return bytes === undefined || !Number.isFinite(bytes) ? 0 : Math.round(bytes / 1024 / 1024);
}

/** Samples are a second apart; the incarnation with the most of them lived longest. */
function longest(samples: { incarnation: number; bytes: number }[]): LoadReport["rssMB"]["longestIncarnation"] {
  const by = new Map<number, number[]>();
  for (const s of samples) by.set(s.incarnation, [...(by.get(s.incarnation) ?? []), s.bytes]);
  const best = [...by.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  // Eleven points, evenly spaced over its life: a leak is a series that keeps climbing.
  const series = best.length < 2 ? best.map(mb) : Array.from({ length: 11 }, (_, i) => mb(best[Math.round((i * (best.length - 1)) / 10)]));
  return { seconds: Math.max(0, best.length - 1), first: mb(best[0]), last: mb(best.at(-1)), max: mb(Math.max(...best)), series };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function mergeCounts(maps: Map<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of maps) for (const [k, n] of m) out[k] = (out[k] ?? 0) + n;
  return out;
}
