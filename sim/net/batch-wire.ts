// HTTP-batch-style in-memory transport: one capnweb session = one request/response exchange, as
// with capnweb's newHttpBatchRpcSession. Faults act on whole exchanges: the request is lost, the
// response is lost after the server applied it, a retrying proxy replays the request on a second
// server session, or the exchange is held back so a later one overtakes it.
import { RpcSession, type RpcTransport } from "capnweb";
import type { Network } from "./network.js";
import { ConnectionLost, type ServerEndpoint } from "./inbox.js";
import { settle } from "../world/settle.js";

/** Long enough that a client timeout fires and its retry overtakes the held exchange. */
const REORDER_HOLD_MS = { min: 600, spread: 900 };
/** A retrying proxy's copy goes out up to this long after the original. */
const REPLAY_LAG_MS = 1_000;

export class BatchClientTransport implements RpcTransport {
  private outgoing: string[] = [];
  private submitted = false;
  private response: string[] | undefined;
  private waiter: { resolve: (m: string) => void; reject: (e: unknown) => void } | undefined;
  private error: unknown;

  constructor(readonly id: number) {}

  send(message: string): void {
    if (!this.submitted) this.outgoing.push(message);
  }

  receive(): Promise<string> {
    if (this.error !== undefined) return Promise.reject(this.error);
    if (this.response) return this.next();
    return new Promise((resolve, reject) => { this.waiter = { resolve, reject }; });
  }

  abort(reason: unknown): void {
    if (this.error !== undefined) return;
    this.error = reason ?? new Error("aborted");
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.error);
  }

  /** Called by the sim after microtasks settle: everything sent so far is the request. */
  takeRequest(): string[] | undefined {
    if (this.submitted || this.outgoing.length === 0 || this.error !== undefined) return undefined;
    this.submitted = true;
    const out = this.outgoing;
    this.outgoing = [];
    return out;
  }

  deliverResponse(messages: string[]): void {
    if (this.error !== undefined) return;
    this.response = [...messages];
    const w = this.waiter;
    this.waiter = undefined;
    if (w) this.next().then(w.resolve, w.reject);
  }

  fail(error: unknown): void {
    this.abort(error);
  }

  private next(): Promise<string> {
    const m = this.response!.shift();
    // Like capnweb's HTTP batch client: once the response is consumed, the session is over.
    return m !== undefined ? Promise.resolve(m) : Promise.reject(new Error("Batch RPC request ended."));
  }
}

/** capnweb's server half of a batch: feed the request, drain, collect what the server sent. */
export async function serveBatch(messages: string[], main: object): Promise<string[]> {
  const sent: string[] = [];
  const queue = [...messages];
  let allReceived!: () => void;
  let failed!: (e: unknown) => void;
  const done = new Promise<void>((resolve, reject) => { allReceived = resolve; failed = reject; });
  const transport: RpcTransport = {
    send: (m) => void sent.push(m),
    receive: () => {
      const m = queue.shift();
      if (m !== undefined) return Promise.resolve(m);
      allReceived();
      return new Promise<string>(() => {});
    },
    abort: (reason) => failed(reason),
  };
  const session = new RpcSession(transport, main);
  await done;
  await session.drain();
  return sent;
}

/** Submits exchanges for batch transports and carries their requests and responses. */
export class BatchWire {
  private nextID = 1;
  private readonly open: BatchClientTransport[] = [];
  /**
   * Requests the server is still answering across steps (one whose answer waits on storage): where
   * the answer will go is held by a suspended call, so it is kept here too, for exploration's key.
   */
  private readonly serving: { channel: string; replay: boolean }[] = [];

  constructor(private readonly network: Network, private readonly server: ServerEndpoint) {}

  openSession(): BatchClientTransport {
    const t = new BatchClientTransport(this.nextID++);
    this.open.push(t);
    return t;
  }

  abortAll(reason: unknown): void {
    for (const t of this.open.splice(0)) t.abort(reason);
  }

