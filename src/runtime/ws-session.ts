// One capnweb RPC session on one server-side `ws` socket, held to the server's limits. capnweb's
// own WebSocketTransport hands every frame to the session as it comes; this transport sees each
// one first: a frame over maxFrameBytes, one that is not JSON text, one call more than
// maxCallsInFlight, or no frame at all for idleTimeoutMs ends the session with a typed error.
// capnweb then sends the peer its abort message (every pending call fails with that error, code
// included) and this transport closes the socket. Frames accepted before a refusal still run: each
// was within the limits when it came. `ws` itself cuts frames over wsMaxPayloadBytes (close 1009).
import { RpcSession, type RpcSessionOptions } from "capnweb";
import type { RawData, WebSocket } from "ws";
import { errorCode, SturdyError } from "../protocol/errors.js";
import type { Clock } from "../protocol/ports.js";
import { checkCallsInFlight, checkFrameSize, isCall, type ServerLimits } from "../server/limits.js";
import { armDeadline, type Deadline } from "./deadline.js";

export type SocketLimits = Pick<ServerLimits, "maxFrameBytes" | "maxCallsInFlight" | "idleTimeoutMs">;

/** RFC 6455 close codes: message too big, policy violation, normal closure. */
const CLOSE_TOO_BIG = 1009;
const CLOSE_POLICY = 1008;
const CLOSE_NORMAL = 1000;

export function serveWebSocket(socket: WebSocket, main: object, limits: SocketLimits, clock: Clock, options: RpcSessionOptions): RpcSession {
  const transport = new ServerSocketTransport(socket, limits, clock);
  const session = new RpcSession(transport, main, options);
  // The session's exports are the calls it holds (its main object is one of them).
  transport.heldBySession = () => session.getStats().exports - 1;
  return session;
}

class ServerSocketTransport {
  readonly encodingLevel = "jsonCompatible" as const;
  heldBySession: () => number = () => 0;
  private readonly queue: unknown[] = [];
  /** Calls queued here that the session has not taken yet: held too, though it cannot count them. */
  private queuedCalls = 0;
  /**
   * The call last handed to the session, until it asks for the next message: capnweb evaluates a
   * message between the two, so until then the call is in neither the queue nor its exports.
   */
  private handedCall = false;
  private waiter: { resolve: (m: unknown) => void; reject: (e: unknown) => void } | undefined;
  private failure: { error: unknown } | undefined;
  private idle: Deadline | undefined;

  constructor(private readonly socket: WebSocket, private readonly limits: SocketLimits, private readonly clock: Clock) {
    socket.on("message", (data, isBinary) => this.onFrame(data, isBinary));
    socket.on("close", (code, reason) => this.fail(new Error(`WebSocket closed: ${code} ${reason.toString("utf8")}`)));
    socket.on("error", (e) => this.fail(e));
    this.armIdle();
  }

  send(message: unknown): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  receive(): Promise<unknown> {
    this.handedCall = false;
    if (this.queue.length > 0) return Promise.resolve(this.take());
    if (this.failure) return Promise.reject(this.failure.error);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** The session is over (after it sent its abort message, if it could): close the socket. */
  abort(reason: unknown): void {
    this.stopIdle();
    const code = errorCode(reason);
    const closeCode = code === "FrameTooLarge" ? CLOSE_TOO_BIG : code ? CLOSE_POLICY : CLOSE_NORMAL;
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(closeCode, code ?? "session ended");
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.failure) return;
    this.armIdle();
    try {
      const message = decode(data, isBinary, this.limits);
      if (isCall(message)) {
        checkCallsInFlight(this.heldBySession() + this.queuedCalls + (this.handedCall ? 1 : 0), this.limits);
        this.queuedCalls += 1;
      }
      this.deliver(message);
    } catch (e) {
      this.fail(e);
    }
  }

  private deliver(message: unknown): void {
    this.queue.push(message);
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = undefined;
    waiter.resolve(this.take());
  }

  private take(): unknown {
    const message = this.queue.shift();
    this.handedCall = isCall(message);
    if (this.handedCall) this.queuedCalls -= 1;
    return message;
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    this.stopIdle();
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(error);
  }

  private armIdle(): void {
    this.stopIdle();
    this.idle = armDeadline(this.clock, this.limits.idleTimeoutMs, () => {
      this.fail(new SturdyError("IdleTimeout", `no message for idleTimeoutMs ${this.limits.idleTimeoutMs}`));
    });
  }

  private stopIdle(): void {
    this.idle?.clear();
    this.idle = undefined;
  }
}

function decode(data: RawData, isBinary: boolean, limits: SocketLimits): unknown {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  checkFrameSize(bytes.length, limits);
  if (isBinary) throw new SturdyError("MalformedMessage", "a binary WebSocket message: capnweb speaks JSON text");
  try {
    return JSON.parse(bytes.toString("utf8")) as unknown;
  } catch {
    throw new SturdyError("MalformedMessage", "a WebSocket message that is not JSON");
  }
}
