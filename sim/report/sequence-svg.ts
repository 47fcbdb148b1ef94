// Draws the Mermaid sequence diagrams our traces produce (sim/mermaid.ts) as inline SVG, so the
// self-contained HTML report shows counterexamples as pictures without loading Mermaid's JS.
// It understands the subset sim/mermaid.ts emits: participants, `A->>B: text`, `A--xB: text`
// (a lost message), `Note over X: text`.
import { escapeXml } from "./svg.js";

type Step =
  | { kind: "message"; from: string; to: string; lost: boolean; text: string }
  | { kind: "note"; over: string; text: string };

export interface ParsedSequence { participants: { id: string; name: string }[]; steps: Step[] }

export function parseSequence(mermaid: string): ParsedSequence {
  const participants: { id: string; name: string }[] = [];
  const steps: Step[] = [];
  const known = (id: string) => {
    if (!participants.some((p) => p.id === id)) participants.push({ id, name: id });
  };
  for (const raw of mermaid.split("\n")) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^participant\s+(\w+)(?:\s+as\s+(.+))?$/.exec(line))) {
      participants.push({ id: m[1]!, name: m[2] ?? m[1]! });
    } else if ((m = /^Note over (\w+)(?:,\s*\w+)?:\s*(.*)$/.exec(line))) {
      known(m[1]!);
      steps.push({ kind: "note", over: m[1]!, text: m[2]! });
    } else if ((m = /^(\w+)\s*(->>|-->>|--x|-x|-->|->)\s*(\w+)\s*:\s*(.*)$/.exec(line))) {
      known(m[1]!);
      known(m[3]!);
      steps.push({ kind: "message", from: m[1]!, to: m[3]!, lost: m[2]!.endsWith("x"), text: m[4]! });
    }
  }
  return { participants, steps };
}

const CHAR_W = 6.4;
const ROW_H = 26;
/** Longer step texts are cut in the picture (the Mermaid source below it keeps them whole). */
const MAX_TEXT = 110;

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

export function sequenceSvg(mermaid: string, title: string): string {
  const parsed = parseSequence(mermaid);
  const participants = parsed.participants;
  const steps = parsed.steps.map((s) => ({ ...s, text: clip(s.text) }));
  const longest = Math.max(12, ...steps.map((s) => s.text.length));
  const spacing = Math.min(340, Math.max(170, longest * CHAR_W * 0.8 + 30));
  const left = 70;
  const col = new Map(participants.map((p, i) => [p.id, left + i * spacing]));
  // Wide enough for the lifelines and for every label (a label starts at its message's left end).
  const textEnd = steps.map((s) => s.kind === "note"
    ? col.get(s.over)! + (s.text.length * CHAR_W + 16) / 2
    : Math.min(col.get(s.from)!, col.get(s.to)!) + 8 + s.text.length * CHAR_W);
  const width = Math.ceil(Math.max(left * 2 + (participants.length - 1) * spacing, ...textEnd.map((x) => x + 12)));
  const headH = 34;
  const top = 12 + headH + 14;
  const height = top + steps.length * ROW_H + 14 + headH + 12;
  const parts: string[] = [];
  const head = (y: number) => participants.forEach((p) => {
    const x = col.get(p.id)!;
    const w = Math.max(70, p.name.length * 7.5 + 20);
    parts.push(`<rect x="${x - w / 2}" y="${y}" width="${w}" height="${headH}" rx="4" class="actor"/>`);
    parts.push(`<text x="${x}" y="${y + 22}" text-anchor="middle" class="actor-name">${escapeXml(p.name)}</text>`);
  });
  head(12);
  for (const p of participants) {
    const x = col.get(p.id)!;
    parts.push(`<line x1="${x}" y1="${12 + headH}" x2="${x}" y2="${height - 12 - headH}" class="lifeline"/>`);
  }
  steps.forEach((s, i) => {
    const y = top + i * ROW_H + 18;
    if (s.kind === "note") {
      const x = col.get(s.over)!;
      const w = s.text.length * CHAR_W + 16;
      parts.push(`<rect x="${Math.round(x - w / 2)}" y="${y - 15}" width="${Math.round(w)}" height="20" class="note"/>`);
      parts.push(`<text x="${x}" y="${y - 1}" text-anchor="middle" class="step">${escapeXml(s.text)}</text>`);
      return;
    }
    const x1 = col.get(s.from)!;
    const x2 = col.get(s.to)!;
    const dir = x2 >= x1 ? 1 : -1;
    const end = x2 - dir * 2;
    parts.push(`<line x1="${x1}" y1="${y}" x2="${end}" y2="${y}" class="${s.lost ? "msg lost" : "msg"}"/>`);
    parts.push(s.lost
      ? `<path d="M${end - 5} ${y - 5}L${end + 5} ${y + 5}M${end - 5} ${y + 5}L${end + 5} ${y - 5}" class="cross"/>`
      : `<path d="M${end} ${y}L${end - dir * 9} ${y - 4}L${end - dir * 9} ${y + 4}Z" class="head"/>`);
    const tx = Math.min(x1, x2) + 8;
    parts.push(`<text x="${tx}" y="${y - 5}" class="step">${escapeXml(s.text)}</text>`);
  });
  head(height - 12 - headH);
  return `<svg class="sequence" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    `<style>.actor{fill:#eef2ff;stroke:#4f46e5}.actor-name{font:600 13px system-ui,sans-serif;fill:#111}` +
    `.lifeline{stroke:#9ca3af;stroke-dasharray:4 3}.msg{stroke:#111;stroke-width:1.3}.msg.lost{stroke:#dc2626;stroke-dasharray:5 3}` +
    `.head{fill:#111}.cross{stroke:#dc2626;stroke-width:2}.note{fill:#fef9c3;stroke:#ca8a04}` +
    `.step{font:12px system-ui,sans-serif;fill:#111;paint-order:stroke;stroke:#fff;stroke-width:3px}</style>` +
    `${parts.join("")}</svg>`;
}
