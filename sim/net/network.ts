// The scheduler's view of the wire: packets in flight with a delivery time and a channel. Packets
// on one channel are delivered in order (a socket direction); each HTTP-style exchange has its own
// channel. All fault decisions for a packet are drawn here, from the network's own rng stream
// (or, when exploring, made by the explorer through the gate).
import type { SimRng } from "../world/rng.js";
import type { FaultMix } from "./faults.js";
import type { FaultGate } from "./fault-gate.js";

export interface Packet {
  id: number;
  at: number;
  channel: string;
  label: string;
  deliver: () => void | Promise<void>;
  /**
   * The data `deliver` closes over (the request, the response, the transport it goes to): a
   * closure is opaque, so this is what exploration's state key reads to tell two packets apart.
   */
  holds?: unknown;
}

export interface SendOptions { bytes?: number; holds?: unknown }

export interface NetworkContext {
  now(): number;
  /** The network's own stream, for latencies. */
  rng: SimRng;
  gate: FaultGate;
  record(actor: string, kind: string, detail: string): void;
  /** The fault mix in force now (faults stop at the fault horizon). */
  mix(): FaultMix | undefined;
  /** Whether the client and server can reach each other now. */
  partitioned(): boolean;
  /** Bytes put on the wire (requests, responses, frames), for the cost-per-op figures. */
  onBytes(n: number): void;
}

export class Network {
  private nextID = 1;
  private readonly packets: Packet[] = [];
  /** Last scheduled delivery per channel, to keep channels FIFO under random latency. */
  private readonly tail = new Map<string, number>();

  constructor(readonly ctx: NetworkContext) {}

  /**
   * One-way latency plus any injected delay. Sampled from the network's stream in a normal run;
   * when exploring, the latency is the range's minimum or maximum and an injected delay is its
   * maximum, each an explorer's choice.
   */
  latency(channel: string): number {
    const mix = this.ctx.mix();
    if (!mix) return 1;
    const { gate, rng } = this.ctx;
    const { min, max } = mix.latency;
    const base = gate.pick(`latency@${channel}`, [min, max], () => min + rng.int(max - min + 1));
    let extra = 0;
    if (gate.roll("delay", mix.delay.p, channel)) {
      const most = Math.max(1, mix.delay.max);
      extra = gate.pick(`delay@${channel}`, [most], () => 1 + rng.int(most));
      this.record("net", "delay", `${channel} +${extra}ms`);
    }
    return base + extra;
  }

  send(channel: string, label: string, delayMs: number, deliver: () => void | Promise<void>, options: SendOptions = {}): void {
    this.ctx.onBytes(options.bytes ?? 0);
    const at = Math.max(this.ctx.now() + delayMs, this.tail.get(channel) ?? 0);
    this.tail.set(channel, at);
    this.packets.push({ id: this.nextID++, at, channel, label, deliver, holds: options.holds });
  }

  /** Drop every packet of a channel (a severed socket, a crashed node's connection). */
  purge(channelPrefix: string): number {
    let n = 0;
    for (let i = this.packets.length - 1; i >= 0; i--) {
      if (this.packets[i]!.channel.startsWith(channelPrefix)) {
        this.packets.splice(i, 1);
        n++;
      }
    }
    return n;
  }

  /** The deliverable head of each channel, in a stable order. */
  ready(now: number): Packet[] {
    const heads = new Map<string, Packet>();
    for (const p of this.packets) {
      const h = heads.get(p.channel);
      if (!h || p.at < h.at || (p.at === h.at && p.id < h.id)) heads.set(p.channel, p);
    }
    return [...heads.values()].filter((p) => p.at <= now).sort((a, b) => a.id - b.id);
  }

  /**
   * Deliver a channel's ready packets in order, all in one scheduling step: capnweb sends several
   * frames per call, and a settle per frame would triple the cost of a call.
   */
  async deliverChannel(channel: string, now: number): Promise<string[]> {
    const batch = this.packets.filter((p) => p.channel === channel && p.at <= now).sort((a, b) => a.at - b.at || a.id - b.id);
    const labels: string[] = [];
    for (const p of batch) {
      const i = this.packets.indexOf(p);
      if (i < 0) continue; // purged by an earlier delivery of this batch
      this.packets.splice(i, 1);
      labels.push(p.label);
      await p.deliver();
    }
    return labels;
  }

  nextAt(): number | undefined {
    let min: number | undefined;
    for (const p of this.packets) if (min === undefined || p.at < min) min = p.at;
    return min;
  }

  /**
   * What is in flight, for exploration's state key: channel by channel in delivery order, times
   * relative to now, with what each delivery carries. Packet ids are left out: they say which of
   * two channels was written first, and the explorer tries every order of ready channels anyway.
   */
  inFlightPackets(now: number): { channel: string; label: string; in: number; holds: unknown }[] {
    return [...this.packets]
      .sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : a.at - b.at || a.id - b.id))
      .map((p) => ({ channel: p.channel, label: p.label, in: p.at - now, holds: p.holds }));
  }

  /** Channels whose next packet must wait behind one already scheduled (FIFO), relative to now. */
  backlog(now: number): string[] {
    return [...this.tail].filter(([, at]) => at > now).map(([channel, at]) => `${channel}+${at - now}`).sort();
  }

  inFlight(): number {
    return this.packets.length;
  }

  record(actor: string, kind: string, detail: string): void {
    this.ctx.record(actor, kind, detail);
  }
}
