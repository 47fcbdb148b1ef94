// Tiny inline-SVG chart helpers: a horizontal (grouped) bar chart and an x/y line chart, each with
// a title, labelled axes, ticks and a legend. Pure string functions, no DOM, no external assets.

export const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"];

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Fixed, short numbers in the markup so that output is stable. */
function n(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** Axis ticks 0 … max in steps of 1, 2 or 5 × 10^k, about `count` of them. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}

export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  return Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : String(Math.round(v * 100) / 100);
}

function text(x: number, y: number, body: string, attrs = ""): string {
  return `<text x="${n(x)}" y="${n(y)}"${attrs ? ` ${attrs}` : ""}>${escapeXml(body)}</text>`;
}

function legend(items: { name: string; color: string; marker?: Marker }[], x: number, y: number): { svg: string; height: number } {
  let cx = x;
  let cy = y;
  const parts: string[] = [];
  for (const item of items) {
    const w = 24 + item.name.length * 7 + 18;
    if (cx + w > x + 640 && cx > x) {
      cx = x;
      cy += 18;
    }
    parts.push(item.marker ? markerSvg(item.marker, cx + 6, cy - 4, item.color) : `<rect x="${n(cx)}" y="${n(cy - 10)}" width="12" height="12" fill="${item.color}"/>`);
    parts.push(text(cx + 18, cy, item.name, `class="legend"`));
    cx += w;
  }
  return { svg: `<g class="legend" aria-label="legend">${parts.join("")}</g>`, height: cy - y + 18 };
}

export interface BarSeries { name: string; values: number[]; color?: string }

export interface BarChartOptions {
  title: string;
  categories: string[];
  series: BarSeries[];
  /** What the bar length measures (the horizontal axis). */
  valueLabel: string;
  /** What the categories are (the vertical axis). */
  categoryLabel: string;
  width?: number;
  format?: (v: number) => string;
}

/** Horizontal bars, one group per category, one bar per series; a legend when there are several series. */
export function barChart(o: BarChartOptions): string {
  const width = o.width ?? 760;
  const format = o.format ?? formatNumber;
  const labelWidth = Math.min(260, 16 + Math.max(...o.categories.map((c) => c.length), 4) * 6.6);
  const left = 34 + labelWidth;
  const right = 70;
  const plotW = width - left - right;
  const barH = o.series.length > 1 ? 11 : 16;
  const groupGap = 8;
  const groupH = o.series.length * barH + groupGap;
  const colors = o.series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]!);
  const lg = o.series.length > 1 ? legend(o.series.map((s, i) => ({ name: s.name, color: colors[i]! })), left, 44) : { svg: "", height: 0 };
  const top = 40 + lg.height + 6;
  const plotH = o.categories.length * groupH;
  const max = Math.max(0, ...o.series.flatMap((s) => s.values));
  const ticks = niceTicks(max);
  const scaleMax = ticks[ticks.length - 1]!;
  const x = (v: number) => left + (scaleMax > 0 ? (v / scaleMax) * plotW : 0);
  const height = top + plotH + 56;
  const parts: string[] = [];
  parts.push(text(width / 2, 24, o.title, `class="title" text-anchor="middle"`));
  parts.push(lg.svg);
  for (const t of ticks) {
    parts.push(`<line x1="${n(x(t))}" y1="${n(top)}" x2="${n(x(t))}" y2="${n(top + plotH)}" class="grid"/>`);
    parts.push(text(x(t), top + plotH + 16, format(t), `class="tick" text-anchor="middle"`));
  }
  o.categories.forEach((c, ci) => {
    const gy = top + ci * groupH + groupGap / 2;
    parts.push(text(left - 8, gy + (o.series.length * barH) / 2 + 4, c, `class="tick" text-anchor="end"`));
    o.series.forEach((s, si) => {
      const v = s.values[ci] ?? 0;
      const y = gy + si * barH;
      const w = Math.max(0, x(v) - left);
      parts.push(`<rect x="${n(left)}" y="${n(y)}" width="${n(w)}" height="${n(barH - 1)}" fill="${colors[si]}"><title>${escapeXml(`${c} · ${s.name}: ${format(v)}`)}</title></rect>`);
      parts.push(text(left + w + 4, y + barH - 3, format(v), `class="value"`));
    });
  });
  parts.push(`<line x1="${n(left)}" y1="${n(top)}" x2="${n(left)}" y2="${n(top + plotH)}" class="axis"/>`);
  parts.push(`<line x1="${n(left)}" y1="${n(top + plotH)}" x2="${n(left + plotW)}" y2="${n(top + plotH)}" class="axis"/>`);
  parts.push(text(left + plotW / 2, top + plotH + 40, o.valueLabel, `class="axis-label" text-anchor="middle"`));
  parts.push(text(14, top + plotH / 2, o.categoryLabel, `class="axis-label" text-anchor="middle" transform="rotate(-90 14 ${n(top + plotH / 2)})"`));
  return svgRoot(width, height, o.title, parts);
}

export type Marker = "circle" | "square" | "diamond" | "triangle";

