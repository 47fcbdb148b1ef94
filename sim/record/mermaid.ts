// A run's trace as a Mermaid sequence diagram: user, client, network, server; faults marked.
import type { TraceEvent } from "./trace.js";

const PARTICIPANTS = "participant U as User\n  participant C as Client\n  participant N as Network\n  participant S as Server";

/** One diagram line per meaningful event; scheduler bookkeeping (timers, deliveries) is folded in. */
export function traceToMermaid(events: TraceEvent[], title?: string): { diagram: string; lines: number } {
  const out: string[] = [];
  for (const e of events) {
    const line = render(e);
    if (line) out.push(`  ${line}`);
  }
  const header = title ? `---\ntitle: ${sanitize(title)}\n---\n` : "";
  return { diagram: `${header}sequenceDiagram\n  ${PARTICIPANTS}\n${out.join("\n")}`, lines: out.length };
}

function render(e: TraceEvent): string | undefined {
  const d = sanitize(e.detail);
  const at = `t=${e.t}`;
  switch (`${e.actor}.${e.kind}`) {
    case "user.enqueue": return `U->>C: ${at} enqueue ${d}`;
    case "user.revoke": return `U->>S: ${at} revoke (${d})`;
    case "client.send": return `C->>N: ${at} appendOps ${d}`;
    case "client.resend": return `C->>N: ${at} resend ${d}`;
    case "client.ack": return `N->>C: ${at} ack ${d}`;
    case "client.error": return `Note over C: ${at} ${d}`;
    case "client.crash": return `Note over C: ${at} CRASH ${d}`;
    case "server.crash": return `Note over S: ${at} CRASH ${d}`;
    case "client.power-loss": return `Note over C: ${at} POWER LOSS, ${d}`;
    case "server.power-loss": return `Note over S: ${at} POWER LOSS, ${d}`;
    case "client.restart": return `Note over C: ${at} restart ${d}`;
    case "server.restart": return `Note over S: ${at} restart ${d}`;
    case "net.drop": return `N--xS: ${at} DROPPED ${d}`;
    case "net.stall": return `N--xS: ${at} STALLED ${d}`;
    case "net.sever": return `Note over N: ${at} connection severed ${d}`;
    case "net.duplicate": return `Note over N: ${at} proxy replays ${d}`;
    case "net.reorder": return `Note over N: ${at} ${d} (overtaken)`;
    case "net.partition": return `Note over N: ${at} PARTITION ${d}`;
    case "net.frame-drop": return `Note over N: ${at} proxy DROPS one frame ${d}`;
    case "net.frame-duplicate": return `Note over N: ${at} proxy sends one frame TWICE ${d}`;
    case "net.frame-reorder": return `Note over N: ${at} proxy HOLDS one frame ${d}`;
    case "server.served": return `N->>S: ${at} ${d}`;
    case "server.served-replay": return `N->>S: ${at} replayed ${d}`;
    case "server.refused": return `S--xN: ${at} refused ${d}`;
    case "server.died-serving": return `Note over S: ${at} died before answering ${d}`;
    case "client.sync": return `C->>N: ${at} syncShare ${d}`;
    case "server.storage-get": return `Note over S: ${at} storage read ${d}`;
    case "server.storage-put": return `Note over S: ${at} storage write ${d}`;
    default: return undefined;
  }
}

/** Mermaid treats ; # and some brackets specially in messages; keep text plain. */
function sanitize(text: string): string {
  return text.replace(/[;#<>{}]/g, " ").replace(/\s+/g, " ").trim();
}
