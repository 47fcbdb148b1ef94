// `--compare OLD.json`: every numeric figure of two bench reports side by side, old → new and
// the ratio new/old, so a change's effect is read off the same keys it was measured under.

/** Numeric leaves by dotted path. An array element with an `ops` field is keyed by it, so a
 *  per-op table compares size with size even when the sizes differ between the two runs. */
export function flattenNumbers(value: unknown, prefix = ""): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (v: unknown, path: string): void => {
    if (typeof v === "number" && Number.isFinite(v)) out.set(path, v);
    else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        const ops = (item as { ops?: unknown } | null)?.ops;
        walk(item, `${path}[${typeof ops === "number" ? `ops=${ops}` : i}]`);
      });
    } else if (v && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k);
    }
  };
  walk(value, prefix);
  return out;
}

export interface Comparison {
  path: string;
  old?: number;
  new?: number;
  /** new / old; undefined when either side is missing or old is 0. */
  ratio?: number;
}

/** Every path in either report, in the new report's order, then the ones only the old one has;
 *  a figure that is 0 on both sides (a side or actor that issues no SQL) says nothing and is left out. */
export function compareReports(oldReport: unknown, newReport: unknown): Comparison[] {
  const before = flattenNumbers(oldReport);
  const after = flattenNumbers(newReport);
  const paths = [...after.keys(), ...[...before.keys()].filter((k) => !after.has(k))];
  return paths.filter((path) => (before.get(path) ?? 0) !== 0 || (after.get(path) ?? 0) !== 0).map((path) => {
    const o = before.get(path);
    const n = after.get(path);
    const ratio = o !== undefined && n !== undefined && o !== 0 ? n / o : undefined;
    return { path, old: o, new: n, ratio };
  });
}

const fmt = (x: number | undefined): string => (x === undefined ? "—" : Number.isInteger(x) ? String(x) : x.toPrecision(4));

export function formatComparison(rows: readonly Comparison[]): string[] {
  const width = Math.max(0, ...rows.map((r) => r.path.length));
  return rows.map((r) => `  ${r.path.padEnd(width)}  ${fmt(r.old)} → ${fmt(r.new)}${r.ratio === undefined ? "" : `  (×${r.ratio.toFixed(2)})`}`);
}
