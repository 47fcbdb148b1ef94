// Fault-point coverage: which probe points were reached and crashed at, and which message fates
// (delivered, dropped, replayed, held, refused, severed, ...) occurred. Campaigns merge these.
import { PROBE_POINTS, type ProbePoint } from "../../src/protocol/probe.js";

export interface CoverageData {
  probes: Record<string, { hit: number; crashed: number }>;
  events: Record<string, number>;
}

export function emptyCoverage(): CoverageData {
  const probes: CoverageData["probes"] = {};
  for (const p of PROBE_POINTS) probes[p] = { hit: 0, crashed: 0 };
  return { probes, events: {} };
}

export class Coverage {
  readonly data = emptyCoverage();
  hit(point: ProbePoint): void { this.data.probes[point]!.hit += 1; }
  crashed(point: ProbePoint): void { this.data.probes[point]!.crashed += 1; }
  event(actor: string, kind: string): void {
    const key = `${actor}.${kind}`;
    this.data.events[key] = (this.data.events[key] ?? 0) + 1;
  }
}

export function mergeCoverage(into: CoverageData, from: CoverageData): CoverageData {
  for (const [p, c] of Object.entries(from.probes)) {
    const t = (into.probes[p] ??= { hit: 0, crashed: 0 });
    t.hit += c.hit;
    t.crashed += c.crashed;
  }
  for (const [k, n] of Object.entries(from.events)) into.events[k] = (into.events[k] ?? 0) + n;
  return into;
}
