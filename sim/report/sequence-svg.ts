// Draws the Mermaid sequence diagrams our traces produce (sim/record/mermaid.ts, marked by mark.ts) as
// inline SVG, so the self-contained HTML report shows counterexamples as pictures without loading
// Mermaid's JS. It understands the subset those emit: participants, `A->>B: text`, `A--xB: text`
// (a lost message), `Note over X: text` or `Note over X,Y: text`, and `rect <colour>` … `end`,
// whose rows it draws on a red band: the step where the first violation was detected.
import { escapeXml } from "./svg.js";
import { MARK_FILL } from "./mark.js";

type Step = (
  | { kind: "message"; from: string; to: string; lost: boolean; text: string }
  | { kind: "note"; over: string; to?: string; text: string }
) & { marked: boolean; alarm?: boolean };

export interface ParsedSequence { participants: { id: string; name: string }[]; steps: Step[] }

export function parseSequence(mermaid: string): ParsedSequence {
  const participants: { id: string; name: string }[] = [];
  const steps: Step[] = [];
  const known = (id: string) => {
    if (!participants.some((p) => p.id === id)) participants.push({ id, name: id });
  };
  let marked = false;
  for (const raw of mermaid.split("\n")) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^participant\s+(\w+)(?:\s+as\s+(.+))?$/.exec(line))) {
      participants.push({ id: m[1]!, name: m[2] ?? m[1]! });
    } else if (/^rect\b/.test(line)) {
      marked = true;
    } else if (line === "end") {
      marked = false;
    } else if ((m = /^Note over (\w+)(?:,\s*(\w+))?:\s*(.*)$/.exec(line))) {
      known(m[1]!);
      if (m[2]) known(m[2]);
      // The violation's own note (mark.ts writes it last in the rect) is drawn as an alarm.
      const alarm = marked && m[3]!.startsWith("VIOLATION ");
      steps.push({ kind: "note", over: m[1]!, ...(m[2] ? { to: m[2] } : {}), text: m[3]!, marked, ...(alarm ? { alarm } : {}) });
    } else if ((m = /^(\w+)\s*(->>|-->>|--x|-x|-->|->)\s*(\w+)\s*:\s*(.*)$/.exec(line))) {
      known(m[1]!);
      known(m[3]!);
      steps.push({ kind: "message", from: m[1]!, to: m[3]!, lost: m[2]!.endsWith("x"), text: m[4]!, marked });
    }
  }
  return { participants, steps };
}

const CHAR_W = 6.4;
const ROW_H = 26;
const HEAD_H = 34;
/** Longer step texts are cut in the picture (the Mermaid source below it keeps them whole). */
const MAX_TEXT = 150;

