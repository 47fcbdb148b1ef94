// report.html: ONE self-contained page (inline CSS, inline SVG, no scripts, no network), a pure
// function of the data. The words and tables are the report's blocks (sections.ts), shared with
// the Markdown; counterexamples are drawn as SVG sequence diagrams from their Mermaid text.
import type { ReportData } from "./collect.js";
import { documentHtml } from "./document.js";
import { reportBlocks, reportTitle } from "./sections.js";
import { escapeXml as esc } from "./svg.js";

const CSS = `
:root{color-scheme:light}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#f9fafb;margin:0}
main{max-width:1180px;margin:0 auto;padding:24px 28px 64px;background:#fff;box-shadow:0 0 0 1px #e5e7eb}
h1{font-size:26px;margin:8px 0 4px}h2{font-size:20px;margin:36px 0 10px;padding-bottom:4px;border-bottom:2px solid #e5e7eb}
h3{font-size:16px;margin:22px 0 8px}p{margin:6px 0 10px}.muted{color:#4b5563;font-size:14px}
table{border-collapse:collapse;margin:8px 0 14px;font-size:13.5px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d1d5db;padding:5px 9px;vertical-align:top}
th{background:#f3f4f6;text-align:left;font-weight:600}td.num,th.num{text-align:right;white-space:nowrap}
tbody tr:nth-child(even){background:#fafafa}td:first-child{white-space:nowrap}
table.meta th{width:120px}table.meta td{max-width:900px}
code,pre{font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{background:#f3f4f6;padding:1px 4px;border-radius:3px}
pre{background:#f3f4f6;padding:10px 12px;border-radius:6px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.scroll{overflow-x:auto}.chart,.sequence{display:block;margin:10px 0 18px;max-width:100%;height:auto}
.bad{color:#b91c1c;font-weight:600}.good{color:#15803d;font-weight:600}
p.verdict{font-size:16px;padding:10px 14px;border-radius:6px;font-weight:400;color:#111827}
p.verdict.good{background:#dcfce7;border-left:5px solid #15803d}p.verdict.bad{background:#fee2e2;border-left:5px solid #b91c1c}
li{margin:3px 0}details{margin:6px 0 14px}summary{cursor:pointer;color:#1d4ed8}
.cx{border:1px solid #e5e7eb;border-radius:8px;padding:4px 16px 8px;margin:14px 0}
`;

export function renderHtml(data: ReportData): string {
  const title = reportTitle(data);
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${esc(title)}</title><style>${CSS}</style></head><body><main>\n${documentHtml(reportBlocks(data))}\n</main></body></html>\n`;
}
