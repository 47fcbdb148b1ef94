// The server end of one capnweb HTTP batch (POST /rpc), held to the server's limits. capnweb's
// nodeHttpBatchRpcResponse reads the whole body, however large and however slowly it comes; here
// the body is read against maxBodyBytes and requestTimeoutMs, every line is parsed and the calls
// are counted against maxCallsInFlight before any of them runs. A refusal answers with its HTTP
// status and capnweb's abort message (rpc-refusal.ts), and nothing of the batch was evaluated.
import type { IncomingMessage, ServerResponse } from "node:http";
import { RpcSession, type RpcSessionOptions } from "capnweb";
import { SturdyError } from "../protocol/errors.js";
import type { Clock } from "../protocol/ports.js";
import { checkBodySize, checkCallsInFlight, isCall, type ServerLimits } from "../server/limits.js";
import { abortMessage, httpStatusOf } from "./rpc-refusal.js";
import { armDeadline } from "./deadline.js";

export type BatchLimits = Pick<ServerLimits, "maxBodyBytes" | "maxCallsInFlight" | "requestTimeoutMs">;

export interface BatchContext {
  limits: BatchLimits;
  clock: Clock;
  /** The session's main capability (a fresh one per batch: one batch is one RPC session). */
  main: object;
  options: RpcSessionOptions;
}

export async function serveHttpBatch(req: IncomingMessage, res: ServerResponse, ctx: BatchContext): Promise<void> {
  if (req.method !== "POST") {
    res.writeHead(405, { "content-type": "text/plain", allow: "POST" });
    res.end("POST a capnweb batch here");
    return;
  }
  let messages: unknown[];
  try {
    messages = parseBatch(await readBody(req, ctx.limits, ctx.clock));
    checkCallsInFlight(messages.filter(isCall).length - 1, ctx.limits);
  } catch (e) {
    refuse(req, res, e);
    return;
  }
  const transport = new BatchServerTransport(messages);
  const session = new RpcSession(transport, ctx.main, ctx.options);
  let status = 200;
  try {
    await transport.allReceived;
    await session.drain();
  } catch {
    // The session aborted (a message capnweb could not use): its abort message is in the body.
    status = 400;
  }
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(transport.responseBody());
}

/** The answer to a request refused before capnweb saw it; the rest of its body is read and dropped. */
function refuse(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  if (res.headersSent) return;
  // Reading on (and discarding) lets the client finish sending and read the answer; closing with
  // its bytes unread would reset the connection under it. The request timeout still bounds this.
  req.resume();
  res.writeHead(httpStatusOf(error), { "content-type": "text/plain", connection: "close" });
  res.end(abortMessage(error));
}

/** The body as text, or a typed refusal as soon as it is too large or too late. */
function readBody(req: IncomingMessage, limits: BatchLimits, clock: Clock): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limits.maxBodyBytes) {
      reject(new SturdyError("BodyTooLarge", `request body of ${declared} bytes exceeds maxBodyBytes ${limits.maxBodyBytes}`));
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    const stop = (error: unknown) => {
      deadline.clear();
      req.off("data", onData);
      reject(error);
    };
    const deadline = armDeadline(clock, limits.requestTimeoutMs, () => {
      stop(new SturdyError("RequestTimeout", `request not received within requestTimeoutMs ${limits.requestTimeoutMs}`));
    });
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      try {
        checkBodySize(bytes, limits);
        chunks.push(chunk);
      } catch (e) {
        stop(e);
      }
    };
    req.on("data", onData);
    req.once("end", () => {
      deadline.clear();
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.once("error", stop);
  });
}

function parseBatch(body: string): unknown[] {
  if (body === "") return [];
  return body.split("\n").map((line, i) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw new SturdyError("MalformedMessage", `line ${i + 1} of the batch is not JSON`);
    }
  });
}

/** capnweb's batch transport, on messages already parsed (its "jsonCompatible" encoding). */
class BatchServerTransport {
  readonly encodingLevel = "jsonCompatible" as const;
  private readonly out: string[] = [];
  private settle!: { resolve: () => void; reject: (reason: unknown) => void };
  readonly allReceived = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));

  constructor(private readonly incoming: unknown[]) {}

  send(message: unknown): void {
    this.out.push(JSON.stringify(message));
  }

  receive(): Promise<unknown> {
    if (this.incoming.length > 0) return Promise.resolve(this.incoming.shift());
    this.settle.resolve();
    return new Promise<unknown>(() => {}); // a batch has nothing more to say; the session drains
  }

  abort(reason: unknown): void {
    this.settle.reject(reason);
  }

  responseBody(): string {
    return this.out.join("\n");
  }
}
