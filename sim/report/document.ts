// The report as a list of blocks (headings, paragraphs, tables, code, diagrams, charts), built once
// from the data (sections.ts) and written out twice: as Markdown and as HTML. One table renderer
// and one set of words serve both, so the two files cannot drift apart.
//
// Inline text uses two marks both formats understand: `code` and **bold**.
import { escapeXml as esc } from "./svg.js";
import { sequenceSvg } from "./sequence-svg.js";

export type Tone = "good" | "bad";
export type Cell = string | { text: string; code?: boolean; strong?: boolean; tone?: Tone };

export interface Table { head: string[]; rows: Cell[][] }

export type Block =
  | { kind: "title"; text: string }
  | { kind: "heading"; level: 2 | 3; text: string }
  | { kind: "paragraph"; text: string; muted?: boolean; tone?: Tone }
  | { kind: "list"; items: { text: string; tone?: Tone }[] }
  | { kind: "table"; table: Table; meta?: boolean }
  | { kind: "code"; lang: string; text: string }
  | { kind: "sequence"; mermaid: string; title: string }
  | { kind: "chart"; markdown?: string; svg?: string }
  | { kind: "box"; blocks: Block[] };

function cellText(c: Cell): string {
  return typeof c === "string" ? c : c.text;
}

const NUMERIC = /^[-–\d.,%/ ()]+$/;

/** Right-aligned columns: every cell a number (the first column names the row). */
function numericColumns(t: Table): boolean[] {
  return t.head.map((_, i) => i > 0 && t.rows.length > 0 && t.rows.every((r) => NUMERIC.test(cellText(r[i] ?? ""))));
}

// ---- Markdown ----

function mdCell(c: Cell): string {
  const raw = cellText(c).replace(/\|/g, "\\|").replace(/\n/g, " ");
  if (typeof c === "string") return raw;
  const coded = c.code ? `\`${raw}\`` : raw;
  return c.strong ? `**${coded}**` : coded;
}

export function tableMarkdown(t: Table): string {
  const numeric = numericColumns(t);
  const sep = t.head.map((_, i) => (numeric[i] ? "---:" : "---"));
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(t.head.map((h) => mdCell(h))), line(sep), ...t.rows.map((r) => line(r.map(mdCell)))].join("\n");
}

function blockMarkdown(b: Block): string {
  switch (b.kind) {
    case "title": return `# ${b.text}\n`;
    case "heading": return `${"#".repeat(b.level)} ${b.text}\n`;
    case "paragraph": return `${b.text}\n`;
    case "list": return `${b.items.map((i) => `- ${i.text}`).join("\n")}\n`;
    case "table": return `${tableMarkdown(b.table)}\n`;
    case "code": return `\`\`\`${b.lang}\n${b.text}\n\`\`\`\n`;
    case "sequence": return `\`\`\`mermaid\n${b.mermaid}\n\`\`\`\n`;
    case "chart": return b.markdown ? `${b.markdown}\n` : "";
    case "box": return b.blocks.map(blockMarkdown).filter(Boolean).join("\n");
  }
}

export function documentMarkdown(blocks: Block[]): string {
  return blocks.map(blockMarkdown).filter(Boolean).join("\n");
}

// ---- HTML ----

/** Escapes, then turns `code` and **bold** into elements. */
export function inlineHtml(text: string): string {
  return esc(text).replace(/`([^`]+)`/g, "<code>$1</code>").replace(/\*\*([^*]+)\*\*/g, "<b>$1</b>");
}

function htmlCell(c: Cell): string {
  if (typeof c === "string") return esc(c);
  let body = esc(c.text);
  if (c.code) body = `<code>${body}</code>`;
  if (c.strong) body = `<b>${body}</b>`;
  return c.tone ? `<span class="${c.tone}">${body}</span>` : body;
}

export function tableHtml(t: Table, meta = false): string {
  const numeric = numericColumns(t);
  const cls = (i: number) => (numeric[i] ? ` class="num"` : "");
  const head = t.head.some((h) => h !== "") ? `<thead><tr>${t.head.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join("")}</tr></thead>` : "";
  const rows = t.rows.map((r) => `<tr>${r.map((c, i) => (meta && i === 0 ? `<th>${htmlCell(c)}</th>` : `<td${cls(i)}>${htmlCell(c)}</td>`)).join("")}</tr>`);
  return `<div class="scroll"><table${meta ? ` class="meta"` : ""}>${head}<tbody>${rows.join("")}</tbody></table></div>`;
}

function blockHtml(b: Block): string {
  switch (b.kind) {
    case "title": return `<h1>${inlineHtml(b.text)}</h1>`;
    case "heading": return `<h${b.level}>${inlineHtml(b.text)}</h${b.level}>`;
    case "paragraph": {
      const cls = [b.muted ? "muted" : "", b.tone ? `verdict ${b.tone}` : ""].filter(Boolean).join(" ");
      return `<p${cls ? ` class="${cls}"` : ""}>${inlineHtml(b.text)}</p>`;
    }
    case "list": return `<ul>${b.items.map((i) => `<li${i.tone ? ` class="${i.tone}-item"` : ""}>${inlineHtml(i.text)}</li>`).join("")}</ul>`;
    case "table": return tableHtml(b.table, b.meta);
    case "code": return `<pre>${esc(b.text)}</pre>`;
    case "sequence":
      return `<div class="scroll">${sequenceSvg(b.mermaid, b.title)}</div>` +
        `<details><summary>Mermaid source</summary><pre>${esc(b.mermaid)}</pre></details>`;
    case "chart": return b.svg ?? "";
    case "box": return `<section class="cx">${b.blocks.map(blockHtml).join("\n")}</section>`;
  }
}

export function documentHtml(blocks: Block[]): string {
  return blocks.map(blockHtml).filter(Boolean).join("\n");
}
