// maxSessionsPerShare: how many RPC sessions hold a capability on one share at once. A session
// holds a share from its first successful redemption of it until the host says the session ended
// (an HTTP batch answered, a WebSocket closed). Only an authenticated redemption takes a slot, so
// a peer without the secret cannot crowd the owner out. Pure bookkeeping: one instance per host
// process (a Worker would keep one per Durable Object).
import { SturdyError } from "../protocol/errors.js";

/** One RPC session's holds. */
export interface SessionTicket {
  /** Called after the share's secret was checked; throws TooManySessions when the share is full. */
  hold(shareID: string): void;
  /** The session ended: its holds are released (idempotent). */
  close(): void;
}

export class ShareSessions {
  private readonly holders = new Map<string, Set<SessionTicket>>();

  constructor(private readonly maxPerShare: number) {}

  /** A new session's ticket. */
  open(): SessionTicket {
    const held = new Set<string>();
    let closed = false;
    const ticket: SessionTicket = {
      hold: (shareID) => {
        if (closed || held.has(shareID)) return;
        const holders = this.holders.get(shareID) ?? new Set<SessionTicket>();
        if (holders.size >= this.maxPerShare) {
          throw new SturdyError("TooManySessions", `share ${shareID} already has maxSessionsPerShare ${this.maxPerShare} open sessions`);
        }
        holders.add(ticket);
        this.holders.set(shareID, holders);
        held.add(shareID);
      },
      close: () => {
        closed = true;
        for (const shareID of held) {
          const holders = this.holders.get(shareID);
          holders?.delete(ticket);
          if (holders?.size === 0) this.holders.delete(shareID);
        }
        held.clear();
      },
    };
    return ticket;
  }

  /** Sessions holding `shareID` now. */
  count(shareID: string): number {
    return this.holders.get(shareID)?.size ?? 0;
  }
}
