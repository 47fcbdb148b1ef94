// Socket-style in-memory transport: a capnweb RpcTransport pair over one connection whose two
// directions are FIFO, as a WebSocket over TCP is. Faults are what a real socket can suffer:
// delay (order kept), a stall (frames vanish until the connection is severed) and a sever (both
// ends' receive() rejects). Single-frame loss, duplication and reordering inside a live session are
// not among them, except in the opt-in adversarial mode (frame-adversary.ts).
import { RpcSession, type RpcStub, type RpcTransport } from "capnweb";
import type { Network } from "./network.js";
import { ConnectionLost, Inbox, type ServerEndpoint } from "./inbox.js";
import { frameFate, sessionEnd } from "./frame-adversary.js";

type Direction = "c2s" | "s2c";

class SocketEnd implements RpcTransport {
  readonly inbox = new Inbox();
  constructor(private readonly conn: SocketConnection, private readonly dir: Direction) {}
  send(message: string): void { this.conn.transmit(this.dir, message); }
  receive(): Promise<string> { return this.inbox.receive(); }
  abort(reason: unknown): void { this.conn.sever(`aborted: ${reason instanceof Error ? reason.message : String(reason)}`); }
}

export class SocketConnection {
  readonly client: SocketEnd;
  readonly server: SocketEnd;
  private readonly stalled = { c2s: false, s2c: false };
  severed = false;
  /** Frame faults the adversarial mode put on this connection (how its session ends is then recorded). */
  private frameFaults = 0;

  constructor(readonly id: number, private readonly network: Network) {
    this.client = new SocketEnd(this, "c2s");
    this.server = new SocketEnd(this, "s2c");
  }

  transmit(dir: Direction, message: string): void {
    if (this.severed) return;
    const { ctx } = this.network;
    const mix = ctx.mix();
    if (!this.stalled[dir] && (ctx.partitioned() || (mix && ctx.gate.roll("stall", dir === "c2s" ? mix.drop : mix.dropResponse, `s${this.id}:${dir}`)))) {
      this.stalled[dir] = true;
      this.network.record("net", "stall", `s${this.id}:${dir}${ctx.partitioned() ? " (partition)" : ""}`);
    }
    if (this.stalled[dir]) return;
    if (mix && ctx.gate.roll("sever", mix.sever, `s${this.id}`)) {
      this.sever("reset by network");
      return;
    }
    const channel = `s${this.id}:${dir}`;
    const fate = frameFate(this.network, mix?.frames, channel, message, dir);
    if (fate.kind !== "pass") this.frameFaults += 1;
    if (fate.kind === "drop") return;
    // A held frame travels on a side channel of its own, so the frames sent after it overtake it.
    if (fate.kind === "reorder") return this.deliver(dir, `${channel}~`, `s${this.id} ${dir} (held)`, message, fate.holdMs);
    this.deliver(dir, channel, `s${this.id} ${dir}`, message, 0);
    if (fate.kind === "duplicate") this.deliver(dir, channel, `s${this.id} ${dir} (copy)`, message, 0);
  }

  private deliver(dir: Direction, channel: string, label: string, message: string, holdMs: number): void {
    const peer = dir === "c2s" ? this.server : this.client;
    this.network.send(channel, label, this.network.latency(channel) + holdMs, () => peer.inbox.push(message), { bytes: message.length, holds: { peer, message } });
  }

  sever(why: string): void {
    if (this.severed) return;
    this.severed = true;
    this.network.purge(`s${this.id}:`);
    this.network.record("net", "sever", `s${this.id} ${why}`);
    if (this.frameFaults > 0) this.network.record("adversary", sessionEnd(why), `s${this.id} after ${this.frameFaults} frame faults`);
    const err = new ConnectionLost(why);
    this.client.inbox.fail(err);
    this.server.inbox.fail(err);
  }
}

/** Opens connections to the server and remembers them so a crash can reset them all. */
export class SocketWire {
  private nextID = 1;
  private readonly live = new Set<SocketConnection>();

  constructor(private readonly network: Network, private readonly server: ServerEndpoint) {}

  connect<T extends object>(): { conn: SocketConnection; main: RpcStub<T> } {
    const conn = new SocketConnection(this.nextID++, this.network);
    this.network.record("client", "connect", `s${conn.id}`);
    if (this.server.isUp() && !this.network.ctx.partitioned()) {
      this.live.add(conn);
      new RpcSession(conn.server, this.server.main());
    } else {
      this.network.send(`s${conn.id}:s2c`, `s${conn.id} refused`, this.network.latency(`s${conn.id}`), () => conn.sever("refused"), { holds: { conn } });
    }
    const session = new RpcSession<T>(conn.client);
    return { conn, main: session.getRemoteMain() as unknown as RpcStub<T> };
  }

  severAll(why: string): void {
    for (const c of this.live) c.sever(why);
    this.live.clear();
  }
}