  /**
   * Turn every transport that has sent something into an in-flight exchange. The run loop calls
   * this first thing in every iteration, with no product code on the stack: the boundary where an
   * explorer keys the world's state (see Chooser.boundary).
   */
  submitOpen(): void {
    this.network.ctx.gate.boundary();
    for (let i = 0; i < this.open.length; i++) {
      const t = this.open[i]!;
      const request = t.takeRequest();
      if (!request) continue;
      this.open.splice(i--, 1);
      this.submit(t, request);
    }
  }

  private submit(t: BatchClientTransport, request: string[]): void {
    const { ctx } = this.network;
    const mix = ctx.mix();
    const channel = `x${t.id}`;
    this.network.record("client", "request", `${channel} ${request.length} msgs`);
    if (ctx.partitioned() || (mix && ctx.gate.roll("drop", mix.drop, `${channel} request`))) {
      this.network.record("net", "drop", `${channel} request${ctx.partitioned() ? " (partition)" : ""}`);
      return;
    }
    let delay = this.network.latency(channel);
    if (mix && ctx.gate.roll("reorder", mix.reorder, channel)) {
      const { min, spread } = REORDER_HOLD_MS;
      delay += ctx.gate.pick(`hold@${channel}`, [min, min + spread - 1], () => min + ctx.rng.int(spread));
      this.network.record("net", "reorder", `${channel} held ${delay}ms`);
    }
    const size = request.reduce((n, m) => n + m.length, 0);
    this.network.send(channel, `${channel} request`, delay, () => this.serve(t, channel, request, false), { bytes: size, holds: { t, request } });
    if (mix && ctx.gate.roll("duplicate", mix.duplicate, channel)) {
      const latency = this.network.latency(`${channel}'`); // drawn before the lag, as always
      const copyDelay = latency + ctx.gate.pick(`replay-lag@${channel}`, [0, REPLAY_LAG_MS - 1], () => ctx.rng.int(REPLAY_LAG_MS));
      this.network.record("net", "duplicate", `${channel} replayed in ${copyDelay}ms`);
      this.network.send(`${channel}'`, `${channel} request (replay)`, copyDelay, () => this.serve(t, channel, request, true), { holds: { t, request } });
    }
  }

  /**
   * Delivers a request to the server. The delivery step waits for the answer only while the server
   * computes it without waiting on the world (one macrotask turn, as `settle` does): a server whose
   * answer waits on storage the world schedules (the rmw legacy server) answers in a later step,
   * when that storage has; awaiting it here would stall the run loop that must fire its timers.
   */
  private async serve(t: BatchClientTransport, channel: string, request: string[], replay: boolean): Promise<void> {
    if (!this.server.isUp()) {
      this.network.record("server", "refused", channel);
      if (!replay) this.network.send(channel, `${channel} refused`, this.network.latency(channel), () => t.fail(new ConnectionLost("refused")), { holds: { t } });
      return;
    }
    const incarnation = this.server.incarnation();
    const exchange = { channel, replay };
    this.serving.push(exchange);
    const answered = serveBatch(request, this.server.main()).then((response) => {
      this.serving.splice(this.serving.indexOf(exchange), 1);
      this.answer(t, channel, response, replay, incarnation);
    });
    await Promise.race([answered, settle()]);
  }

  private answer(t: BatchClientTransport, channel: string, response: string[], replay: boolean, incarnation: number): void {
    const { ctx } = this.network;
    if (this.server.incarnation() !== incarnation || !this.server.isUp()) {
      this.network.record("server", "died-serving", channel); // crashed mid-request: no answer
      return;
    }
    this.network.record("server", replay ? "served-replay" : "served", `${channel} ${response.length} msgs`);
    if (replay) return; // the proxy's copy: its answer goes nowhere
    const mix = ctx.mix();
    if (ctx.partitioned() || (mix && ctx.gate.roll("dropResponse", mix.dropResponse, `${channel} response`))) {
      this.network.record("net", "drop", `${channel} response`);
      return;
    }
    const size = response.reduce((n, m) => n + m.length, 0);
    this.network.send(channel, `${channel} response`, this.network.latency(channel), () => t.deliverResponse(response), { bytes: size, holds: { t, response } });
  }
}
