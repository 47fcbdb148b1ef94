// Redeem a share and append an op over each wire: npx tsx examples/client.ts http://127.0.0.1:8787 <share id> <secret>
import { HttpBatchConnector, WebSocketConnector } from "../src/runtime/connectors.js";

const [url = "http://127.0.0.1:8787", shareID = "", secret = ""] = process.argv.slice(2);
const wires = { "http batch": new HttpBatchConnector(`${url}/rpc`), websocket: new WebSocketConnector(`${url.replace(/^http/, "ws")}/ws`) };
for (const [i, [wire, connector]] of Object.entries(wires).entries()) {
  // Each main() is one session (over HTTP batch: one POST), and redeemShare(..).x() is pipelined into it.
  const epoch = await connector.main().redeemShare(shareID, secret).epoch();
  const item = { type: "session" as const, data: { id: "ses_example", title: `hello over ${wire}` } };
  const op = { op_id: `example/${i + 1}`, batch_id: `example/b${i + 1}`, seq: 0, writer_id: "example", writer_seq: i + 1, depends_on: [], capability_epoch: epoch, item };
  console.log(wire, JSON.stringify(await connector.main().redeemShare(shareID, secret).appendOps([op]))); // {"cursor":1,"applied":["example/1"],...}
  connector.close();
}
