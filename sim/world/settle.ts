// The one place the sim yields to Node's event loop. capnweb and the nodes only ever wait on
// promises, and the sim performs no real I/O, so one macrotask turn drains every microtask the
// last event started, in an order fixed by the code alone.
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