/** A note's box width; the violation's note is bold, so its letters are wider. */
function noteWidth(s: { text: string; alarm?: boolean }): number {
  return s.text.length * (s.alarm ? 7 : CHAR_W) + 16;
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

interface Layout { col: Map<string, number>; width: number; height: number; top: number; noteX: (s: Step & { kind: "note" }) => number }

function layout(parsed: ParsedSequence, steps: Step[]): Layout {
  const longest = Math.max(12, ...steps.filter((s) => s.kind === "message").map((s) => s.text.length));
  const spacing = Math.min(340, Math.max(170, longest * CHAR_W * 0.8 + 30));
  const left = 70;
  const col = new Map(parsed.participants.map((p, i) => [p.id, left + i * spacing]));
  // A note is centred over its participants, but never starts left of the picture.
  const noteX = (s: Step & { kind: "note" }) => {
    const centre = (col.get(s.over)! + col.get(s.to ?? s.over)!) / 2;
    return Math.max(centre, noteWidth(s) / 2 + 4);
  };
  // Wide enough for the lifelines and for every label (a label starts at its message's left end).
  const textEnd = steps.map((s) => s.kind === "note"
    ? noteX(s) + noteWidth(s) / 2
    : Math.min(col.get(s.from)!, col.get(s.to)!) + 8 + s.text.length * CHAR_W);
  const width = Math.ceil(Math.max(left * 2 + (parsed.participants.length - 1) * spacing, ...textEnd.map((x) => x + 12)));
  const top = 12 + HEAD_H + 14;
  return { col, width, top, height: top + steps.length * ROW_H + 14 + HEAD_H + 12, noteX };
}

function stepSvg(s: Step, y: number, l: Layout): string[] {
  if (s.kind === "note") {
    const x = l.noteX(s);
    const w = noteWidth(s);
    return [
      `<rect x="${Math.round(x - w / 2)}" y="${y - 15}" width="${Math.round(w)}" height="20" class="${s.alarm ? "note alarm" : "note"}"/>`,
      `<text x="${Math.round(x)}" y="${y - 1}" text-anchor="middle" class="${s.alarm ? "step alarm" : "step"}">${escapeXml(s.text)}</text>`,
    ];
  }
  const x1 = l.col.get(s.from)!;
  const x2 = l.col.get(s.to)!;
  const dir = x2 >= x1 ? 1 : -1;
  const end = x2 - dir * 2;
  return [
    `<line x1="${x1}" y1="${y}" x2="${end}" y2="${y}" class="${s.lost ? "msg lost" : "msg"}"/>`,
    s.lost
      ? `<path d="M${end - 5} ${y - 5}L${end + 5} ${y + 5}M${end - 5} ${y + 5}L${end + 5} ${y - 5}" class="cross"/>`
      : `<path d="M${end} ${y}L${end - dir * 9} ${y - 4}L${end - dir * 9} ${y + 4}Z" class="head"/>`,
    `<text x="${Math.min(x1, x2) + 8}" y="${y - 5}" class="step">${escapeXml(s.text)}</text>`,
  ];
}

export function sequenceSvg(mermaid: string, title: string): string {
  const parsed = parseSequence(mermaid);
  const steps = parsed.steps.map((s) => ({ ...s, text: clip(s.text) }));
  const l = layout(parsed, steps);
  const parts: string[] = [];
  // The marked rows' band goes first, under the lifelines and arrows.
  steps.forEach((s, i) => {
    if (s.marked) parts.push(`<rect x="0" y="${l.top + i * ROW_H}" width="${l.width}" height="${ROW_H}" class="band"/>`);
  });
  const head = (y: number) => parsed.participants.forEach((p) => {
    const x = l.col.get(p.id)!;
    const w = Math.max(70, p.name.length * 7.5 + 20);
    parts.push(`<rect x="${x - w / 2}" y="${y}" width="${w}" height="${HEAD_H}" rx="4" class="actor"/>`);
    parts.push(`<text x="${x}" y="${y + 22}" text-anchor="middle" class="actor-name">${escapeXml(p.name)}</text>`);
  });
  head(12);
  for (const p of parsed.participants) {
    const x = l.col.get(p.id)!;
    parts.push(`<line x1="${x}" y1="${12 + HEAD_H}" x2="${x}" y2="${l.height - 12 - HEAD_H}" class="lifeline"/>`);
  }
  steps.forEach((s, i) => parts.push(...stepSvg(s, l.top + i * ROW_H + 18, l)));
  head(l.height - 12 - HEAD_H);
  return `<svg class="sequence" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${l.width} ${l.height}" width="${l.width}" height="${l.height}">` +
    `<style>.actor{fill:#eef2ff;stroke:#4f46e5}.actor-name{font:600 13px system-ui,sans-serif;fill:#111}` +
    `.lifeline{stroke:#9ca3af;stroke-dasharray:4 3}.msg{stroke:#111;stroke-width:1.3}.msg.lost{stroke:#dc2626;stroke-dasharray:5 3}` +
    `.head{fill:#111}.cross{stroke:#dc2626;stroke-width:2}.note{fill:#fef9c3;stroke:#ca8a04}.note.alarm{fill:#fff;stroke:#dc2626;stroke-width:1.5}` +
    `.band{fill:${MARK_FILL};stroke:none}` +
    `.step{font:12px system-ui,sans-serif;fill:#111;paint-order:stroke;stroke:#fff;stroke-width:3px}.step.alarm{fill:#b91c1c;font-weight:600}</style>` +
    `${parts.join("")}</svg>`;
}