function markerSvg(m: Marker, x: number, y: number, color: string): string {
  switch (m) {
    case "circle": return `<circle cx="${n(x)}" cy="${n(y)}" r="5" fill="${color}"/>`;
    case "square": return `<rect x="${n(x - 5)}" y="${n(y - 5)}" width="10" height="10" fill="${color}"/>`;
    case "diamond": return `<path d="M${n(x)} ${n(y - 6.5)}L${n(x + 6.5)} ${n(y)}L${n(x)} ${n(y + 6.5)}L${n(x - 6.5)} ${n(y)}Z" fill="${color}"/>`;
    case "triangle": return `<path d="M${n(x)} ${n(y - 6)}L${n(x + 6)} ${n(y + 5)}L${n(x - 6)} ${n(y + 5)}Z" fill="${color}"/>`;
  }
}

export interface Point { x: number; y: number; label?: string }
export interface LineSeries { name: string; points: Point[]; color?: string; marker?: Marker; /** Join the points with a line. */ line?: boolean }

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  width?: number;
  height?: number;
  /** Upper end of the y axis (e.g. 100 for a percentage); otherwise from the data. */
  yMax?: number;
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
}

/** Points on linear x/y axes, optionally joined, each with an optional label; a legend per series. */
export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 760;
  const xFormat = o.xFormat ?? formatNumber;
  const yFormat = o.yFormat ?? formatNumber;
  const colors = o.series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]!);
  const markers: Marker[] = o.series.map((s) => s.marker ?? "circle");
  const left = 78;
  const right = 40;
  const lg = legend(o.series.map((s, i) => ({ name: s.name, color: colors[i]!, marker: markers[i] })), left, 48);
  const top = 40 + lg.height + 12;
  const plotH = (o.height ?? 360) - 80;
  const plotW = width - left - right;
  const all = o.series.flatMap((s) => s.points);
  const xTicks = niceTicks(Math.max(1, ...all.map((p) => p.x)));
  const yTicks = niceTicks(o.yMax ?? Math.max(1, ...all.map((p) => p.y)));
  const xMax = xTicks[xTicks.length - 1]!;
  const yMax = Math.max(o.yMax ?? 0, yTicks[yTicks.length - 1]!);
  const x = (v: number) => left + (v / xMax) * plotW;
  const y = (v: number) => top + plotH - (v / yMax) * plotH;
  const height = top + plotH + 58;
  const parts: string[] = [];
  parts.push(text(width / 2, 24, o.title, `class="title" text-anchor="middle"`));
  parts.push(lg.svg);
  for (const t of xTicks) {
    parts.push(`<line x1="${n(x(t))}" y1="${n(top)}" x2="${n(x(t))}" y2="${n(top + plotH)}" class="grid"/>`);
    parts.push(text(x(t), top + plotH + 16, xFormat(t), `class="tick" text-anchor="middle"`));
  }
  for (const t of yTicks) {
    parts.push(`<line x1="${n(left)}" y1="${n(y(t))}" x2="${n(left + plotW)}" y2="${n(y(t))}" class="grid"/>`);
    parts.push(text(left - 6, y(t) + 4, yFormat(t), `class="tick" text-anchor="end"`));
  }
  parts.push(`<line x1="${n(left)}" y1="${n(top)}" x2="${n(left)}" y2="${n(top + plotH)}" class="axis"/>`);
  parts.push(`<line x1="${n(left)}" y1="${n(top + plotH)}" x2="${n(left + plotW)}" y2="${n(top + plotH)}" class="axis"/>`);
  o.series.forEach((s, si) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    if (s.line && pts.length > 1) {
      parts.push(`<polyline points="${pts.map((p) => `${n(x(p.x))},${n(y(p.y))}`).join(" ")}" fill="none" stroke="${colors[si]}" stroke-width="2"/>`);
    }
    for (const p of pts) {
      parts.push(`<g>${markerSvg(markers[si]!, x(p.x), y(p.y), colors[si]!)}<title>${escapeXml(`${p.label ?? s.name}: ${xFormat(p.x)}, ${yFormat(p.y)}`)}</title></g>`);
      if (p.label) {
        const nearRight = x(p.x) > left + plotW - 90;
        parts.push(text(x(p.x) + (nearRight ? -9 : 9), y(p.y) - 8, p.label, `class="point-label"${nearRight ? ` text-anchor="end"` : ""}`));
      }
    }
  });
  parts.push(text(left + plotW / 2, top + plotH + 42, o.xLabel, `class="axis-label" text-anchor="middle"`));
  parts.push(text(18, top + plotH / 2, o.yLabel, `class="axis-label" text-anchor="middle" transform="rotate(-90 18 ${n(top + plotH / 2)})"`));
  return svgRoot(width, height, o.title, parts);
}

function svgRoot(width: number, height: number, title: string, parts: string[]): string {
  return `<svg class="chart" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${n(width)} ${n(height)}" width="${n(width)}" height="${n(height)}">` +
    `<style>.title{font:600 15px system-ui,sans-serif;fill:#111}.tick{font:12px system-ui,sans-serif;fill:#444}.value{font:11px system-ui,sans-serif;fill:#333}` +
    `.legend{font:12px system-ui,sans-serif;fill:#222}.axis-label{font:600 12px system-ui,sans-serif;fill:#222}.point-label{font:11px system-ui,sans-serif;fill:#222}` +
    `.grid{stroke:#e5e7eb;stroke-width:1}.axis{stroke:#6b7280;stroke-width:1.2}</style>` +
    `${parts.join("")}</svg>`;
}
