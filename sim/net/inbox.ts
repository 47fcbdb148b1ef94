// The receiving end of an in-memory wire (batch, socket, direct pair): an Inbox holds messages until
// capnweb's receive() asks for them; ConnectionLost is how a failed receive looks; ServerEndpoint is
// what a wire needs from the server node it delivers to.

/** What a wire needs from the server node: whether it is up, and a main capability. */
export interface ServerEndpoint {
  isUp(): boolean;
  /** Bumped at every crash, so a reply computed by a node that died meanwhile is never sent. */
  incarnation(): number;
  main(): object;
}

/** A rejected receive(): what a reset or refused connection looks like to capnweb. */
export class ConnectionLost extends Error {
  constructor(why: string) { super(`connection lost: ${why}`); this.name = "ConnectionLost"; }
}

/** One end's inbox: messages wait here until capnweb's receive() asks for them. */
export class Inbox {
  private readonly queue: string[] = [];
  private waiter: { resolve: (m: string) => void; reject: (e: unknown) => void } | undefined;
  private error: unknown;

  push(message: string): void {
    if (this.error !== undefined) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(message);
    } else this.queue.push(message);
  }

  fail(error: unknown): void {
    if (this.error !== undefined) return;
    this.error = error;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(error);
  }

  get failed(): boolean {
    return this.error !== undefined;
  }

  /** Next message; `onEmpty` decides what an empty, healthy inbox means (wait, or end of batch). */
  receive(onEmpty?: () => Error): Promise<string> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift()!);
    if (this.error !== undefined) return Promise.reject(this.error);
    if (onEmpty) return Promise.reject(onEmpty());
    return new Promise((resolve, reject) => { this.waiter = { resolve, reject }; });
  }
}
